/** Ingest health, protocol-free: what the hub measures per live stream and how it is judged. */

export type HealthState = 'healthy' | 'warning' | 'critical' | 'offline';
export type ReasonSeverity = 'warning' | 'critical';
export type HealthReasonCode =
  | 'stalled' | 'keyframe_interval_high' | 'bitrate_drop' | 'fps_below_metadata' | 'av_desync' | 'timestamp_drift';

/** What makes a stream unhealthy; every field is a config flag (src/config/schema.ts, --health-*). */
export interface HealthThresholds {
  /** No media for longer than this: stalled (critical). */
  readonly stallMs: number;
  /** Keyframes further apart than this (or none for this long): keyframe_interval_high. */
  readonly keyframeIntervalMaxMs: number;
  /** The 10 s bitrate under this percentage of the 60 s average: bitrate_drop. */
  readonly bitrateDropPct: number;
  /** The 10 s frame rate under the announced one by more than this percentage: fps_below_metadata. */
  readonly fpsTolerancePct: number;
  /** Video and audio of the same timestamp arriving further apart than this: av_desync. */
  readonly avDesyncMs: number;
  /** Media time and wall-clock time parting by more than this over 60 s: timestamp_drift. */
  readonly driftMs: number;
}

export interface HealthReason {
  readonly code: HealthReasonCode;
  readonly severity: ReasonSeverity;
  readonly message: string;
  /** Epoch ms when this reason (with this code) began. */
  readonly since: number;
}

export interface RateWindow {
  readonly bitrateKbps: number | null;
  readonly fps: number | null;
}

export interface VideoFigures {
  readonly codec: string | null;
  readonly profile: string | null;
  readonly level: string | null;
  readonly width: number | null;
  readonly height: number | null;
  /** Last complete media second; 0 while the track delivers nothing; null before a second is complete. */
  readonly bitrateKbps: number | null;
  readonly fps: number | null;
  readonly keyframeIntervalMs: number | null;
  readonly keyframeIntervalMaxMs: number | null;
  readonly metadataFps: number | null;
  readonly metadataBitrateKbps: number | null;
  readonly windows: { readonly '10s': RateWindow; readonly '60s': RateWindow };
}

export interface AudioFigures {
  readonly codec: string | null;
  readonly sampleRate: number | null;
  readonly channels: number | null;
  readonly bitrateKbps: number | null;
  readonly windows: { readonly '10s': { readonly bitrateKbps: number | null }; readonly '60s': { readonly bitrateKbps: number | null } };
}

export type EncoderSettingValue = string | number | boolean;

export interface EncoderFigures {
  readonly name: string | null;
  readonly settings: Readonly<Record<string, EncoderSettingValue>>;
}

export interface IngestFigures {
  readonly protocol: string;
  readonly remoteAddress: string;
  /** Epoch ms the publish started. */
  readonly since: number;
  /** Media seconds per wall-clock second over about 10 s; null until DRIFT_MIN_SPAN_MS of arrivals. */
  readonly mediaRate: number | null;
  /** Wall-clock time minus media time over about 60 s (positive: the encoder is behind). */
  readonly driftMs: number | null;
  /** How much later video arrives than audio of the same timestamp (min over 10 s per track). */
  readonly avOffsetMs: number | null;
  readonly lateFrames: number;
  readonly outOfOrderFrames: number;
  readonly gaps: number;
  readonly stalls: number;
  readonly configChanges: number;
  readonly bytesIn: number;
}

/** One evaluation of one stream's ingest (the hub's part; viewers and history are added by the health service). */
export interface HealthEvaluation {
  readonly state: HealthState;
  /** Epoch ms `state` began. */
  readonly since: number;
  readonly reasons: readonly HealthReason[];
  readonly video: VideoFigures | null;
  readonly audio: AudioFigures | null;
  readonly encoder: EncoderFigures | null;
  readonly ingest: IngestFigures | null;
}

export const OFFLINE_EVALUATION: HealthEvaluation = {
  state: 'offline', since: 0, reasons: [], video: null, audio: null, encoder: null, ingest: null,
};
