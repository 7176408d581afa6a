import type { Config } from '../../config/schema.js';
import type { DeliveryPreferences } from '../../hub/index.js';
import { type RenditionSettings, commonRatePartMs, MIN_PART_HOLD_BACK_PARTS } from '../../protocols/hls/index.js';

/**
 * The packager's timing, resolved from the config and the stream (zeros in the config mean "by latency mode"):
 * its renditions' settings and how long it waits for a publisher to come back.
 */
export interface HlsSettings extends RenditionSettings {
  /** 0 = end at once when the publisher leaves. */
  readonly reconnectWindowMs: number;
  /** LL-HLS: read the publisher at once while LL-HLS viewers watch (LL_VIEWER_TOLERANCE_MS); default true. */
  readonly readAtOnceForViewers?: boolean;
}

/** Low mode: 1 s segments (hls.js/Safari start from ~3 parts behind the edge, Apple's 1 s example). */
const LOW_SEGMENT_MS = 1_000;
/** 200 ms parts: the low end of Apple's 0.2-0.33 s guidance, for the lowest latency. */
const LOW_PART_MS = 200;
const LOW_WINDOW = 12;
/** Standard mode: 4 s segments, 6 of them (Apple's classic 6 s advice, rounded to common 2 s GOPs). */
const STANDARD_SEGMENT_MS = 4_000;
const STANDARD_WINDOW = 6;
/** Fewer than 3 segments breaks the 3 x TARGETDURATION hold-back of players. */
const MIN_WINDOW = 3;
const MIN_PART_MS = 100;
const MAX_PART_MS = 1_000;
/**
 * Lowest mode: the shortest part target whose whole-frame parts keep 85-100 % of one PART-TARGET at 24, 25, 30, 50
 * and 60 fps (commonRatePartMs: 118 ms, cut exactly as 120 ms is: 3 frames at 24/25 fps, 4 at 30, 6 at 50, 7 at 60;
 * PART-TARGET 0.135 s), so a publisher that reconnects at another of these rates stays within the rules under the
 * same playlist. A part target fitted to the stream's own rate (100 ms at 30 fps) is not used: PART-TARGET cannot
 * change for a playlist's life, and at 25 fps after a reconnect, or a webcam dropping to 15 fps in low light, its
 * parts would be 80 or 67 ms under 0.101 s (below 85 %); at 0.135 s both stay within (120 and 133 ms).
 */
const LOWEST_PART_MS = commonRatePartMs(MIN_PART_MS);
/**
 * `lowest` starts a new LL-HLS viewer on a keyframe part (its first playlist held at most this long, see
 * --hls-keyframe-start-ms) whatever the flag says: a GOP of up to 2 s plus PART-HOLD-BACK fits in it. In hls.js it
 * took ~0.3 s off glass-to-glass (A/B in bench/README.md) for ~0.4 s more time to first frame.
 */
const LOWEST_KEYFRAME_START_MS = 2_500;

type HlsConfig = Pick<Config, 'latencyMode' | 'hlsSegmentMs' | 'hlsPartMs' | 'hlsFitPartTarget' | 'hlsPartHoldBackParts' | 'hlsKeyframeStartMs' | 'hlsViewerReadsAtOnce' | 'hlsWindowSegments' | 'reconnectWindowSec'>;

/**
 * The server's settings, with a stream's own latency mode and reconnect window (API streams) over them. `lowest`
 * takes LOWEST_PART_MS, PART-HOLD-BACK at 2 part targets (rfc8216bis's MUST minimum) and a keyframe start of at least
 * LOWEST_KEYFRAME_START_MS whatever --hls-part-ms, --hls-part-hold-back-parts and --hls-keyframe-start-ms say (those
 * tune `low`); segment length and window are `low`'s.
 */
export function hlsSettings(c: HlsConfig, stream: DeliveryPreferences = {}): HlsSettings {
  const mode = stream.latencyMode ?? c.latencyMode;
  const lowest = mode === 'lowest';
  const low = mode === 'low' || lowest;
  const segmentMs = c.hlsSegmentMs || (low ? LOW_SEGMENT_MS : STANDARD_SEGMENT_MS);
  // Raised where needed so whole-frame parts keep the 85-100 % of PART-TARGET rule at 24-60 fps (part-target.ts).
  const partMs = lowest ? commonRatePartMs(LOWEST_PART_MS, c.hlsFitPartTarget)
    : low ? commonRatePartMs(Math.min(MAX_PART_MS, Math.max(MIN_PART_MS, c.hlsPartMs || LOW_PART_MS)), c.hlsFitPartTarget) : undefined;
  const keyframeStartMs = !low ? 0 : lowest ? Math.max(LOWEST_KEYFRAME_START_MS, c.hlsKeyframeStartMs) : c.hlsKeyframeStartMs;
  return {
    segmentMs,
    partMs: partMs === undefined ? undefined : Math.min(partMs, segmentMs),
    fitPartTarget: c.hlsFitPartTarget,
    partHoldBackParts: lowest ? MIN_PART_HOLD_BACK_PARTS : c.hlsPartHoldBackParts,
    ...(keyframeStartMs > 0 ? { keyframeStartMaxMs: keyframeStartMs } : {}),
    readAtOnceForViewers: c.hlsViewerReadsAtOnce,
    windowSegments: Math.max(MIN_WINDOW, c.hlsWindowSegments || (low ? LOW_WINDOW : STANDARD_WINDOW)),
    reconnectWindowMs: (stream.reconnectWindowSec ?? c.reconnectWindowSec) * 1000,
  };
}

/**
 * How long input may wait on its way to this packager (SubscriberSink.latencyToleranceMs): half a part with
 * LL-HLS, a twentieth of a segment without parts (200 ms at 4 s). A part or segment becomes available when the
 * first sample after it arrives, so held input delays it by at most this, well inside the three parts or
 * segments of hold-back a player keeps.
 */
export function ingestToleranceMs(s: HlsSettings): number {
  return s.partMs !== undefined ? Math.floor(s.partMs / 2) : Math.floor(s.segmentMs / 20);
}

/**
 * While LL-HLS viewers watch (a media playlist asked within LL_VIEWER_WINDOW_MS), input is read at once (0):
 * a held read delays the part that the frame closes, and the part's listing is what a blocking reload waits
 * for, so each ms held is a ms of glass-to-glass (issue 17). The cost is the stream's ingest CPU (a wake-up per
 * arrival instead of one per hold, see ReadPacer), per stream and only while LL-HLS viewers watch, never per
 * viewer. Without them the packager keeps ingestToleranceMs (half a part).
 */
export const LL_VIEWER_TOLERANCE_MS = 0;
/** hls.js/Safari ask for a blocking playlist every part; 10 s without one = no LL-HLS viewer (a stall, a tab gone). */
export const LL_VIEWER_WINDOW_MS = 10_000;

