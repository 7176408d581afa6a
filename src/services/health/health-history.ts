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

/** The last HISTORY_SAMPLES samples in a fixed ring (oldest overwritten). */
export class HealthHistory {
  private readonly ring: (HealthSample | undefined)[] = new Array(HISTORY_SAMPLES);
  private count = 0;

  push(s: HealthSample): void {
    this.ring[this.count % HISTORY_SAMPLES] = s;
    this.count++;
  }

  /** Oldest first. */
  samples(): HealthSample[] {
    const n = Math.min(this.count, HISTORY_SAMPLES);
    const out: HealthSample[] = [];
    for (let i = this.count - n; i < this.count; i++) out.push(this.ring[i % HISTORY_SAMPLES]!);
    return out;
  }
}
