/**
 * The arrival time of media, read once per event-loop callback instead of once per message. Every message a
 * callback hands to the hub (all those one socket read delivered, or a merged read's burst) arrived at the same
 * moment, so they share one clock read; the cached value is dropped by a microtask, which runs as soon as the
 * callback returns and before the next one starts. A clock read costs more than everything else health does per
 * message, and a busy stream delivers dozens of messages per read.
 */
export class ArrivalClock {
  private cached = NaN;
  private readonly expire = (): void => {
    this.cached = NaN;
  };

  /** Monotonic ms (performance.now(): a plain double; process.hrtime.bigint() would allocate). */
  now(): number {
    const cached = this.cached;
    if (cached === cached) return cached; // not NaN: read earlier in this callback
    const t = performance.now();
    this.cached = t;
    queueMicrotask(this.expire);
    return t;
  }
}
