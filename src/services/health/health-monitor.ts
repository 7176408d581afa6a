import { performance } from 'node:perf_hooks';
import type { Logger } from '../../core/logger.js';
import { TypedEmitter } from '../../core/typed-emitter.js';
import type { HubStream, StreamHub } from '../../hub/index.js';
import type { HealthReason } from '../../hub/health/index.js';
import { TRANSCODE_PROTOCOL } from '../transcode/index.js';
import { HealthHistory, type HealthSample } from './health-history.js';
import { buildReport, type HealthReport } from './health-report.js';
import type { HlsAudience } from './hls-audience.js';
import type { PlayerCounts, SiblingPlayers } from './sibling-players.js';
import { EVALUATION_INTERVAL_MS } from './limits.js';
import { VIEWER_FAMILY } from './viewer-protocols.js';
import { StableState, type StableChange } from './stable-state.js';

export interface StableHealthChange extends StableChange {
  readonly path: string;
  readonly streamId: string;
  readonly reasons: readonly HealthReason[];
}

export type HealthMonitorEvents = {
  /** One evaluation round finished (every stream's report is fresh). */
  evaluated: [];
  /** A live API stream's stable state moved among healthy/warning/critical. */
  stableChange: [StableHealthChange];
  /** The server no longer holds this stream (its reports and history are gone). */
  gone: [string];
};

interface Tracked {
  stream: HubStream;
  readonly history: HealthHistory;
  /** The evaluation round that last saw this stream. */
  round: number;
  readonly stable: StableState;
  streamId: string | null;
  /** The last round's wall clock (epoch ms) and estimated HLS viewers, for its report. */
  wallNow: number;
  hlsViewers: number;
  /** Workers: the last round's RTMP/FLV viewers of the stream at the sibling workers (SiblingPlayers). */
  readonly siblings: PlayerCounts;
  /** The last round's report, built at its first read (API, SSE, /metrics) and kept until the next round. */
  report: HealthReport | undefined;
}

export interface HealthMonitorDeps {
  readonly hub: StreamHub;
  readonly audience: HlsAudience;
  /** Workers: the sibling workers' RTMP/FLV viewers of the streams this one owns; absent outside workers. */
  readonly siblingPlayers?: SiblingPlayers;
  /** --health-hysteresis-sec in ms. */
  readonly hysteresisMs: number;
  readonly log: Logger;
  /** Epoch ms; injectable for tests. */
  readonly wallClock?: () => number;
}

/**
 * Evaluates the health of every stream the hub holds once a second, adds viewers (hub subscribers by protocol,
 * HLS sessions; workers: the sibling workers' viewers of the streams owned here) and bytes out, keeps 5 minutes of
 * history per stream and applies hysteresis for announcements. Transcoder renditions are the server's own publishers
 * and are left out.
 */
export class HealthMonitor {
  readonly events: TypedEmitter<HealthMonitorEvents>;
  private readonly tracked = new Map<string, Tracked>();
  /**
   * Paths published by the transcoder, with the round that last saw them held: still skipped while they wait
   * without a publisher (reconnect window).
   */
  private readonly internal = new Map<string, number>();
  private round = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly wallClock: () => number;

