import { DISCONTINUITY_STEP_MS, TIMESTAMP_JUMP_MS } from './limits.js';

const WRAP = 2 ** 32;
const HALF_WRAP = 2 ** 31;

export interface TimestampStats {
  /** 32-bit wraps unfolded. */
  wraps: number;
  /** Steps beyond TIMESTAMP_JUMP_MS rebased into a continuous timeline. */
  jumps: number;
  /** Frames whose dts went back within a track and were clamped. */
  nonMonotonic: number;
}

/**
 * Maps one publisher's wire timestamps (32-bit ms, wrapping after ~49.7 days, possibly jumping or going back)
 * onto the stream's timeline: unbounded, monotonic per track, and continuous across publishers, so that
 * every output (RTMP players, HLS, recording) sees time that only moves forward.
 */
export class TimestampNormalizer {
  readonly stats: TimestampStats = { wraps: 0, jumps: 0, nonMonotonic: 0 };
  private epoch = 0;
  private lastRaw: number | undefined;
  private offset: number | undefined;
  private readonly lastByTrack = new Map<string, number>();
  private lastAny = -Infinity;

  /** @param timelineStart where this publisher's first frame lands on the stream timeline. */
  constructor(private readonly timelineStart: number) {}

  /** Unfolds 32-bit wraps: a step back by more than half the range is a wrap forward, and vice versa. */
  private unwrap(raw: number): number {
    if (this.lastRaw !== undefined) {
      const step = raw - this.lastRaw;
      if (step < -HALF_WRAP) {
        this.epoch++;
        this.stats.wraps++;
      } else if (step > HALF_WRAP && this.epoch > 0) {
        // A straggler from before the wrap: place it in the previous epoch without moving the epoch.
        return raw + (this.epoch - 1) * WRAP;
      }
    }
    this.lastRaw = raw;
    return raw + this.epoch * WRAP;
  }

  /** Returns the stream-timeline dts for a frame of `track` stamped `raw` on the wire. */
  normalize(track: string, raw: number): number {
    const unwrapped = this.unwrap(raw >>> 0);
    if (this.offset === undefined) this.offset = this.timelineStart - unwrapped;
    let dts = unwrapped + this.offset;
    const last = this.lastByTrack.get(track);
    const reference = last ?? this.lastAny;
    if (reference !== -Infinity && Math.abs(dts - reference) > TIMESTAMP_JUMP_MS) {
      // Discontinuity: rebase so this frame follows the newest frame of any track.
      this.stats.jumps++;
      this.offset = Math.max(this.lastAny, reference) + DISCONTINUITY_STEP_MS - unwrapped;
      dts = unwrapped + this.offset;
    }
    if (last !== undefined && dts < last) {
      this.stats.nonMonotonic++;
      dts = last;
    }
    this.lastByTrack.set(track, dts);
    if (dts > this.lastAny) this.lastAny = dts;
    return dts;
  }

  /** The newest dts handed out on any track (the next publisher continues after it). */
  get lastDts(): number {
    return this.lastAny === -Infinity ? this.timelineStart : this.lastAny;
  }
}
