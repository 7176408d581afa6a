import type { HealthSample } from '../api/health-types.js';

/** Five minutes at one sample a second, as the server keeps (docs/API.md). */
export const MAX_SAMPLES = 300;

/**
 * The samples the charts draw: the history GET /health returned, then one per SSE event. Samples arrive
 * in time order; a repeat or an older one (an SSE reconnect replays the current second) is dropped.
 */
export function appendSamples(series: readonly HealthSample[], more: readonly HealthSample[], max = MAX_SAMPLES): HealthSample[] {
  const out = series.slice();
  for (const s of more) {
    const last = out[out.length - 1];
    if (last && s.t <= last.t) continue;
    out.push(s);
  }
  return out.length > max ? out.slice(out.length - max) : out;
}

/** uPlot's column data: x in Unix seconds, then one column per line; null leaves a gap. */
export type Columns = [number[], ...(number | null)[][]];

export interface ChartColumns {
  bitrate: Columns;
  fps: Columns;
  keyframeInterval: Columns;
}

export function chartColumns(series: readonly HealthSample[]): ChartColumns {
  const t = series.map((s) => s.t / 1000);
  return {
    bitrate: [t, series.map((s) => s.videoKbps), series.map((s) => s.audioKbps)],
    fps: [t, series.map((s) => s.fps)],
    keyframeInterval: [t, series.map((s) => (s.keyframeIntervalMs == null ? null : s.keyframeIntervalMs / 1000))],
  };
}
