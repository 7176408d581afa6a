import type { HealthState } from '../../hub/health/index.js';
import { HISTORY_SAMPLES } from './limits.js';

/** One second of a stream's health, as charted. */
export interface HealthSample {
  /** Epoch ms. */
  readonly t: number;
  readonly videoKbps: number | null;
  readonly audioKbps: number | null;
  readonly fps: number | null;
  readonly keyframeIntervalMs: number | null;
  readonly viewers: number;
  readonly state: HealthState;
}

const STATES: readonly HealthState[] = ['healthy', 'warning', 'critical', 'offline'];
const STATE_INDEX: Readonly<Record<HealthState, number>> = { healthy: 0, warning: 1, critical: 2, offline: 3 };

/** A sample's numbers, side by side in one row of the ring (null kept as NaN; the state as its index). */
const T = 0;
const VIDEO_KBPS = 1;
const AUDIO_KBPS = 2;
const FPS = 3;
const KEYFRAME_INTERVAL_MS = 4;
const VIEWERS = 5;
const STATE = 6;
const ROW = 7;

/**
 * The last HISTORY_SAMPLES samples in a fixed ring (oldest overwritten), each a row of ROW numbers in one
 * Float64Array: a push a second per stream writes one 56-byte run (one or two cache lines, cold after a second of
 * other work; seven arrays, one per field, took seven) and allocates nothing, and five minutes of history hold no
 * objects for the collector to trace. Samples are made as objects only when someone reads them (the API).
 */
export class HealthHistory {
  private readonly rows = new Float64Array(HISTORY_SAMPLES * ROW);
  private count = 0;

  push(s: HealthSample): void {
    this.record(s.t, s.videoKbps, s.audioKbps, s.fps, s.keyframeIntervalMs, s.viewers, s.state);
  }

  /** One sample from its fields (the monitor's path: no sample object made). */
  record(t: number, videoKbps: number | null, audioKbps: number | null, fps: number | null, keyframeIntervalMs: number | null, viewers: number, state: HealthState): void {
    const r = this.rows;
    const i = (this.count % HISTORY_SAMPLES) * ROW;
    r[i + T] = t;
    r[i + VIDEO_KBPS] = videoKbps ?? NaN;
    r[i + AUDIO_KBPS] = audioKbps ?? NaN;
    r[i + FPS] = fps ?? NaN;
    r[i + KEYFRAME_INTERVAL_MS] = keyframeIntervalMs ?? NaN;
    r[i + VIEWERS] = viewers;
    r[i + STATE] = STATE_INDEX[state];
    this.count++;
  }

  /** Oldest first. */
  samples(): HealthSample[] {
    const n = Math.min(this.count, HISTORY_SAMPLES);
    const r = this.rows;
    const out: HealthSample[] = [];
    for (let k = this.count - n; k < this.count; k++) {
      const i = (k % HISTORY_SAMPLES) * ROW;
      out.push({
        t: r[i + T]!, videoKbps: orNull(r[i + VIDEO_KBPS]!), audioKbps: orNull(r[i + AUDIO_KBPS]!), fps: orNull(r[i + FPS]!),
        keyframeIntervalMs: orNull(r[i + KEYFRAME_INTERVAL_MS]!), viewers: r[i + VIEWERS]!, state: STATES[r[i + STATE]!]!,
      });
    }
    return out;
  }
}

const orNull = (v: number): number | null => (Number.isNaN(v) ? null : v);
