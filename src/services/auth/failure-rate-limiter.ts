import { AUTH_FAILURES_PER_WINDOW, AUTH_FAILURE_WINDOW_MS, AUTH_LIMITER_MAX_IPS } from './limits.js';

export interface FailureRateLimiterOptions {
  readonly maxFailures?: number;
  readonly windowMs?: number;
  readonly maxKeys?: number;
  /** Monotonic ms clock (tests inject one). */
  readonly now?: () => number;
}

/**
 * Counts failed attempts per key (client IP) in fixed windows. A key at the limit is refused without its
 * credentials being checked, so guessing keys costs a window per batch. The map is bounded: expired
 * entries go first, then the oldest, so a flood from many addresses cannot grow memory.
 */
export class FailureRateLimiter {
  private readonly entries = new Map<string, { windowStart: number; failures: number }>();
  private readonly maxFailures: number;
  private readonly windowMs: number;
  private readonly maxKeys: number;
  private readonly now: () => number;

  constructor(opts: FailureRateLimiterOptions = {}) {
    this.maxFailures = opts.maxFailures ?? AUTH_FAILURES_PER_WINDOW;
    this.windowMs = opts.windowMs ?? AUTH_FAILURE_WINDOW_MS;
    this.maxKeys = opts.maxKeys ?? AUTH_LIMITER_MAX_IPS;
    this.now = opts.now ?? (() => performance.now());
  }

  isLimited(key: string): boolean {
    const e = this.entries.get(key);
    if (!e) return false;
    if (this.now() - e.windowStart >= this.windowMs) {
      this.entries.delete(key);
      return false;
    }
    return e.failures >= this.maxFailures;
  }

  /** How long until `key` may try again (0 when it is not limited). */
  retryAfterMs(key: string): number {
    const e = this.entries.get(key);
    if (!e || e.failures < this.maxFailures) return 0;
    return Math.max(0, this.windowMs - (this.now() - e.windowStart));
  }

  recordFailure(key: string): void {
    const now = this.now();
    const e = this.entries.get(key);
    if (e && now - e.windowStart < this.windowMs) {
      e.failures++;
      return;
    }
    this.entries.delete(key);
    if (this.entries.size >= this.maxKeys) this.evict(now);
    this.entries.set(key, { windowStart: now, failures: 1 });
  }

  get size(): number {
    return this.entries.size;
  }

  private evict(now: number): void {
    for (const [k, e] of this.entries) if (now - e.windowStart >= this.windowMs) this.entries.delete(k);
    // Map iteration is insertion order: the first key is the oldest window.
    while (this.entries.size >= this.maxKeys) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }
}
