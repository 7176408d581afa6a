/** libsrt measures the input rate over one-second periods (CSndBuffer::updateInputRate). */
const WINDOW_US = 1_000_000;
/** A partial first window is trusted once it spans this much. */
const MIN_SPAN_US = 100_000;

/**
 * Bytes per second the application hands the sender (counted with packet headers, as they are paced): the larger of the last full second and the one
 * under way, so a rising rate (a keyframe, a bitrate step) is followed at once and a falling one after a second.
 */
export class InputRateMeter {
  private windowStart = -1;
  private windowBytes = 0;
  private lastRate = 0;

  add(bytes: number, now: number): void {
    if (this.windowStart < 0) this.windowStart = now;
    if (now - this.windowStart >= WINDOW_US) {
      this.lastRate = this.windowBytes / ((now - this.windowStart) / 1_000_000);
      this.windowStart = now;
      this.windowBytes = 0;
    }
    this.windowBytes += bytes;
  }

  bytesPerSecond(now: number): number {
    if (this.windowStart < 0) return 0;
    const span = Math.max(MIN_SPAN_US, now - this.windowStart);
    return Math.max(this.lastRate, this.windowBytes / (span / 1_000_000));
  }
}