  constructor(private readonly deps: HealthMonitorDeps) {
    this.events = new TypedEmitter((err, event) => deps.log.error({ err, event }, 'health listener threw'));
    this.wallClock = deps.wallClock ?? Date.now;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.evaluateAll(), EVALUATION_INTERVAL_MS);
    this.timer.unref();
  }

  /** Idempotent. */
  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.events.removeAllListeners();
  }

  report(path: string): HealthReport | undefined {
    const t = this.tracked.get(path);
    return t && this.reportOf(t);
  }

  history(path: string): HealthSample[] {
    return this.tracked.get(path)?.history.samples() ?? [];
  }

  *reports(): IterableIterator<HealthReport> {
    for (const t of this.tracked.values()) yield this.reportOf(t);
  }

  private reportOf(t: Tracked): HealthReport {
    if (t.report) return t.report;
    const s = t.stream;
    return (t.report = buildReport({
      path: s.path, streamId: t.streamId, evaluation: s.health!.latest, stableState: t.stable.current ?? 'offline',
      subscribers: s.subscriberTotalsByProtocol(), hlsViewers: t.hlsViewers, hlsBytes: this.deps.audience.bytesServed(s.path), wallNow: t.wallNow,
      siblings: t.siblings, siblingBytes: this.deps.siblingPlayers?.bytes(s.path) ?? 0,
    }));
  }

  /**
   * One evaluation round (the timer's, one for all streams; tests call it directly). Each stream is judged and its
   * history written from numbers; reports are built only when read. Streams are marked with the round that saw
   * them rather than collected into sets.
   */
  evaluateAll(): void {
    const wallNow = this.wallClock();
    const monotonicNow = performance.now();
    const round = ++this.round;
    for (const stream of this.deps.hub.streams()) {
      const internal = stream.publisher?.info.protocol === TRANSCODE_PROTOCOL || (this.internal.size > 0 && this.internal.has(stream.path));
      if (internal) this.internal.set(stream.path, round);
      if (!stream.health || internal) continue;
      this.evaluate(stream, wallNow, monotonicNow, round);
    }
    if (this.internal.size > 0) for (const [path, seen] of this.internal) if (seen !== round) this.internal.delete(path);
    for (const [path, t] of this.tracked) {
      if (t.round === round) continue;
      this.tracked.delete(path);
      this.deps.audience.forget(path);
      this.deps.siblingPlayers?.forget(path);
      this.events.emit('gone', path);
    }
    // Sibling reports of a stream not held here (any more): its next report, if it is held again, starts over.
    if (this.deps.siblingPlayers) for (const path of this.deps.siblingPlayers.paths()) if (!this.tracked.has(path)) this.deps.siblingPlayers.forget(path);
    // Not held here: kept while its viewers here are (workers: a sibling's stream, reported to its owner), else forgotten.
    for (const path of this.deps.audience.paths()) {
      if (!this.tracked.has(path) && this.deps.audience.idleHere(path, monotonicNow)) this.deps.audience.forget(path);
    }
    this.events.emit('evaluated');
  }

  private evaluate(stream: HubStream, wallNow: number, monotonicNow: number, round: number): void {
    let t = this.tracked.get(stream.path);
    if (!t) {
      t = { stream, history: new HealthHistory(), round, stable: new StableState(this.deps.hysteresisMs), streamId: null, wallNow, hlsViewers: 0, siblings: { rtmp: 0, flv: 0 }, report: undefined };
      this.tracked.set(stream.path, t);
    }
    t.round = round;
    t.stream = stream;
    t.report = undefined;
    t.wallNow = wallNow;
    const health = stream.health!;
    const state = health.judge(wallNow);
    t.streamId = stream.publisher?.info.streamId ?? t.streamId;
    let change: StableChange | undefined;
    if (state === 'offline') t.stable.reset();
    else change = t.stable.update(state, wallNow);
    const hls = (t.hlsViewers = this.deps.audience.viewers(stream.path, monotonicNow));
    const siblings = this.deps.siblingPlayers ? this.deps.siblingPlayers.sum(stream.path, monotonicNow, t.siblings) : t.siblings;
    const viewers = hls + viewerSubscribers(stream) + siblings.rtmp + siblings.flv;
    t.history.record(wallNow, health.videoKbps, health.audioKbps, health.videoFps, health.keyframeIntervalMs, viewers, state);
    if (!change) return;
    const reasons = health.reasons;
    this.deps.log.info({ path: stream.path, streamId: t.streamId, state: change.state, previous: change.previous, reasons: reasons.map((r) => r.code) }, 'stream health changed');
    if (t.streamId) this.events.emit('stableChange', { ...change, path: stream.path, streamId: t.streamId, reasons });
  }
}

/** Present RTMP and FLV viewers (the server's own subscribers are not viewers), counted without building totals. */
function viewerSubscribers(stream: HubStream): number {
  let n = 0;
  for (const sub of stream.subscriptions()) if (VIEWER_FAMILY[sub.info.protocol]) n++;
  return n;
}
