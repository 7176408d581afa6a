/** Reconnect delays of a target (config repushRetryMinMs / repushRetryMaxMs). */
export interface RetryPolicy {
  readonly minMs: number;
  readonly maxMs: number;
}

/**
 * Delay before attempt `attempt + 1` after `attempt` consecutive failures (>= 1): capped exponential backoff
 * (min, 2 min, 4 min, ... up to max) with equal jitter: half of the step is fixed, half random. Targets that
 * failed together (an ingest restarting) spread out instead of retrying in step, and none retries at once.
 */
export function retryDelayMs(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(attempt, 1) - 1, 30);
  const step = Math.min(policy.maxMs, policy.minMs * 2 ** exponent);
  return Math.round(step / 2 + (random() * step) / 2);
}
