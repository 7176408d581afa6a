/** Ingest health as docs/API.md "Ingest health" describes it (GET /streams/:id/health, its SSE feed, GET /health). */
export type HealthState = 'healthy' | 'warning' | 'critical' | 'offline';

export interface HealthReason {
  code: string;
  severity: 'warning' | 'critical';
  since: string;
  message: string;
}

export interface HealthSample {
  /** Unix ms. */
  t: number;
  videoKbps: number | null;
  audioKbps: number | null;
  fps: number | null;
  keyframeIntervalMs: number | null;
  viewers: number;
  state: HealthState;
}

export interface VideoHealth {
  codec: string | null;
  profile: string | null;
  level: string | null;
  width: number | null;
  height: number | null;
  bitrateKbps: number | null;
  fps: number | null;
  keyframeIntervalMs: number | null;
  keyframeIntervalMaxMs: number | null;
  metadataFps: number | null;
  metadataBitrateKbps: number | null;
}

export interface AudioHealth {
  codec: string | null;
  sampleRate: number | null;
  channels: number | null;
  bitrateKbps: number | null;
}

export interface IngestHealth {
  protocol: string;
  remoteAddress: string;
  since: string;
  mediaRate: number | null;
  driftMs: number | null;
  avOffsetMs: number | null;
  lateFrames: number;
  outOfOrderFrames: number;
  gaps: number;
  stalls: number;
  droppedFrames: number;
  configChanges: number;
  bytesIn: number;
}

export interface Viewers {
  rtmp: number;
  hls: number;
  flv: number;
  total: number;
}

export interface StreamHealth {
  streamId: string;
  state: HealthState;
  stableState: HealthState;
  since: string | null;
  updatedAt: string;
  reasons: HealthReason[];
  video: VideoHealth | null;
  audio: AudioHealth | null;
  encoder: { name: string | null; settings: Record<string, string | number | boolean> } | null;
  ingest: IngestHealth | null;
  viewers: Viewers;
  bytesOut: number;
  /** In GET /streams/:id/health only: oldest first, one per second, up to 300. */
  history?: HealthSample[];
  /** In the SSE feed only: this second's history entry. */
  sample?: HealthSample;
}

/** One line of GET /api/v1/health. */
export interface HealthSummary {
  streamId: string | null;
  path: string;
  state: HealthState;
  stableState: HealthState;
  bitrateKbps: number | null;
  fps: number | null;
  viewers: number;
}
