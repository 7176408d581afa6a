import { Type } from '@sinclair/typebox';
import { DateTime, Nullable } from './common-schemas.js';
import { MAX_RECONNECT_WINDOW_SEC } from '../../../../hub/index.js';
import { RENDITION_NAME } from '../../../../services/streams/stream-types.js';
import { MAX_SRT_PASSPHRASE_LENGTH, MIN_SRT_PASSPHRASE_LENGTH } from '../../../../services/streams/limits.js';
import { MAX_LADDER_RUNGS, MAX_PASSTHROUGH_LENGTH, MAX_STREAM_NAME_LENGTH, MAX_PLAYBACK_TOKEN_TTL_SEC, MIN_PLAYBACK_TOKEN_TTL_SEC } from '../../../../services/streams/limits.js';

export const LadderRungSchema = Type.Object({
  name: Type.Optional(Type.String({ pattern: RENDITION_NAME.source, description: 'rendition name (last segment of live/<playbackId>/<name>); default "<height>p"' })),
  height: Type.Integer({ minimum: 144, maximum: 4320 }),
  videoBitrateKbps: Type.Integer({ minimum: 100, maximum: 100_000 }),
  audioBitrateKbps: Type.Optional(Type.Integer({ minimum: 32, maximum: 512, description: 'AAC-LC 48 kHz' })),
  fps: Type.Optional(Type.Integer({ minimum: 1, maximum: 120, description: 'never above the source frame rate' })),
  codec: Type.Optional(Type.Literal('h264')),
}, { additionalProperties: false });

export const LadderSchema = Type.Union([
  Type.Literal('passthrough'),
  Type.Literal('default'),
  Type.Array(LadderRungSchema, { maxItems: MAX_LADDER_RUNGS }),
], { description: 'transcoding: "passthrough" or [] = source only; "default" = source + 720p/480p/360p below it; a list = source + these rungs' });

const settingsFields = {
  latencyMode: Type.Union([Type.Literal('standard'), Type.Literal('low'), Type.Literal('lowest')], { description: 'low = LL-HLS; lowest = LL-HLS with the shortest parts (PART-TARGET 0.135 s) and PART-HOLD-BACK 2 part targets, ~1.5x the requests per LL-HLS viewer; standard = ~4 s segments, no parts' }),
  reconnectWindowSec: Type.Integer({ minimum: 0, maximum: MAX_RECONNECT_WINDOW_SEC, description: 'seconds a dropped encoder may come back before stream.idle' }),
  ladder: LadderSchema,
  record: Type.Boolean(),
  playbackPolicy: Type.Union([Type.Literal('public'), Type.Literal('signed')], { description: 'signed = players need a playback token' }),
  passthrough: Nullable(Type.String({ maxLength: MAX_PASSTHROUGH_LENGTH, description: 'your own data, echoed back and in webhooks' })),
};

const srtPassphraseDoc = 'secret: SRT publishers of this stream must encrypt with it (AES-128/192/256, the encoder picks); null = the server\'s --srt-passphrase, if any. Shown only in the stream\'s own responses; "********" in lists and webhooks';

export const StreamSettingsSchema = Type.Object({ ...settingsFields, srtPassphrase: Nullable(Type.String({ description: srtPassphraseDoc })) });
export const StreamSettingsInput = Type.Partial(Type.Object({
  ...settingsFields,
  srtPassphrase: Nullable(Type.String({ minLength: MIN_SRT_PASSPHRASE_LENGTH, maxLength: MAX_SRT_PASSPHRASE_LENGTH, description: srtPassphraseDoc })),
}, { additionalProperties: false }), { additionalProperties: false });

const Name = Type.String({ minLength: 1, maxLength: MAX_STREAM_NAME_LENGTH });

export const CreateStreamBody = Type.Object({
  name: Type.Optional(Name),
  settings: Type.Optional(StreamSettingsInput),
}, { additionalProperties: false });

export const UpdateStreamBody = CreateStreamBody;

const StatusSchema = Type.Union([Type.Literal('idle'), Type.Literal('active'), Type.Literal('disabled')]);

/** Mirrors services/transcode TranscodeStatus (see its comments). */
export const TranscodeStatusSchema = Type.Object({
  state: Type.Union(['passthrough', 'starting', 'running', 'restarting'].map((s) => Type.Literal(s))),
  ladder: Type.Union(['passthrough', 'default', 'custom'].map((s) => Type.Literal(s))),
  reason: Nullable(Type.Union(['ffmpeg_not_found', 'max_transcodes', 'cpu_budget', 'too_slow', 'source_unsupported', 'crash_loop'].map((s) => Type.Literal(s)))),
  detail: Nullable(Type.String()),
  droppedRungs: Type.Array(Type.String()),
  renditions: Type.Array(Type.Object({
    name: Type.String(), path: Type.String(), width: Type.Integer(), height: Type.Integer(), fps: Type.Number(),
    videoBitrate: Type.Integer(), audioBitrate: Type.Integer(), source: Type.Boolean(),
  })),
  speed: Nullable(Type.Number({ description: 'encode speed, 1.0 = real time' })),
  restarts: Type.Integer(),
}, { description: 'ABR transcoding of the live session; absent while the stream is not live' });

const HLS_URL_DOC = 'absent when HLS is off on this server (--hls off)';

/** Fields every view of a stream has; none is secret. */
const publicFields = {
  id: Type.String(),
  name: Type.String(),
  status: StatusSchema,
  playbackId: Type.String(),
  createdAt: DateTime,
  updatedAt: DateTime,
  ingest: Type.Object({
    rtmp: Type.String(), rtmps: Type.Optional(Type.String()),
    srt: Type.Optional(Type.String({ description: 'SRT listener; publish with streamid=#!::r=live/<streamKey>,m=publish' })),
  }, { description: 'OBS Server field; the stream key is the Stream Key field' }),
  playback: Type.Object({ hls: Type.Optional(Type.String({ description: HLS_URL_DOC })), rtmp: Type.String(), srt: Type.Optional(Type.String({ description: 'MPEG-TS over SRT' })) }),
  settings: StreamSettingsSchema,
  transcode: Type.Optional(TranscodeStatusSchema),
};

/** The stream resource's own responses (create, get, patch, reset-key, disable, enable): with the key. */
export const StreamSchema = Type.Object({
  ...publicFields,
  streamKey: Type.String({ description: 'secret: publish to ingest.rtmp + "/" + streamKey' }),
});

/** List items: no key (fast-json-stringify emits only declared fields, so it cannot leak by accident). */
export const StreamListItemSchema = Type.Object(publicFields);

export const SessionSchema = Type.Object({
  id: Type.String(),
  protocol: Type.String(),
  remoteAddress: Type.String(),
  startedAt: DateTime,
  activeAt: Nullable(DateTime),
  endedAt: Nullable(DateTime),
  durationSec: Nullable(Type.Number({ description: 'null while live' })),
  bytesIn: Type.Number(),
  endReason: Nullable(Type.String()),
});

export const PlaybackTokenBody = Type.Object({
  ttlSec: Type.Optional(Type.Integer({ minimum: MIN_PLAYBACK_TOKEN_TTL_SEC, maximum: MAX_PLAYBACK_TOKEN_TTL_SEC })),
}, { additionalProperties: false });

export const PlaybackTokenSchema = Type.Object({
  token: Type.String({ description: 'JWT HS256 {sub: playbackId, exp}; append ?token= to every playback URL' }),
  expiresAt: DateTime,
  playbackId: Type.String(),
  playback: Type.Object({ hls: Type.Optional(Type.String({ description: HLS_URL_DOC })) }),
});
