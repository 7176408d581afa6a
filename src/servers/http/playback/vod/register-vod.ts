import type { FastifyInstance } from 'fastify';
import type { AssetService } from '../../../../services/recording/index.js';
import { MIME_PLAYLIST, sendError, setCors } from '../../hls/hls-responses.js';
import { sendFileRange } from './file-range.js';

/** Asset ids (services/random-ids newId('ast')); anything else is 404 before any lookup. */
const ASSET_ID = /^ast_[a-z2-7]{20}$/;
export const VOD_MEDIA = 'recording.mp4';

/**
 * Recorded assets as HLS: /vod/<assetId>/index.m3u8 (EVENT while recording, VOD with ENDLIST after) whose
 * init segment and segments are byte ranges of /vod/<assetId>/recording.mp4, the same file the API
 * downloads. The stream's playback policy applies: a signed stream's assets need `?token=`, which is
 * carried onto the media URIs of the playlist.
 */
export function registerVod(app: FastifyInstance, assets: AssetService): void {
  app.options('/vod/*', async (request, reply) => {
    setCors(reply)
      .header('access-control-allow-methods', 'GET, HEAD, OPTIONS')
      .header('access-control-allow-headers', request.headers['access-control-request-headers'] ?? 'range')
      .header('access-control-max-age', '86400');
    return reply.code(204).send();
  });

  // GET and HEAD together: fastify's generated HEAD route would send Content-Length 0 for a file (file-range.ts).
  app.route<{ Params: { id: string; file: string }; Querystring: Record<string, string | string[] | undefined> }>({ method: ['GET', 'HEAD'], url: '/vod/:id/:file', handler: async (request, reply) => {
    const { id, file } = request.params;
    if (!ASSET_ID.test(id) || (file !== 'index.m3u8' && file !== VOD_MEDIA)) return sendError(reply, 404, 'not found');
    const token = typeof request.query.token === 'string' ? request.query.token : undefined;
    const decision = await assets.authorizeVod(id, token);
    if (!decision.ok) return sendError(reply, decision.code === 'unauthorized' ? 403 : 404, decision.code === 'unauthorized' ? 'forbidden' : 'not found');
    const { asset } = decision;
    if (file === 'index.m3u8') {
      const body = await assets.playlist(asset, `${VOD_MEDIA}${token ? `?token=${encodeURIComponent(token)}` : ''}`);
      if (body === undefined) return sendError(reply, asset.status === 'recording' ? 503 : 404, asset.status === 'recording' ? 'no segment yet' : 'nothing was recorded');
      return setCors(reply).code(200).header('content-type', MIME_PLAYLIST).header('cache-control', 'no-cache').send(body);
    }
    const media = await assets.media(asset);
    if (!media) return sendError(reply, 404, 'nothing was recorded');
    return sendFileRange(request, setCors(reply), {
      path: media.path, size: media.size, mime: asset.tracks.some((t) => t.kind === 'video') || asset.tracks.length === 0 ? 'video/mp4' : 'audio/mp4',
      // While recording the file grows (and its movie duration is set when it ends): always revalidate.
      cacheControl: media.recording ? 'no-cache' : 'public, max-age=3600',
    });
  } });
}
