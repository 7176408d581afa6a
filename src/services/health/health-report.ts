import type { HealthEvaluation, HealthState, IngestFigures, ProtocolTotals } from '../../hub/health/index.js';
import type { HealthSample } from './health-history.js';
import type { PlayerCounts } from './sibling-players.js';
import { VIEWER_FAMILY } from './viewer-protocols.js';

export interface ViewerCounts {
  readonly rtmp: number;
  /** Estimated from media playlist requests (HlsAudience). */
  readonly hls: number;
  /** HTTP-FLV and WebSocket-FLV. */
  readonly flv: number;
  readonly total: number;
}

/** A stream's health as the API, the SSE feed, webhooks and metrics show it. */
export interface HealthReport extends Omit<HealthEvaluation, 'ingest' | 'since'> {
  readonly path: string;
  /** The API stream id; null for a stream without an API record (--auth open/callback names). */
  readonly streamId: string | null;
  /** After hysteresis (--health-hysteresis-sec); what webhooks announce. */
  readonly stableState: HealthState;
  /** Epoch ms `state` began; null when never evaluated. */
  readonly since: number | null;
  readonly updatedAt: number;
  readonly ingest: (IngestFigures & { readonly droppedFrames: number }) | null;
  readonly viewers: ViewerCounts;
  /** Media bytes sent to RTMP/FLV players plus HLS bytes served, while the server holds the stream. */
  readonly bytesOut: number;
  /** This evaluation as a history sample. */
  readonly sample: HealthSample;
}


export interface ReportInput {
  readonly path: string;
  readonly streamId: string | null;
  readonly evaluation: HealthEvaluation;
  readonly stableState: HealthState;
  readonly subscribers: ReadonlyMap<string, ProtocolTotals>;
  readonly hlsViewers: number;
  readonly hlsBytes: number;
  /** Workers: RTMP/FLV viewers of the stream at the sibling workers, and the bytes sent them (SiblingPlayers). */
  readonly siblings: PlayerCounts;
  readonly siblingBytes: number;
  readonly wallNow: number;
}

export function buildReport(x: ReportInput): HealthReport {
  const e = x.evaluation;
  let rtmp = x.siblings.rtmp;
  let flv = x.siblings.flv;
  let bytesOut = x.hlsBytes + x.siblingBytes;
  let dropped = 0;
  for (const [protocol, t] of x.subscribers) {
    dropped += t.packetsDropped;
    const family = VIEWER_FAMILY[protocol];
    if (!family) continue;
    bytesOut += t.bytesDelivered;
    if (family === 'rtmp') rtmp += t.subscribers;
    else flv += t.subscribers;
  }
  const viewers = { rtmp, hls: x.hlsViewers, flv, total: rtmp + x.hlsViewers + flv };
  return {
    path: x.path,
    streamId: x.streamId,
    state: e.state,
    stableState: x.stableState,
    since: e.since || null,
    updatedAt: x.wallNow,
    reasons: e.reasons,
    video: e.video,
    audio: e.audio,
    encoder: e.encoder,
    ingest: e.ingest ? withDrops(e.ingest, dropped) : null,
    viewers,
    bytesOut,
    sample: {
      t: x.wallNow,
      videoKbps: e.video?.bitrateKbps ?? null,
      audioKbps: e.audio?.bitrateKbps ?? null,
      fps: e.video?.fps ?? null,
      keyframeIntervalMs: e.video?.keyframeIntervalMs ?? null,
      viewers: viewers.total,
      state: e.state,
    },
  };
}

/** Written out rather than spread: a spread copies through a slow generic path, once a second per stream. */
function withDrops(i: IngestFigures, droppedFrames: number): IngestFigures & { readonly droppedFrames: number } {
  return {
    protocol: i.protocol, remoteAddress: i.remoteAddress, since: i.since, mediaRate: i.mediaRate, driftMs: i.driftMs, avOffsetMs: i.avOffsetMs,
    lateFrames: i.lateFrames, outOfOrderFrames: i.outOfOrderFrames, gaps: i.gaps, stalls: i.stalls, configChanges: i.configChanges, bytesIn: i.bytesIn,
    droppedFrames,
  };
}

/** The report of a stream the server does not hold (not live, reconnect window over, or never published). */
export function offlineReport(path: string, streamId: string | null, wallNow: number): HealthReport {
  const sample: HealthSample = { t: wallNow, videoKbps: null, audioKbps: null, fps: null, keyframeIntervalMs: null, viewers: 0, state: 'offline' };
  return {
    path, streamId, state: 'offline', stableState: 'offline', since: null, updatedAt: wallNow, reasons: [],
    video: null, audio: null, encoder: null, ingest: null, viewers: { rtmp: 0, hls: 0, flv: 0, total: 0 }, bytesOut: 0, sample,
  };
}
