import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { renderMasterPlaylist } from '../../../../formats/m3u8/index.js';
import type { HlsPackagers } from '../../../../bridges/hls/index.js';
import { type HlsRendition, type HlsUriScheme, codecsAttribute, parseReloadQuery } from '../../../../protocols/hls/index.js';
import type { ApiErrorCode } from '../../api-errors.js';
import { answerPreflight } from '../cors.js';
import type { PlaybackDeps } from '../playback-deps.js';
import { sendPlaybackError } from '../playback-errors.js';
import { playbackIdOf, rawQuery } from '../playback-url.js';
import { parseHlsPath, type HlsResource } from './hls-paths.js';
import { type Variant, variantsOf } from './hls-variants.js';
import { MIME_TS, sendMedia, sendPlaylist } from './hls-responses.js';
import { FIRST_SEGMENT_WAIT_MS } from './limits.js';

type HlsRequest = FastifyRequest<{ Querystring: Record<string, string | string[] | undefined> }>;

/** The registry code of each status a rendition's playlist answer can carry. */
const PLAYLIST_ERRORS: Record<400 | 404 | 503, ApiErrorCode> = { 400: 'invalid_request', 404: 'media_not_found', 503: 'stream_not_ready' };

export interface HlsServingDeps extends PlaybackDeps {
  /** Every stream's packager, composed by the caller (app.ts); undefined = HLS is off on this server. */
  readonly packagers: HlsPackagers | undefined;
}

/**
 * HLS and LL-HLS at /hls/<playbackId>/index.m3u8 (see hls-paths.ts for the URL space), served from what the
 * packagers made; every request is authorised (authorizePlay with the query, whose `token` is carried onto
 * every URI of the playlists served) and answered from memory.
 */
export function registerHls(app: FastifyInstance, deps: HlsServingDeps): void {
  const { packagers } = deps;
  if (!packagers) {
    app.get('/hls/*', async (request, reply) => sendPlaybackError(request, reply, 'not_found', 'HLS is off on this server (--hls off)'));
    return;
  }
  const variants = (streamPath: string): Variant[] => variantsOf(packagers, streamPath, deps.renditions);

  app.options('/hls/*', async (request, reply) => answerPreflight(request, reply));

  app.get<{ Params: { id: string; '*': string }; Querystring: Record<string, string | string[] | undefined> }>(
    '/hls/:id/*',
    async (request, reply) => {
      const id = playbackIdOf(request.params.id);
      const resource = parseHlsPath(request.params['*']);
      if (!id || !resource) return sendPlaybackError(request, reply, 'not_found', 'no such HLS resource');
      const decision = deps.decidePlay({ app: 'live', name: id, query: rawQuery(request.url), clientIp: request.ip, protocol: 'hls' });
      if (!decision.ok) {
        return decision.code === 'unauthorized'
          ? sendPlaybackError(request, reply, 'forbidden', 'a valid playback token is required')
          : sendPlaybackError(request, reply, 'stream_not_live', 'stream not live');
      }
      if (!packagers.get(decision.streamPath)) return sendPlaybackError(request, reply, 'stream_not_live', 'stream not live');
      return serve(request, reply, variants(decision.streamPath), resource);
    },
  );
}

