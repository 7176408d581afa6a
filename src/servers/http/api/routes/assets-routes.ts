import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { AssetRecord, AssetService } from '../../../../services/recording/index.js';
import type { StreamUrls } from '../../../../services/streams/stream-urls.js';
import { ApiError } from '../../api-errors.js';
import { IdParams, withErrors } from '../schemas/common-schemas.js';
import { sendFileRange } from '../../playback/vod/file-range.js';
import { AssetListQuery, AssetPageSchema, AssetSchema } from '../schemas/asset-schemas.js';

const tags = ['assets'];
const security = [{ bearer: [] }];
type IdReq = FastifyRequest<{ Params: Static<typeof IdParams> }>;

function found(a: AssetRecord | null): AssetRecord {
  if (!a) throw new ApiError('asset_not_found', 'no asset with this id');
  return a;
}

export function assetView(a: AssetRecord, urls: StreamUrls, host: string | undefined): Static<typeof AssetSchema> {
  const base = urls.httpBase(host);
  return {
    id: a.id, streamId: a.streamId, status: a.status, durationSec: a.durationMs / 1000, sizeBytes: a.sizeBytes,
    download: `${base}/api/v1/assets/${a.id}/download`, playback: { hls: `${base}/vod/${a.id}/index.m3u8` },
    tracks: a.tracks.map((t) => ({ ...t })), sessionIds: [...a.sessionIds], gaps: { count: a.gaps, durationSec: a.gapMs / 1000 },
    startedAt: a.startedAt.toISOString(), endedAt: a.endedAt?.toISOString() ?? null, endReason: a.endReason, error: a.error,
    createdAt: a.createdAt.toISOString(),
  };
}

/** `/api/v1/assets`: recordings of streams with `settings.record`. */
export function assetsRoutes(deps: { assets: AssetService; urls: StreamUrls }): FastifyPluginAsync {
  const { assets, urls } = deps;
  return async (app) => {
    app.get<{ Querystring: Static<typeof AssetListQuery> }>('/assets', {
      schema: { tags, security, summary: 'List recorded assets, newest first', querystring: AssetListQuery, response: withErrors({ 200: AssetPageSchema }) },
    }, async (req) => {
      const { streamId, status, limit, cursor } = req.query;
      const page = await assets.list({ ...(streamId ? { streamId } : {}), ...(status ? { status } : {}) }, limit, cursor);
      return { items: page.items.map((a) => assetView(a, urls, req.headers.host)), nextCursor: page.nextCursor };
    });

    app.get('/assets/:id', {
      schema: { tags, security, summary: 'One asset: duration, size, tracks', params: IdParams, response: withErrors({ 200: AssetSchema }) },
    }, async (req: IdReq) => assetView(found(await assets.get(req.params.id)), urls, req.headers.host));

    // GET and HEAD declared together: fastify's generated HEAD route would answer Content-Length 0 (and read
    // the whole file to discard it) instead of the file's headers.
    app.route({
      method: ['GET', 'HEAD'], url: '/assets/:id/download',
      schema: { tags, security, summary: 'The MP4 (Range requests; while recording, what is written so far)', params: IdParams, response: withErrors({}) },
      handler: async (req: IdReq, reply) => {
      const asset = found(await assets.get(req.params.id));
      const media = await assets.media(asset);
      if (!media) throw new ApiError('asset_not_found', asset.status === 'deleted' ? 'the asset was deleted' : 'nothing was recorded');
      return sendFileRange(req, reply, {
        path: media.path, size: media.size, mime: asset.tracks.some((t) => t.kind === 'video') || asset.tracks.length === 0 ? 'video/mp4' : 'audio/mp4',
        cacheControl: 'private, no-cache', disposition: `attachment; filename="${asset.id}.mp4"`,
      });
      },
    });

    app.delete('/assets/:id', {
      schema: { tags, security, summary: 'Delete an asset: stops a recording in progress, removes its files (status deleted)', params: IdParams, response: withErrors({ 204: Type.Null() }) },
    }, async (req: IdReq, reply) => {
      found(await assets.delete(req.params.id));
      return reply.status(204).send();
    });
  };
}
