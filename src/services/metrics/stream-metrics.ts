import { Counter, Gauge, type Registry } from 'prom-client';
import type { HealthState } from '../../hub/health/index.js';
import type { HealthMonitor, HealthReport } from '../health/index.js';
import type { TranscodeStatus } from '../transcode/types.js';

/** onair_stream_health_state values (Grafana value mappings use the same). */
export const HEALTH_STATE_VALUE: Readonly<Record<Exclude<HealthState, 'offline'>, number>> = { healthy: 0, warning: 1, critical: 2 };

export interface StreamMetricsSources {
  readonly monitor: HealthMonitor;
  readonly transcodeStatus?: (streamPath: string) => TranscodeStatus | undefined;
  /** `--workers`: true for a stream held here as a pull from the worker that owns it, which reports it (left out here). */
  readonly ownersStream?: (streamPath: string) => boolean;
}

/** Label of a stream's series: its API id, or its path for a stream without one. Never a key. */
const streamLabel = (r: HealthReport): string => r.streamId ?? r.path;

/**
 * Per-stream series, rebuilt from the health monitor's latest reports at every scrape: a stream whose publisher
 * left has no series (the gauges are reset first), so cardinality follows the live streams.
 */
export function registerStreamMetrics(registry: Registry, src: StreamMetricsSources): void {
  const ownersStream = src.ownersStream;
  const held = (): Iterable<HealthReport> => (ownersStream ? [...src.monitor.reports()].filter((r) => !ownersStream(r.path)) : src.monitor.reports());
  const live = (): HealthReport[] => [...held()].filter((r) => r.state !== 'offline');
  const registers = [registry];

  new Gauge({
    name: 'onair_streams', help: 'Streams the server holds, by health state (offline: inside the reconnect window, no publisher)',
    labelNames: ['state'], registers,
    collect() {
      this.reset();
      const counts: Record<HealthState, number> = { healthy: 0, warning: 0, critical: 0, offline: 0 };
      for (const r of held()) counts[r.state]++;
      for (const [state, n] of Object.entries(counts)) this.set({ state }, n);
    },
  });

  perStream('onair_stream_health_state', 'Ingest health: 0 healthy, 1 warning, 2 critical', [], (r, set) => set({}, HEALTH_STATE_VALUE[r.state as keyof typeof HEALTH_STATE_VALUE]));
  perStream('onair_stream_ingest_bits_per_second', 'Ingest bitrate over the last 10 s of media', ['track'], (r, set) => {
    const v = r.video?.windows['10s'].bitrateKbps;
    const a = r.audio?.windows['10s'].bitrateKbps;
    if (v !== null && v !== undefined) set({ track: 'video' }, v * 1000);
    if (a !== null && a !== undefined) set({ track: 'audio' }, a * 1000);
  });
  perStream('onair_stream_ingest_fps', 'Ingest frame rate over the last 10 s of media', [], (r, set) => {
    const fps = r.video?.windows['10s'].fps;
    if (fps !== null && fps !== undefined) set({}, fps);
  });
  perStream('onair_stream_keyframe_interval_seconds', 'Media time between the last two keyframes', [], (r, set) => {
    const ms = r.video?.keyframeIntervalMs;
    if (ms !== null && ms !== undefined) set({}, ms / 1000);
  });
  perStream('onair_stream_ingest_drift_seconds', 'Wall-clock minus media time over the last 60 s (positive: encoder behind)', [], (r, set) => {
    const ms = r.ingest?.driftMs;
    if (ms !== null && ms !== undefined) set({}, ms / 1000);
  });
  perStream('onair_stream_viewers', 'Viewers of a stream (hls: sessions estimated from playlist requests)', ['protocol'], (r, set) => {
    set({ protocol: 'rtmp' }, r.viewers.rtmp);
    set({ protocol: 'hls' }, r.viewers.hls);
    set({ protocol: 'flv' }, r.viewers.flv);
  });

  const transcoded = (each: (label: string, t: TranscodeStatus) => void) => {
    for (const r of live()) {
      const t = src.transcodeStatus?.(r.path);
      if (t && t.ladder !== 'passthrough') each(streamLabel(r), t);
    }
  };
  new Gauge({
    name: 'onair_transcode_speed', help: 'ABR transcoder (ffmpeg) encode speed, 1 = real time', labelNames: ['stream'], registers,
    collect() {
      this.reset();
      transcoded((stream, t) => t.speed !== null && this.set({ stream }, t.speed));
    },
  });
  new Counter({
    name: 'onair_transcode_restarts_total', help: 'ABR transcoder (ffmpeg) restarts during the current publish', labelNames: ['stream'], registers,
    collect() {
      this.reset();
      transcoded((stream, t) => this.inc({ stream }, t.restarts));
    },
  });

  function perStream(name: string, help: string, labels: string[], fill: (r: HealthReport, set: (l: Record<string, string>, v: number) => void) => void): void {
    new Gauge({
      name, help, labelNames: ['stream', ...labels], registers,
      collect() {
        this.reset();
        for (const r of live()) {
          const stream = streamLabel(r);
          fill(r, (l, v) => this.set({ ...l, stream }, v));
        }
      },
    });
  }
}
