import type { FastifyInstance } from 'fastify';
import type { AssetRecord, AssetService } from '../../../../services/recording/index.js';
import { isResourceId } from '../../../../services/random-ids.js';
import type { RecordedPlayDecision, RecordedPlayRequest } from '../../../auth-port.js';
import { answerPreflight, corsHeaders } from '../cors.js';
import { MIME_PLAYLIST } from '../hls/hls-responses.js';
import { sendPlaybackError } from '../playback-errors.js';
import { playbackIdOf, rawQuery } from '../playback-url.js';
import { sendFileRange } from './file-range.js';

export const VOD_MEDIA = 'recording.mp4';
const VOD_PLAYLIST = 'index.m3u8';

export interface VodDeps {
  readonly assets: Pick<AssetService, 'playable' | 'playlist' | 'media'>;
  /** Who may play a recording, decided from memory like live playback (ConfiguredPlayAuthorizer.decideRecorded). */
  decideRecorded(req: RecordedPlayRequest): RecordedPlayDecision;
}

/**
 * Recorded assets as HLS: /vod/<assetId>/index.m3u8 (EVENT while recording, VOD with ENDLIST after) whose
 * init segment and segments are byte ranges of /vod/<assetId>/recording.mp4, the same file the API
 * downloads. Part of the playback front: its id rule, CORS policy and error shape. The stream's playback
 * policy applies (a signed stream's assets need `?token=`, carried onto the media URIs of the playlist),
 * decided without the database; a finished asset's row is read once and then kept (AssetService.playable).
 */
export function registerVod(app: FastifyInstance, deps: VodDeps): void {
  const { assets } = deps;
  app.options('/vod/*', async (request, reply) => answerPreflight(request, reply));

  // GET and HEAD together: fastify's generated HEAD route would send Content-Length 0 for a file (file-range.ts).
  app.route<{ Params: { id: string; file: string }; Querystring: Record<string, string | string[] | undefined> }>({ method: ['GET', 'HEAD'], url: '/vod/:id/:file', handler: async (request, reply) => {
    const { file } = request.params;
    const id = playbackIdOf(request.params.id);
    if (!id || (file !== VOD_PLAYLIST && file !== VOD_MEDIA)) return sendPlaybackError(request, reply, 'not_found', 'no such VOD resource');
    const asset = isResourceId('ast', id) ? await assets.playable(id) : undefined;
    if (!asset) return sendPlaybackError(request, reply, 'asset_not_found', 'no asset with this id');
    const query = rawQuery(request.url);
    const decision = deps.decideRecorded({ playbackId: asset.playbackId, recordedPolicy: asset.playbackPolicy, query, clientIp: request.ip, asset });
    if (!decision.ok) {
      return decision.code === 'unauthorized'
        ? sendPlaybackError(request, reply, 'forbidden', 'a valid playback token is required')
        : sendPlaybackError(request, reply, 'asset_not_found', 'the asset\'s stream is disabled');
    }
    const token = typeof request.query.token === 'string' ? request.query.token : undefined;
    return file === VOD_PLAYLIST ? playlist(asset, token) : media(asset);

    async function playlist(a: AssetRecord, t: string | undefined) {
      const body = await assets.playlist(a, `${VOD_MEDIA}${t ? `?token=${encodeURIComponent(t)}` : ''}`);
      if (body !== undefined) {
        // An EVENT playlist grows while recording; a finished recording's VOD playlist never changes.
        return reply.code(200).headers(corsHeaders(request.headers.origin)).header('content-type', MIME_PLAYLIST)
          .header('cache-control', a.status === 'recording' ? 'no-cache' : 'public, max-age=3600').send(body);
      }
      return a.status === 'recording'
        ? sendPlaybackError(request, reply, 'stream_not_ready', 'no segment yet')
        : sendPlaybackError(request, reply, 'asset_not_found', 'nothing was recorded');
    }

    async function media(a: AssetRecord) {
      const m = await assets.media(a);
      if (!m) return sendPlaybackError(request, reply, 'asset_not_found', 'nothing was recorded');
      return sendFileRange(request, reply.headers(corsHeaders(request.headers.origin)), {
        path: m.path, size: m.size, mime: a.tracks.some((t) => t.kind === 'video') || a.tracks.length === 0 ? 'video/mp4' : 'audio/mp4',
        // While recording the file grows (and its movie duration is set when it ends): always revalidate.
        cacheControl: m.recording ? 'no-cache' : 'public, max-age=3600',
      });
    }
  } });
}
