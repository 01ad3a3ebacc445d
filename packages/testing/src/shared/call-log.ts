/**
 * An emulator's `calls`, `callCount` and `resetCalls` over the calls it recorded: filtered by
 * operation (or RPC), each a copy so a test cannot change the record.
 */
export function callLog<Call>(
  recorded: Call[],
  scopeOf: (call: Call) => string,
  copy: (call: Call) => Call = (call) => ({ ...call }),
) {
  const calls = (scope?: string): Call[] =>
    recorded.filter((call) => scope === undefined || scopeOf(call) === scope).map(copy)
  return {
    calls,
    callCount: (scope?: string): number => calls(scope).length,
    resetCalls(): void {
      recorded.length = 0
    },
  }
}
