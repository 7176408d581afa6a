import { TIMESTAMP_WRAP } from './limits.js';

/**
 * Unfolds 33-bit PTS/DTS (wrapping every 26.5 hours) into one unbounded 90 kHz timeline for a program:
 * each value is placed in the wrap period that brings it closest to the previous one, so a stream crossing
 * 2^33 keeps rising and a straggler from just before the wrap (audio interleaved behind video) lands just
 * below. One instance per program: audio and video share the reference, as they share the clock
 * (hls.js normalizePts does the same against one reference). PCR plays no part.
 */
export class TimestampUnwrapper {
  private last: number | undefined;
  private newestPeriod = 0;
  /** Wraps crossed forward, for stats. */
  wraps = 0;

  unwrap(raw33: number): number {
    if (this.last === undefined) {
      this.last = raw33;
      return raw33;
    }
    const k = Math.round((this.last - raw33) / TIMESTAMP_WRAP);
    const value = raw33 + k * TIMESTAMP_WRAP;
    const period = Math.floor(value / TIMESTAMP_WRAP);
    if (period > this.newestPeriod) {
      this.wraps += period - this.newestPeriod;
      this.newestPeriod = period;
    }
    this.last = value;
    return value;
  }

  /** A new program or time base: forget the reference. */
  reset(): void {
    this.last = undefined;
    this.newestPeriod = 0;
  }
}
