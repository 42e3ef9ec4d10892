// Types of tap-summary.mjs, for test/suite-summary.test.ts.
export interface Skip { readonly name: string, readonly reason: string }
export interface TapSummary {
  readonly passed: number
  readonly failed: number
  readonly cancelled: number
  readonly todo: number
  readonly skipped: number
  readonly skips: readonly Skip[]
}
export function summarizeTap (output: string): TapSummary
export function runPassed (results: ReadonlyArray<{ code: number | null, failed: number, skipped: number, cancelled: number, todo: number }>, inCi: boolean): boolean
