/**
 * The slice of the OnAir REST API (/api/v1, docs/API.md) the dashboard reads. Written by hand because the
 * browser bundle must not pull in the server's schema modules; test/web/dashboard-units.test.ts checks
 * these against the server's TypeBox schemas so the two cannot drift apart silently.
 */
export type LatencyMode = 'standard' | 'low' | 'lowest';
export type PlaybackPolicy = 'public' | 'signed';
export type StreamStatus = 'idle' | 'active' | 'disabled';

export interface LadderRung {
  name?: string;
  height: number;
  videoBitrateKbps: number;
  audioBitrateKbps?: number;
  fps?: number;
}
export type Ladder = 'passthrough' | 'default' | LadderRung[];

export interface StreamSettings {
  latencyMode: LatencyMode;
  reconnectWindowSec: number;
  ladder: Ladder;
  record: boolean;
  playbackPolicy: PlaybackPolicy;
  passthrough: string | null;
}

export interface Rendition {
  name: string;
  path: string;
  width: number;
  height: number;
  fps: number;
  videoBitrate: number;
  audioBitrate: number;
  source: boolean;
}

export interface TranscodeStatus {
  state: 'passthrough' | 'starting' | 'running' | 'restarting';
  ladder: 'passthrough' | 'default' | 'custom';
  reason: string | null;
  detail: string | null;
  droppedRungs: string[];
  renditions: Rendition[];
  speed: number | null;
  restarts: number;
}

export interface StreamListItem {
  id: string;
  name: string;
  status: StreamStatus;
  playbackId: string;
  createdAt: string;
  updatedAt: string;
  ingest: { rtmp: string; rtmps?: string };
  /** hls: absent when HLS is off on the server (--hls off). */
  playback: { hls?: string; rtmp: string };
  settings: StreamSettings;
  transcode?: TranscodeStatus;
}

export interface Stream extends StreamListItem {
  streamKey: string;
}

export interface StreamInput {
  name?: string;
  settings?: Partial<StreamSettings>;
}

export interface Session {
  id: string;
  protocol: string;
  remoteAddress: string;
  startedAt: string;
  activeAt: string | null;
  endedAt: string | null;
  durationSec: number | null;
  bytesIn: number;
  endReason: string | null;
}

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

export interface PlaybackToken {
  token: string;
  expiresAt: string;
  playbackId: string;
  playback: { hls?: string };
}

export interface WebhookEndpoint {
  id: string;
  url: string;
  events: string[];
  enabled: boolean;
  description: string | null;
  createdAt: string;
  updatedAt: string;
  /** Only in the endpoint's own responses (create, get, patch), never in the list. */
  secret?: string;
}

export interface WebhookInput {
  url?: string;
  events?: string[];
  enabled?: boolean;
  description?: string | null;
}

export type DeliveryStatus = 'pending' | 'succeeded' | 'failed';

export interface Delivery {
  id: string;
  eventId: string;
  endpointId: string;
  eventType: string;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: string | null;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
  /** The exact JSON body sent: {id, type, time, data: {stream, session?}}. */
  payload: string;
}

/** `{ "error": { "code", "message" } }`: every API error (docs/API.md "Errors"). */
export interface ApiErrorBody {
  error: { code: string; message: string };
}
