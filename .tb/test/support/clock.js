export function createTestClock(startMs = Date.now()) {
    let nowMs = startMs;
    return {
        now: () => nowMs,
        advance(ms) {
            if (!(ms >= 0))
                throw new Error(`a clock only moves forward, not by ${ms} ms`);
            nowMs += ms;
        }
    };
}
