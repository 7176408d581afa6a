import type { Writable } from 'node:stream';

/**
 * Coalesces writes into fewer writev calls. A socket written in this event-loop turn is corked; `flushSoon`
 * uncorks every corked socket at the end of the turn (one shared setImmediate), `hold` leaves it corked until
 * the next flush or at most `maxHoldMs`. Fan-out uses it so a player's audio waits for the video frame that
 * follows it (every player gets that frame in the same turn): one syscall per video frame instead of one per
 * message, at most one frame interval of added audio delay and none for video.
 */
export class CorkScheduler {
  private readonly corked = new Set<Writable>();
  private immediate = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly maxHoldMs = 40) {}

  /** Writes to `w` may be held briefly; call before writing. */
  hold(w: Writable): void {
    this.add(w);
    this.timer ??= setTimeout(this.flush, this.maxHoldMs);
  }

  /** Writes to `w` go out at the end of this turn; call before writing. */
  flushSoon(w: Writable): void {
    this.add(w);
    if (!this.immediate) {
      this.immediate = true;
      setImmediate(this.flush);
    }
  }

  private add(w: Writable): void {
    if (this.corked.has(w)) return;
    w.cork();
    this.corked.add(w);
  }

  private readonly flush = (): void => {
    this.immediate = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const w of this.corked) {
      if (!w.destroyed) w.uncork();
    }
    this.corked.clear();
  };
}
