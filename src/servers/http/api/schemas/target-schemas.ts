import { Type } from '@sinclair/typebox';
import { DateTime, Nullable } from './common-schemas.js';
import { RENDITION_NAME } from '../../../../services/streams/stream-types.js';
import { MAX_TARGET_KEY_LENGTH, MAX_TARGET_URL_LENGTH } from '../../../../services/repush/limits.js';
import { TARGET_ERROR_CLASSES, TARGET_STATES } from '../../../../services/repush/target-types.js';

const Url = Type.String({
  minLength: 1, maxLength: MAX_TARGET_URL_LENGTH, pattern: '^[Rr][Tt][Mm][Pp][Ss]?://',
  description: 'ingest server URL, the "Server" field of OBS: rtmp://host[:port]/app or rtmps://host[:port]/app (default ports 1935 / 443)',
});
const Key = Type.String({ minLength: 1, maxLength: MAX_TARGET_KEY_LENGTH, description: 'secret: the publish name (OBS "Stream Key"); write-only, responses show it masked' });
const Rendition = Type.String({ pattern: RENDITION_NAME.source, description: '"source" (default: the stream as ingested) or the name of one of its ladder rungs' });

export const CreateTargetBody = Type.Object({
  url: Url,
  streamKey: Key,
  enabled: Type.Optional(Type.Boolean({ description: 'default true' })),
  rendition: Type.Optional(Rendition),
  tlsVerify: Type.Optional(Type.Boolean({ description: 'rtmps: verify the certificate chain and host name (default true)' })),
}, { additionalProperties: false });

export const UpdateTargetBody = Type.Partial(CreateTargetBody, { additionalProperties: false });

export const TargetParams = Type.Object({ id: Type.String({ maxLength: 64 }), targetId: Type.String({ maxLength: 64 }) });

export const TargetSchema = Type.Object({
  id: Type.String(),
  streamId: Type.String(),
  url: Type.String(),
  streamKey: Type.String({ description: 'masked: "****" and, for keys of 16+ characters, their last 4' }),
  enabled: Type.Boolean(),
  rendition: Type.String(),
  tlsVerify: Type.Boolean(),
  status: Type.Union(TARGET_STATES.map((s) => Type.Literal(s)), { description: 'idle | connecting | live | reconnecting | failed (see docs/API.md)' }),
  lastError: Nullable(Type.Object({
    class: Type.Union(TARGET_ERROR_CLASSES.map((c) => Type.Literal(c))),
    message: Type.String(),
    at: DateTime,
  })),
  connectedSince: Nullable(DateTime),
  bitrateOut: Type.Integer({ description: 'bits/s over the last 2 s; 0 unless live' }),
  bytesOut: Type.Number({ description: 'bytes sent during this live session' }),
  droppedFrames: Type.Integer({ description: 'frames skipped because the target was behind (dropped to the next keyframe)' }),
  reconnects: Type.Integer({ description: 'attempts after the first during this live session' }),
  nextAttemptAt: Nullable(DateTime),
  createdAt: DateTime,
  updatedAt: DateTime,
});
