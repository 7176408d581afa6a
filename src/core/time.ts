/** Monotonic milliseconds, immune to wall-clock changes. */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint() / 1_000_000n);
}
