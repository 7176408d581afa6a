import { SLOW_SPEED_THRESHOLD, SPEED_WARMUP_MS, SPEED_WINDOW_MS } from './limits.js';

/**
 * Encode speed over a sliding window: media time produced / wall time spent. ffmpeg's own `speed=` is an
 * average since start, which hides a slowdown that begins an hour in; this is the recent rate. A live
 * source fed at wall-clock pace measures ~1.0 while the encoder keeps up and drops below when it cannot.
 */
export class SpeedMeter {
  private readonly samples: { wall: number; media: number }[] = [];
  private startedAt: number | undefined;

  /** `mediaUs`: output time reached; `wallMs`: a monotonic clock. */
  add(mediaUs: number, wallMs: number): void {
    if (mediaUs < 0) return;
    this.startedAt ??= wallMs;
    this.samples.push({ wall: wallMs, media: mediaUs / 1000 });
    while (this.samples.length > 2 && wallMs - this.samples[1]!.wall >= SPEED_WINDOW_MS) this.samples.shift();
  }

  /** Speed over the window; null until a full window past warm-up has been seen. */
  get speed(): number | null {
    const first = this.samples[0];
    const last = this.samples.at(-1);
    if (!first || !last || this.startedAt === undefined) return null;
    if (first.wall - this.startedAt < SPEED_WARMUP_MS || last.wall - first.wall < SPEED_WINDOW_MS * 0.9) return null;
    return (last.media - first.media) / (last.wall - first.wall);
  }

  /** True once a full window has been measured under SLOW_SPEED_THRESHOLD. */
  get tooSlow(): boolean {
    const s = this.speed;
    return s !== null && s < SLOW_SPEED_THRESHOLD;
  }
}
