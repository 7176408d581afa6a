import type { HealthReasonCode, HealthThresholds, ReasonSeverity } from './health-types.js';
import { BITRATE_DROP_MIN_SECONDS, LONG_WINDOW_S, SHORT_WINDOW_S } from './limits.js';

/** A reason found in one evaluation; HealthEvaluator adds since when it began. */
export interface Finding {
  readonly code: HealthReasonCode;
  readonly severity: ReasonSeverity;
  readonly message: string;
}

/**
 * The numbers the checks read, flat (no figure objects): filled in place once per evaluation by StreamHealth, so
 * deciding a stream's state allocates nothing; the reported figures are built only when something reads them.
 */
export class CheckInput {
  /** The main track is video (else audio carries the bitrate checks). */
  video = false;
  /** Wall-clock ms since the last frame arrived. */
  silenceMs = 0;
  /** Media ms since the last video keyframe (an open GOP that is already too long); null without video. */
  sinceKeyframeMs: number | null = null;
  /** Media ms between the last two video keyframes. */
  keyframeIntervalMs: number | null = null;
  /** The frame rate onMetaData announced. */
  metadataFps: number | null = null;
  /** Video frame rate over the last 10 s. */
  fps10: number | null = null;
  /** The main track's bitrate over the last 10 s and 60 s. */
  shortKbps: number | null = null;
  longKbps: number | null = null;
  avOffsetMs: number | null = null;
  driftMs: number | null = null;
  mediaRate: number | null = null;
  /** Whole media seconds in the main track's 10 s and 60 s windows. */
  shortSeconds = 0;
  longSeconds = 0;
}

/** What a healthy evaluation finds: one shared, frozen, empty list. */
const NO_FINDINGS: readonly Finding[] = Object.freeze([]);

const sec = (ms: number): string => (ms / 1000).toFixed(1);

/**
 * Turns figures into reasons a broadcaster can act on. A stalled stream reports only `stalled`: while nothing
 * arrives every rate and clock figure is stale, and the fix is the same (the encoder or its uplink stopped).
 */
export function findReasons(x: CheckInput, t: HealthThresholds): readonly Finding[] {
  if (x.silenceMs > t.stallMs) {
    return [{ code: 'stalled', severity: 'critical', message: `no media for ${sec(x.silenceMs)} s: the encoder or its upload stopped sending` }];
  }
  // Made at the first finding: a healthy stream (the usual case, every second) allocates nothing here.
  let out: Finding[] | undefined;
  const keyframe = keyframeFinding(x, t);
  if (keyframe) (out ??= []).push(keyframe);
  const drop = bitrateDrop(x, t);
  if (drop) (out ??= []).push(drop);
  const metaFps = x.metadataFps;
  const fps10 = x.fps10;
  if (metaFps !== null && fps10 !== null && x.shortSeconds >= SHORT_WINDOW_S / 2 && fps10 < metaFps * (1 - t.fpsTolerancePct / 100)) {
    (out ??= []).push({
      code: 'fps_below_metadata', severity: 'warning',
      message: `${fps10} fps over the last 10 s, the encoder announced ${metaFps}: it is dropping frames (encoder overloaded?)`,
    });
  }
  const av = x.avOffsetMs;
  if (av !== null && Math.abs(av) > t.avDesyncMs) {
    (out ??= []).push({
      code: 'av_desync', severity: 'warning',
      message: `${av > 0 ? 'video' : 'audio'} arrives ${Math.abs(av)} ms after the ${av > 0 ? 'audio' : 'video'} of the same moment: viewers' players will stall or drift out of sync`,
    });
  }
  const drift = x.driftMs;
  if (drift !== null && Math.abs(drift) > t.driftMs) {
    const rate = x.mediaRate;
    (out ??= []).push({
      code: 'timestamp_drift', severity: 'warning',
      message: `media time ${drift > 0 ? 'falls behind' : 'runs ahead of'} the clock by ${sec(Math.abs(drift))} s per minute`
        + `${rate !== null ? ` (${rate.toFixed(2)}x real time)` : ''}: ${drift > 0 ? 'the encoder cannot keep up (CPU, or a source slower than real time)' : 'the encoder sends faster than real time'}`,
    });
  }
  return out ?? NO_FINDINGS;
}

function keyframeFinding(x: CheckInput, t: HealthThresholds): Finding | undefined {
  const last = x.keyframeIntervalMs;
  const open = x.sinceKeyframeMs;
  if (open !== null && open > t.keyframeIntervalMaxMs) {
    return { code: 'keyframe_interval_high', severity: 'warning', message: `no keyframe for ${sec(open)} s; set the encoder's keyframe interval to 2 s (at most ${sec(t.keyframeIntervalMaxMs)} s)` };
  }
  if (last !== null && last > t.keyframeIntervalMaxMs) {
    return { code: 'keyframe_interval_high', severity: 'warning', message: `keyframes every ${sec(last)} s; set the encoder's keyframe interval to 2 s (at most ${sec(t.keyframeIntervalMaxMs)} s)` };
  }
  return undefined;
}

function bitrateDrop(x: CheckInput, t: HealthThresholds): Finding | undefined {
  const short = x.shortKbps;
  const long = x.longKbps;
  if (short === null || long === null || long === 0 || x.longSeconds < BITRATE_DROP_MIN_SECONDS || x.shortSeconds < SHORT_WINDOW_S) return undefined;
  if (short >= long * (t.bitrateDropPct / 100)) return undefined;
  return {
    code: 'bitrate_drop', severity: 'warning',
    message: `${x.video ? 'video' : 'audio'} bitrate ${short} kbps over the last 10 s, ${Math.round((100 * short) / long)} % of the ${LONG_WINDOW_S} s average (${long} kbps): the upload or the encoder cannot keep up`,
  };
}
