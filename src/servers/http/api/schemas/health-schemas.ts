import { Type } from '@sinclair/typebox';
import { DateTime, Nullable } from './common-schemas.js';

const N = Nullable(Type.Number());
const I = Nullable(Type.Integer());
const S = Nullable(Type.String());

const State = Type.Union(['healthy', 'warning', 'critical', 'offline'].map((s) => Type.Literal(s)));

export const HealthReasonSchema = Type.Object({
  code: Type.String({ description: 'stalled | keyframe_interval_high | bitrate_drop | fps_below_metadata | av_desync | timestamp_drift' }),
  severity: Type.Union([Type.Literal('warning'), Type.Literal('critical')]),
  message: Type.String(),
  since: DateTime,
});

const RateWindow = Type.Object({ bitrateKbps: N, fps: N });

export const VideoHealthSchema = Type.Object({
  codec: S, profile: S, level: S, width: I, height: I,
  bitrateKbps: N, fps: N, keyframeIntervalMs: N, keyframeIntervalMaxMs: N, metadataFps: N, metadataBitrateKbps: N,
  windows: Type.Object({ '10s': RateWindow, '60s': RateWindow }),
}, { description: 'last complete media second; windows over 10 s and 60 s of media' });

const AudioWindow = Type.Object({ bitrateKbps: N });
export const AudioHealthSchema = Type.Object({
  codec: S, sampleRate: I, channels: I, bitrateKbps: N,
  windows: Type.Object({ '10s': AudioWindow, '60s': AudioWindow }),
});

export const EncoderSchema = Type.Object({
  name: S,
  settings: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()]), { description: 'scalar onMetaData keys (at most 32)' }),
});

export const IngestHealthSchema = Type.Object({
  protocol: Type.String(), remoteAddress: Type.String(), since: DateTime,
  mediaRate: N, driftMs: N, avOffsetMs: N,
  lateFrames: Type.Integer(), outOfOrderFrames: Type.Integer(), gaps: Type.Integer(), stalls: Type.Integer(),
  droppedFrames: Type.Integer(), configChanges: Type.Integer(), bytesIn: Type.Integer(),
});

export const ViewersSchema = Type.Object({ rtmp: Type.Integer(), hls: Type.Integer(), flv: Type.Integer(), total: Type.Integer() });

export const HealthSampleSchema = Type.Object({
  t: Type.Integer({ description: 'epoch ms' }), videoKbps: N, audioKbps: N, fps: N, keyframeIntervalMs: N, viewers: Type.Integer(), state: State,
});

const currentFields = {
  streamId: Type.String(),
  state: State,
  stableState: State,
  since: Nullable(DateTime),
  updatedAt: DateTime,
  reasons: Type.Array(HealthReasonSchema),
  video: Nullable(VideoHealthSchema),
  audio: Nullable(AudioHealthSchema),
  encoder: Nullable(EncoderSchema),
  ingest: Nullable(IngestHealthSchema),
  viewers: ViewersSchema,
  bytesOut: Type.Integer(),
};

export const StreamHealthSchema = Type.Object({ ...currentFields, history: Type.Array(HealthSampleSchema, { description: 'oldest first, one a second, up to 300' }) });

/** One SSE `health` event's data: the current figures and this second's history sample. */
export const StreamHealthEventSchema = Type.Object({ ...currentFields, sample: HealthSampleSchema });

export const HealthListItemSchema = Type.Object({
  streamId: Nullable(Type.String()), path: Type.String(), state: State, stableState: State,
  bitrateKbps: N, fps: N, viewers: Type.Integer(),
});
