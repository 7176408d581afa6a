/** Something with queued output that the scheduler tells when to send it. */
export interface Flushable {
  /** Owned by the scheduler: true while this is queued for the next round. */
  flushQueued: boolean;
  flush(): void;
}

/**
 * Batches output into fewer writes. Everything queued in this event-loop turn is flushed at its end (one shared
 * setImmediate); `hold` defers a flushable to the next round or at most `maxHoldMs`. Fan-out uses it so a
 * player's audio waits for the video frame that follows it (every player gets that frame in the same turn): one
 * write per video frame instead of one per message, at most one frame interval of added audio delay and none
 * for video.
 */
export class FlushScheduler {
  // Two arrays swapped per round: flushing may queue for the next round without allocating.
  private queue: Flushable[] = [];
  private spare: Flushable[] = [];
  private immediate = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly maxHoldMs = 40,
    /** Runs after every round (shared per-round caches are dropped here). */
    private readonly onRoundEnd?: () => void,
  ) {}

  /** `f` may wait for the next round, at most maxHoldMs. */
  hold(f: Flushable): void {
    this.add(f);
    this.timer ??= setTimeout(this.run, this.maxHoldMs);
  }

  /** `f` is flushed at the end of this turn. */
  flushSoon(f: Flushable): void {
    this.add(f);
    if (!this.immediate) {
      this.immediate = true;
      setImmediate(this.run);
    }
  }

  private add(f: Flushable): void {
    if (f.flushQueued) return;
    f.flushQueued = true;
    this.queue.push(f);
  }

  private readonly run = (): void => {
    this.immediate = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    const round = this.queue;
    this.queue = this.spare;
    for (let i = 0; i < round.length; i++) {
      const f = round[i]!;
      f.flushQueued = false;
      f.flush();
    }
    round.length = 0;
    this.spare = round;
    this.onRoundEnd?.();
  };
}
