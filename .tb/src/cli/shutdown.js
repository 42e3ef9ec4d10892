import { EXIT_ERROR, EXIT_OK } from './usage.js';
const SIGNALS = ['SIGINT', 'SIGTERM'];
/** Resolves with the exit code once a signal has stopped the app. The handlers are the
 *  process's, so they are removed then: a process may serve more than once (tests). */
export async function stopOnSignals(app, shutdownTimeoutSeconds) {
    let inFlight = 0;
    app.server.on('request', (_request, response) => {
        inFlight += 1;
        response.once('close', () => { inFlight -= 1; });
    });
    return await new Promise(resolve => {
        const stop = (signal) => {
            for (const other of SIGNALS)
                process.off(other, stop);
            app.log.info({ signal }, 'shutting down: no new connections; finishing the requests in flight');
            setTimeout(() => {
                if (inFlight > 0) {
                    app.log.error({ seconds: shutdownTimeoutSeconds, abandoned: inFlight }, `SHUTDOWN_TIMEOUT reached: exiting with ${inFlight} request${inFlight === 1 ? '' : 's'} in flight abandoned, unanswered`);
                    resolve(EXIT_ERROR);
                }
                else {
                    app.log.warn({ seconds: shutdownTimeoutSeconds }, 'SHUTDOWN_TIMEOUT reached: exiting with idle connections still open');
                    resolve(EXIT_OK);
                }
            }, shutdownTimeoutSeconds * 1000).unref();
            app.close().then(() => { resolve(EXIT_OK); }, (err) => {
                app.log.error({ err }, 'shutdown failed');
                resolve(EXIT_ERROR);
            });
        };
        for (const signal of SIGNALS)
            process.once(signal, stop);
    });
}
