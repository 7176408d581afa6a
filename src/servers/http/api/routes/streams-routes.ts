import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { StreamService } from '../../../../services/streams/stream-service.js';
import type { StreamUrls } from '../../../../services/streams/stream-urls.js';
import type { StreamRecord } from '../../../../services/streams/stream-types.js';
import type { TranscodeStatus } from '../../../../services/transcode/types.js';
import { mintPlaybackToken } from '../../../../services/auth/playback-token.js';
import { withToken } from '../../../../services/auth/playlist-token.js';
import { DEFAULT_PLAYBACK_TOKEN_TTL_SEC } from '../../../../services/streams/limits.js';
import { ApiError } from '../../api-errors.js';
import { IdParams, PageQuery, pageOf, withErrors } from '../schemas/common-schemas.js';
import {
  CreateStreamBody, PlaybackTokenBody, PlaybackTokenSchema, SessionSchema, StreamListItemSchema, StreamSchema, UpdateStreamBody,
} from '../schemas/stream-schemas.js';
import { sessionView, streamListItemView, streamView } from '../views.js';

export interface StreamsRoutesDeps {
  readonly streams: StreamService;
  readonly urls: StreamUrls;
  readonly playbackSecret: string;
  readonly nowSec?: () => number;
  /** The live transcode status of a stream path (TranscodeService.status); absent = never shown. */
  readonly transcodeStatus?: (streamPath: string) => TranscodeStatus | undefined;
  /** A publisher of the stream is live here while the database's view may lag (views.ts streamView); absent = never. */
  readonly liveHere?: (streamPath: string) => boolean;
}

type IdReq = FastifyRequest<{ Params: Static<typeof IdParams> }>;
const tags = ['streams'];
const security = [{ bearer: [] }];

function found(s: StreamRecord | null): StreamRecord {
  if (!s) throw new ApiError('stream_not_found', 'no stream with this id');
  return s;
}

/** `/api/v1/streams`: the live stream resource. */
export function streamsRoutes(deps: StreamsRoutesDeps): FastifyPluginAsync {
  const { streams, urls } = deps;
  const view = (s: StreamRecord, req: FastifyRequest) => streamView(s, urls, req.headers.host, deps.transcodeStatus, deps.liveHere);
  const action = (summary: string, run: (id: string) => Promise<StreamRecord | null>) => ({
    schema: { tags, security, summary, params: IdParams, response: withErrors({ 200: StreamSchema }) },
    handler: async (req: IdReq) => view(found(await run(req.params.id)), req),
  });

  return async (app) => {
    app.post<{ Body: Static<typeof CreateStreamBody> }>('/streams', {
      schema: { tags, security, summary: 'Create a live stream', body: CreateStreamBody, response: withErrors({ 201: StreamSchema }) },
    }, async (req, reply) => reply.status(201).send(view(await streams.create(req.body), req)));

    app.get<{ Querystring: Static<typeof PageQuery> }>('/streams', {
      schema: { tags, security, summary: 'List streams, newest first (no stream keys)', querystring: PageQuery, response: withErrors({ 200: pageOf(StreamListItemSchema) }) },
    }, async (req) => {
      const page = await streams.list(req.query.limit, req.query.cursor);
      return { data: page.items.map((s) => streamListItemView(s, urls, req.headers.host, deps.transcodeStatus, deps.liveHere)), nextCursor: page.nextCursor };
    });

    app.get('/streams/:id', action('Get a stream (with its key)', (id) => streams.get(id)));

    app.patch<{ Params: Static<typeof IdParams>; Body: Static<typeof UpdateStreamBody> }>('/streams/:id', {
      schema: { tags, security, summary: 'Update name or settings', params: IdParams, body: UpdateStreamBody, response: withErrors({ 200: StreamSchema }) },
    }, async (req) => view(found(await streams.update(req.params.id, req.body)), req));

    app.delete<{ Params: Static<typeof IdParams> }>('/streams/:id', {
      schema: { tags, security, summary: 'Delete a stream (ends a live session)', params: IdParams, response: withErrors({ 204: Type.Null() }) },
    }, async (req, reply) => {
      found(await streams.delete(req.params.id));
      return reply.status(204).send();
    });

    app.post('/streams/:id/reset-key', action('New stream key; the old one stops working and a live publisher on it is closed', (id) => streams.resetKey(id)));
    app.post('/streams/:id/disable', action('Refuse publishing; a live session is closed', (id) => streams.disable(id)));
    app.post('/streams/:id/enable', action('Allow publishing again', (id) => streams.enable(id)));

    app.get<{ Params: Static<typeof IdParams>; Querystring: Static<typeof PageQuery> }>('/streams/:id/sessions', {
      schema: { tags, security, summary: 'Publish session history, newest first', params: IdParams, querystring: PageQuery, response: withErrors({ 200: pageOf(SessionSchema) }) },
    }, async (req) => {
      const page = await streams.listSessions(req.params.id, req.query.limit, req.query.cursor);
      if (!page) throw new ApiError('stream_not_found', 'no stream with this id');
      return { data: page.items.map(sessionView), nextCursor: page.nextCursor };
    });

    app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof PlaybackTokenBody> }>('/streams/:id/playback-token', {
      schema: { tags, security, summary: 'Mint a playback token (for playbackPolicy "signed")', params: IdParams, body: PlaybackTokenBody, response: withErrors({ 200: PlaybackTokenSchema }) },
    }, async (req) => {
      const s = found(await streams.get(req.params.id));
      const now = deps.nowSec?.() ?? Math.floor(Date.now() / 1000);
      const exp = now + (req.body.ttlSec ?? DEFAULT_PLAYBACK_TOKEN_TTL_SEC);
      const token = mintPlaybackToken(deps.playbackSecret, s.playbackId, exp);
      return {
        token,
        expiresAt: new Date(exp * 1000).toISOString(),
        playbackId: s.playbackId,
        playback: tokenPlayback(urls.playback(s.playbackId, req.headers.host).hls, token),
      };
    });
  };
}

/** The playback URLs a token is minted for, carrying it: HLS's, none when HLS is off on this server. */
function tokenPlayback(hls: string | undefined, token: string): { hls?: string } {
  return hls === undefined ? {} : { hls: withToken(hls, token) };
}
