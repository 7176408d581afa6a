import type { OnAirError, ErrorCode } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { monotonicMs } from '../../core/time.js';
import { ERROR_LOG_INTERVAL_MS } from './limits.js';

/**
 * Logs a connection's demux errors without flooding: the first one at once, then one line per interval
 * with how many of each code came since and the latest message. `flush` writes what is pending (at close).
 */
export class ThrottledErrorLog {
  private readonly counts = new Map<ErrorCode, number>();
  private last: OnAirError | undefined;
  private lastLogAt = -Infinity;

  constructor(private readonly log: Logger, private readonly what: string, private readonly now: () => number = monotonicMs) {}

  report(err: OnAirError, pid: number | undefined): void {
    this.counts.set(err.code, (this.counts.get(err.code) ?? 0) + 1);
    this.last = err;
    if (this.now() - this.lastLogAt >= ERROR_LOG_INTERVAL_MS) this.flush(pid);
  }

  flush(pid?: number): void {
    if (!this.last) return;
    this.lastLogAt = this.now();
    this.log.warn({ code: this.last.code, pid, errors: Object.fromEntries(this.counts) }, `${this.what}: ${this.last.message}`);
    this.counts.clear();
    this.last = undefined;
  }
}
