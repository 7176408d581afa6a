import { PART_TARGET_HEADROOM } from './limits.js';

/**
 * Frame rates a publisher commonly sends (23.976/29.97/59.94 give the same whole-frame parts within 1 ms). The
 * fitted PART-TARGET never goes below what any of them needs, so a publisher that reconnects at another of these
 * rates (inside the reconnect window: same playlist, and PART-TARGET must not change, rfc8216bis §4.4.3.7) still
 * gets parts within 85-100 % of it.
 */
const COMMON_FPS = [24, 25, 30, 50, 60] as const;

/** RTMP stamps are whole ms: a part's measured length is off its true length by up to 1 ms. */
const STAMP_ROUNDING_MS = 1;

/** The widest PART-TARGET: the part target plus PART_TARGET_HEADROOM (half a frame at >= 17 fps for 200 ms parts). */
export function partTargetCeilingMs(partMs: number): number {
  return Math.round(partMs * (1 + PART_TARGET_HEADROOM));
}

/**
 * The least PART-TARGET that fits every common frame rate: the longest whole-frame part (nearest the target, as
 * the segmenter cuts) among COMMON_FPS that fits under the ceiling, plus stamp rounding. 200 ms parts: 5 frames at
 * 24 fps = 208.3 ms, so 210 ms (25/30/50/60 fps give exactly 200 ms).
 */
export function commonCadenceFloorMs(partMs: number): number {
  const ceiling = partTargetCeilingMs(partMs);
  let longest = partMs;
  for (const fps of COMMON_FPS) {
    const frameMs = 1000 / fps;
    const part = Math.max(1, Math.round(partMs / frameMs)) * frameMs;
    if (part <= ceiling) longest = Math.max(longest, part);
  }
  return Math.min(ceiling, Math.ceil(longest + STAMP_ROUNDING_MS));
}

/** rfc8216bis §4.4.4.9: every non-final part SHOULD be at least this share of PART-TARGET. */
const MIN_PART_SHARE = 0.85;

/**
 * True when, at every common frame rate, the whole-frame parts the segmenter cuts for `partMs` (the most frames
 * within half a frame past the target, never past PART-TARGET: segmenter partFull) are 85-100 % of the PART-TARGET
 * announced for it (fitted, or the ceiling with `fit` off), a ms of stamp rounding included. False e.g. for 100 ms:
 * 25 fps cuts 2 frames = 80 ms under 0.101 s (79 %), since 3 frames (120 ms) would pass the 115 ms ceiling.
 */
export function fitsCommonRates(partMs: number, fit = true): boolean {
  const target = fit ? commonCadenceFloorMs(partMs) : partTargetCeilingMs(partMs);
  return COMMON_FPS.every((fps) => {
    const frameMs = 1000 / fps;
    const limit = Math.min(partMs + frameMs / 2, target);
    // ms stamps move a frame's end by up to a ms: a part ending within that of the limit may be cut either way
    // (never past PART-TARGET, which the segmenter never passes).
    return [limit - STAMP_ROUNDING_MS, Math.min(target, limit + STAMP_ROUNDING_MS)].every((l) => {
      const part = Math.max(1, Math.floor(l / frameMs)) * frameMs;
      return part <= target && part - STAMP_ROUNDING_MS >= MIN_PART_SHARE * target;
    });
  });
}

/**
 * The part target actually used for a configured one: the least value at or above it that fitsCommonRates (100-117 ms
 * -> 118, 130-151 -> 152, 180-188 -> 189, 217-220 -> 221, 230 -> 231, 271 -> 272; all others in 100-1000, 120 and 200
 * among them, are kept), so any setting keeps the 85 % rule at 24-60 fps, also after a publisher reconnects at another
 * of them. A value with no fit within twice itself would be kept as given (none in 100-1000 ms).
 */
export function commonRatePartMs(partMs: number, fit = true): number {
  for (let p = partMs; p <= 2 * partMs; p++) if (fitsCommonRates(p, fit)) return p;
  return partMs;
}

/** PART-TARGET for a stream whose parts so far were at most `longestSeenMs`: fitted to its cadence, within bounds. */
export function fittedPartTargetMs(partMs: number, longestSeenMs: number): number {
  return Math.min(partTargetCeilingMs(partMs), Math.max(commonCadenceFloorMs(partMs), Math.ceil(longestSeenMs + STAMP_ROUNDING_MS)));
}

/**
 * One rendition's PART-TARGET (ms). Announced before the rendition is offered, it must hold for the playlist's life,
 * so it is fixed once (at the first playlist, which READY_SEGMENTS delays until ~3 segments of parts were cut, so
 * the cadence is known) and from then on is also the ceiling the segmenter cuts under. Until then parts are cut
 * under the widest value, and the fitted one is at least the longest of them. Hold-back is 3 x this
 * (PART_HOLD_BACK_PARTS), so every ms saved here is 3 ms of latency in a player that starts at PART-HOLD-BACK.
 * `fit: false` = the widest value always (the part target + 15 %).
 */
export class PartTarget {
  private longestSeenMs = 0;
  private fixedMs: number | undefined;

  constructor(
    readonly partMs: number,
    private readonly fit: boolean,
  ) {}

  /** The ceiling parts are cut under: the fixed PART-TARGET, or the widest one before it is fixed. */
  get ceilingMs(): number {
    return this.fixedMs ?? partTargetCeilingMs(this.partMs);
  }

  get isFixed(): boolean {
    return this.fixedMs !== undefined;
  }

  /** A part was cut (only counts before the value is fixed). */
  observe(durationMs: number): void {
    if (durationMs > this.longestSeenMs) this.longestSeenMs = durationMs;
  }

  /** Fixes the value (idempotent) and returns it. */
  fix(): number {
    this.fixedMs ??= this.fit ? fittedPartTargetMs(this.partMs, this.longestSeenMs) : partTargetCeilingMs(this.partMs);
    return this.fixedMs;
  }
}
