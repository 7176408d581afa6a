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

/**
 * The last HISTORY_SAMPLES samples in a fixed ring (oldest overwritten), one typed column per field (null kept as
 * NaN): a push a second per stream copies six numbers and allocates nothing, and five minutes of history hold no
 * objects for the collector to trace. Samples are made as objects only when someone reads them (the API).
 */
export class HealthHistory {
  private readonly t = new Float64Array(HISTORY_SAMPLES);
  private readonly videoKbps = new Float64Array(HISTORY_SAMPLES);
  private readonly audioKbps = new Float64Array(HISTORY_SAMPLES);
  private readonly fps = new Float64Array(HISTORY_SAMPLES);
  private readonly keyframeIntervalMs = new Float64Array(HISTORY_SAMPLES);
  private readonly viewers = new Float64Array(HISTORY_SAMPLES);
  private readonly state = new Uint8Array(HISTORY_SAMPLES);
  private count = 0;

  push(s: HealthSample): void {
    this.record(s.t, s.videoKbps, s.audioKbps, s.fps, s.keyframeIntervalMs, s.viewers, s.state);
  }

  /** One sample from its fields (the monitor's path: no sample object made). */
  record(t: number, videoKbps: number | null, audioKbps: number | null, fps: number | null, keyframeIntervalMs: number | null, viewers: number, state: HealthState): void {
    const i = this.count % HISTORY_SAMPLES;
    this.t[i] = t;
    this.videoKbps[i] = videoKbps ?? NaN;
    this.audioKbps[i] = audioKbps ?? NaN;
    this.fps[i] = fps ?? NaN;
    this.keyframeIntervalMs[i] = keyframeIntervalMs ?? NaN;
    this.viewers[i] = viewers;
    this.state[i] = STATE_INDEX[state];
    this.count++;
  }

  /** Oldest first. */
  samples(): HealthSample[] {
    const n = Math.min(this.count, HISTORY_SAMPLES);
    const out: HealthSample[] = [];
    for (let k = this.count - n; k < this.count; k++) {
      const i = k % HISTORY_SAMPLES;
      out.push({
        t: this.t[i]!, videoKbps: orNull(this.videoKbps[i]!), audioKbps: orNull(this.audioKbps[i]!), fps: orNull(this.fps[i]!),
        keyframeIntervalMs: orNull(this.keyframeIntervalMs[i]!), viewers: this.viewers[i]!, state: STATES[this.state[i]!]!,
      });
    }
    return out;
  }
}

const orNull = (v: number): number | null => (Number.isNaN(v) ? null : v);