async function serve(request: HlsRequest, reply: FastifyReply, variants: Variant[], res: HlsResource): Promise<FastifyReply> {
  const expired = (): FastifyReply => sendPlaybackError(request, reply, 'media_not_found', 'expired');
  const token = typeof request.query.token === 'string' ? request.query.token : undefined;
  const suffix = token ? `?token=${encodeURIComponent(token)}` : '';
  if (res.kind === 'master') return master(request, reply, variants, request.query.format === 'ts' ? 'ts' : 'fmp4', suffix);

  const variant = variants.find((v) => v.id === res.rendition);
  if (!variant) return sendPlaybackError(request, reply, 'media_not_found', 'no such rendition');
  const { rendition, instance } = variant;
  if (res.kind === 'media') {
    const req = parseReloadQuery(request.query);
    if ('error' in req) return sendPlaybackError(request, reply, 'invalid_request', req.error);
    if (!rendition.hasSegments && !(await rendition.waitFirstSegment(FIRST_SEGMENT_WAIT_MS))) {
      return sendPlaybackError(request, reply, 'stream_not_ready', 'no segment yet');
    }
    const reports = () => variants.flatMap((v) => {
      const last = v.id === variant.id ? undefined : v.rendition.lastPart;
      return last ? [{ uri: `../${v.id}/media.m3u8${suffix}`, ...last }] : [];
    });
    const answer = await rendition.playlist(res.format, req, uriScheme(instance, suffix), reports);
    return answer.status === 200 ? sendPlaylist(request, reply, answer.body) : sendPlaybackError(request, reply, PLAYLIST_ERRORS[answer.status], answer.reason);
  }
  if (res.inst !== instance) return expired();
  const mime = mediaMime(rendition);
  switch (res.kind) {
    case 'init': {
      const init = rendition.init(res.initId);
      return init ? sendMedia(request, reply, [init], mime) : expired();
    }
    case 'segment': {
      if (res.format === 'ts') {
        const ts = rendition.tsSegment(res.msn);
        return ts ? sendMedia(request, reply, [ts], MIME_TS) : expired();
      }
      const seg = rendition.segment(res.msn);
      return seg ? sendMedia(request, reply, seg, mime) : expired();
    }
    case 'part': {
      const part = await rendition.awaitPart(res.msn, res.index);
      return part ? sendMedia(request, reply, part, mime) : expired();
    }
  }
}

/**
 * Master playlist: one EXT-X-STREAM-INF per variant with a segment (ABR renditions appear once they have
 * one), highest BANDWIDTH first. BANDWIDTH/AVERAGE-BANDWIDTH are measured over the listed segments;
 * CODECS from the packaged tracks (profile/level from the SPS actually encoded).
 */
async function master(request: HlsRequest, reply: FastifyReply, variants: Variant[], format: 'fmp4' | 'ts', suffix: string): Promise<FastifyReply> {
  await Promise.all(variants.map((v) => (v.rendition.hasSegments ? true : v.rendition.waitFirstSegment(FIRST_SEGMENT_WAIT_MS))));
  const ready = variants.filter((v) => v.rendition.hasSegments).sort((a, b) => b.rendition.peakBandwidth - a.rendition.peakBandwidth);
  if (ready.length === 0) return sendPlaybackError(request, reply, 'stream_not_ready', 'no segment yet');
  const playlist = format === 'ts' ? 'ts.m3u8' : 'media.m3u8';
  const body = renderMasterPlaylist(ready.map(({ id, rendition: r }) => {
    const video = r.tracks.find((t) => t.kind === 'video');
    const codecs = codecsAttribute(r.tracks);
    const average = r.averageBandwidth;
    return {
      uri: `${id}/${playlist}${suffix}`,
      bandwidth: Math.max(1, r.peakBandwidth),
      ...(average > 0 ? { averageBandwidth: average } : {}),
      ...(codecs ? { codecs } : {}),
      ...(video?.info.width && video.info.height ? { resolution: { width: video.info.width, height: video.info.height } } : {}),
      ...(video?.info.fps ? { frameRate: video.info.fps } : {}),
    };
  }));
  return sendPlaylist(request, reply, body);
}

function mediaMime(r: HlsRendition): string {
  return r.tracks.some((t) => t.kind === 'video') || r.tracks.length === 0 ? 'video/mp4' : 'audio/mp4';
}

function uriScheme(inst: string, suffix: string): HlsUriScheme {
  return {
    init: (n) => `init-${inst}-${n}.mp4${suffix}`,
    segment: (msn) => `seg-${inst}-${msn}.m4s${suffix}`,
    part: (msn, i) => `part-${inst}-${msn}-${i}.m4s${suffix}`,
    tsSegment: (msn) => `seg-${inst}-${msn}.ts${suffix}`,
  };
}
