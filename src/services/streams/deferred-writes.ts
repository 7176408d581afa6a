import type { Logger } from '../../core/logger.js';
import { isDatabaseUnavailable } from '../../db/unavailable.js';
import { DEFERRED_RETRY_MAX_MS, DEFERRED_RETRY_MIN_MS, MAX_DEFERRED_WRITES } from './limits.js';

interface Write {
  readonly what: string;
  readonly fn: () => Promise<void>;
  /** Told when the write will never run: dropped (queue full, a failure other than the database's), or closed. */
  readonly lost?: () => void;
}

export interface DeferredWritesOptions {
  readonly max?: number;
  readonly retryMinMs?: number;
  readonly retryMaxMs?: number;
}

/**
 * Database writes that must survive a PostgreSQL outage (session rows, stream status, events for webhooks).
 * A write runs at once while the queue is empty; one that fails because the database is unavailable waits
 * here, and so does every later write (order matters: a session's end after its start), until a retry with
 * backoff gets through; then the queue is flushed in order. A write failing for any other reason is logged
 * and dropped, as before. Bounded: past `max` queued writes new ones are dropped and counted. Never throws.
 * Each write must be safe to run again (its effect is applied once even if a try failed half way).
 */
export class DeferredWrites {
  private readonly queue: Write[] = [];
  private readonly log: Logger;
  private readonly max: number;
  private readonly retryMinMs: number;
  private readonly retryMaxMs: number;
  private retryMs: number;
  private timer: NodeJS.Timeout | undefined;
  private flushing = false;
  /** Writes tried directly that have not settled yet (they may still end up queued). */
  private running = 0;
  private dropped = 0;
  private closed = false;

  constructor(logger: Logger, options: DeferredWritesOptions = {}) {
    this.log = logger.child({ module: 'deferred-writes' });
    this.max = options.max ?? MAX_DEFERRED_WRITES;
    this.retryMinMs = options.retryMinMs ?? DEFERRED_RETRY_MIN_MS;
    this.retryMaxMs = options.retryMaxMs ?? DEFERRED_RETRY_MAX_MS;
    this.retryMs = this.retryMinMs;
  }

  /** Writes waiting for the database. */
  get pending(): number {
    return this.queue.length;
  }

  /**
   * Runs `fn` now, or queues it behind earlier writes; resolves when it ran or was queued (or dropped). `lost` is
   * called if it never will run (dropped, or still queued at close), for a caller that waits on its outcome.
   */
  async run(what: string, fn: () => Promise<void>, lost?: () => void): Promise<void> {
    if (this.closed) return lost?.();
    if (this.queue.length > 0 || this.flushing) {
      this.enqueue({ what, fn, lost });
      return;
    }
    this.running++;
    try {
      await fn();
    } catch (err) {
      if (this.closed) return lost?.();
      if (!isDatabaseUnavailable(err)) {
        this.log.error({ err, what }, 'database write failed');
        return lost?.();
      }
      this.log.warn({ what, cap: this.max }, 'database unavailable: writes are queued in memory until it is back');
      this.enqueue({ what, fn, lost });
    } finally {
      this.running--;
    }
  }

  /**
   * Resolves true once nothing has been queued or being written for `quietMs` (every write so far reached the
   * database, or failed for another reason; the quiet period lets the writes of what just happened start), false
   * after `ms` (the database still unavailable), or at close. Polls: a leaving node's last call, not a hot path.
   */
  async settled(ms: number, quietMs = 0): Promise<boolean> {
    const until = performance.now() + ms;
    let quietSince: number | undefined;
    for (;;) {
      const now = performance.now();
      if (this.queue.length === 0 && this.running === 0 && !this.flushing) {
        quietSince ??= now;
        if (now - quietSince >= quietMs) return true;
      } else quietSince = undefined;
      if (this.closed || now >= until) return false;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Idempotent; what is still queued is lost (logged), as a crash would lose it. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    if (this.queue.length > 0) this.log.warn({ lost: this.queue.length }, 'closing with database writes still queued');
    const left = this.queue.splice(0);
    for (const w of left) w.lost?.();
  }

  private enqueue(w: Write): void {
    if (this.queue.length >= this.max) {
      if (this.dropped++ === 0) this.log.error({ cap: this.max, what: w.what }, 'database write queue full: dropping new writes until it drains');
      w.lost?.();
      return;
    }
    this.queue.push(w);
    this.schedule();
  }

  private schedule(): void {
    if (this.timer || this.flushing || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.retryMs);
    this.timer.unref();
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    let done = 0;
    try {
      while (this.queue.length > 0 && !this.closed) {
        const head = this.queue[0]!;
        try {
          await head.fn();
        } catch (err) {
          if (isDatabaseUnavailable(err)) {
            this.retryMs = Math.min(this.retryMs * 2, this.retryMaxMs);
            return;
          }
          this.log.error({ err, what: head.what }, 'queued database write failed; dropped');
          head.lost?.();
        }
        this.queue.shift();
        done++;
      }
      this.retryMs = this.retryMinMs;
      if (done > 0 || this.dropped > 0) this.log.info({ written: done, dropped: this.dropped }, 'database back: queued writes flushed');
      this.dropped = 0;
    } finally {
      this.flushing = false;
      if (this.queue.length > 0) this.schedule();
    }
  }
}
