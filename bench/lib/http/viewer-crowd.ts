import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { FlvViewer } from './flv-viewer.js';
import { LatencyProbe } from './latency-probe.js';
import { KEEP_UP_SHARE } from './limits.js';
import { LlHlsViewer } from './llhls-viewer.js';
import { MediaObjects } from './media-objects.js';
import { PlaylistScanner } from './playlist-scan.js';
import { SampleSet } from './sample-set.js';
import { SegmentViewer } from './segment-viewer.js';
import { UnknownIdLoad } from './unknown-id-load.js';
import type { Viewer, ViewerEnv } from './viewer.js';
import type { CountersSnapshot, ViewerCounters } from './viewer-counters.js';
import type { SideLoadReport, StartCommand, WindowReport } from './viewers-protocol.js';

/** Each viewer's random phase on top of its place in the ramp: up to one playlist period, so polls spread out. */
const PHASE_JITTER_MS = 1000;
const NS_PER_MS = 1e6;
/** Event-loop delay sampling period; the histogram's values include it, so it is subtracted. */
const LOOP_DELAY_RESOLUTION_MS = 10;
const loopDelayMs = (ns: number): number => Math.max(0, ns / NS_PER_MS - LOOP_DELAY_RESOLUTION_MS);

export type CrowdOptions = Omit<StartCommand, 'type'>;

/**
 * N simulated viewers of one mode in this process, plus the optional unknown-id side load and /healthz probe; a
 * window reads what each received between windowStart() and windowEnd().
 */
export class ViewerCrowd {
  readonly viewers: Viewer[];
  private readonly env: ViewerEnv;
  private readonly side: { load: UnknownIdLoad; probe: LatencyProbe } | undefined;
  private readonly loopDelay = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });
  private before: CountersSnapshot[] = [];
  private sideBefore: CountersSnapshot | undefined;
  private windowT0 = 0;

  constructor(private readonly options: CrowdOptions) {
    const target = { host: options.host, port: options.port };
    const objects = new MediaObjects();
    this.env = { target, path: options.path, objects, scanner: new PlaylistScanner(objects, options.path), partLag: new SampleSet() };
    this.viewers = Array.from({ length: options.viewers }, (_, i) => this.viewer((i / Math.max(1, options.viewers)) * options.rampMs + Math.random() * PHASE_JITTER_MS));
    const u = options.unknownIds;
    this.side = u && u.rate > 0
      ? { load: new UnknownIdLoad(target, u.rate, (id) => u.unknownIdPath.replace('{id}', id)), probe: new LatencyProbe(target, u.healthzPath) }
      : undefined;
  }

  start(): void {
    this.loopDelay.enable();
    for (const v of this.viewers) v.start();
    this.side?.load.start();
    this.side?.probe.start();
  }

  windowStart(): void {
    this.windowT0 = performance.now();
    this.before = this.viewers.map((v) => v.counters.snapshot());
    this.sideBefore = this.side?.load.counters.snapshot();
    this.env.partLag.clear();
    this.side?.load.latency.clear();
    this.side?.probe.clear();
    this.loopDelay.reset();
  }

  windowEnd(): WindowReport {
    const seconds = (performance.now() - this.windowT0) / 1000;
    const deltas = this.viewers.map((v, i) => v.counters.since(this.before[i]!));
    const rate = this.options.mode === 'flv' ? this.options.referenceBytesPerSec : this.env.objects.bytesPerSecond ?? this.options.referenceBytesPerSec;
    const keptUp = deltas.map((d) => d.mediaBytes >= KEEP_UP_SHARE * rate * seconds);
    const sum = (f: (d: CountersSnapshot) => number): number => deltas.reduce((a, d) => a + f(d), 0);
    return {
      seconds, mode: this.options.mode, viewers: this.viewers.length, streamBytesPerSec: rate,
      perViewer: { media: deltas.map((d) => d.mediaBytes), playlist: deltas.map((d) => d.playlistBytes), requests: deltas.map((d) => d.requests), keptUp },
      totals: {
        mediaBytes: sum((d) => d.mediaBytes), playlistBytes: sum((d) => d.playlistBytes), otherBytes: sum((d) => d.otherBytes),
        requests: sum((d) => d.requests), connects: sum((d) => d.connects), protocolErrors: sum((d) => d.protocolErrors),
      },
      errors: mergeErrors(deltas),
      latePolls: this.viewers.reduce((a, v) => a + (v instanceof SegmentViewer ? v.latePolls : 0), 0),
      partLagMs: this.env.partLag.percentiles(),
      clientLoopDelayMs: {
        p50: loopDelayMs(this.loopDelay.percentile(50)), p99: loopDelayMs(this.loopDelay.percentile(99)), max: loopDelayMs(this.loopDelay.max),
      },
      ...(this.side ? { side: this.sideReport(this.side.load.counters) } : {}),
    };
  }

  stop(): void {
    this.loopDelay.disable();
    for (const v of this.viewers) v.stop();
    this.side?.load.stop();
    this.side?.probe.stop();
  }

  private viewer(phaseMs: number): Viewer {
    switch (this.options.mode) {
      case 'segments': return new SegmentViewer(this.env, phaseMs);
      case 'llhls': return new LlHlsViewer(this.env, phaseMs, { skip: this.options.skip, preloadHints: this.options.preloadHints });
      case 'flv': return new FlvViewer(this.env, phaseMs);
    }
  }

  private sideReport(counters: ViewerCounters): SideLoadReport {
    const { load, probe } = this.side!;
    const delta = counters.since(this.sideBefore!);
    return {
      rate: this.options.unknownIds!.rate, sent: delta.requests, dropped: load.dropped, connections: load.connections, pending: load.pending,
      answers: Object.fromEntries(delta.errors), latencyMs: load.latency.percentiles(),
      healthzMs: probe.percentiles(), healthzFailures: Object.fromEntries(probe.counters.errors),
    };
  }
}

function mergeErrors(deltas: readonly CountersSnapshot[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const d of deltas) for (const [k, v] of d.errors) out[k] = (out[k] ?? 0) + v;
  return out;
}
