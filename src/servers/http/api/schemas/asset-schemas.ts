import { Type } from '@sinclair/typebox';
import { DateTime, Nullable, PageQuery } from './common-schemas.js';
import { ASSET_STATUSES } from '../../../../services/recording/index.js';

const Status = Type.Union(ASSET_STATUSES.map((s) => Type.Literal(s)), {
  description: 'recording: being written; ready: complete; failed: stopped early (see endReason/error; what was recorded stays playable); deleted: files removed',
});

export const AssetTrackSchema = Type.Object({
  kind: Type.Union([Type.Literal('video'), Type.Literal('audio')]),
  codec: Type.String({ description: 'FourCC: avc1, hvc1, av01, mp4a, Opus, .mp3' }),
  codecString: Type.Optional(Type.String({ description: 'RFC 6381, e.g. avc1.64001f' })),
  width: Type.Optional(Type.Integer()),
  height: Type.Optional(Type.Integer()),
  fps: Type.Optional(Type.Number()),
  sampleRate: Type.Optional(Type.Integer()),
  channels: Type.Optional(Type.Integer()),
});

export const AssetSchema = Type.Object({
  id: Type.String(),
  streamId: Nullable(Type.String({ description: 'null once the stream was deleted (recordings outlive their stream)' })),
  status: Status,
  durationSec: Type.Number({ description: 'media recorded so far / in all' }),
  sizeBytes: Type.Integer(),
  download: Type.String({ description: 'the MP4 (bearer token; Range requests)' }),
  playback: Type.Object({ hls: Type.String({ description: 'HLS: EVENT while recording, VOD after; signed streams need ?token=' }) }),
  tracks: Type.Array(AssetTrackSchema),
  sessionIds: Type.Array(Type.String(), { description: 'publish sessions recorded into this asset (set when it ends)' }),
  gaps: Type.Object({ count: Type.Integer(), durationSec: Type.Number() }, { description: 'stretches dropped because the disk could not keep up' }),
  startedAt: DateTime,
  endedAt: Nullable(DateTime),
  endReason: Nullable(Type.String({ description: 'publisher_left, tracks_changed, disk_full, write_failed, server_shutdown, server_restart, deleted' })),
  error: Nullable(Type.String()),
  createdAt: DateTime,
});

export const AssetListQuery = Type.Object({
  ...PageQuery.properties,
  streamId: Type.Optional(Type.String({ maxLength: 64 })),
  status: Type.Optional(Status),
}, { additionalProperties: false });

export const AssetPageSchema = Type.Object({
  items: Type.Array(AssetSchema),
  nextCursor: Nullable(Type.String()),
});
