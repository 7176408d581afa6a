import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { renderMasterPlaylist } from '../../../formats/m3u8/index.js';
import type { HlsPackagers } from '../../../bridges/hls/index.js';
import {
  FIRST_SEGMENT_WAIT_MS, type HlsRendition, type HlsUriScheme, codecsAttribute, parseReloadQuery,
} from '../../../protocols/hls/index.js';
import type { PlaybackDeps } from '../playback-deps.js';
import { PLAYBACK_ID, parseHlsPath, type HlsResource } from './hls-paths.js';
import { type Variant, variantsOf } from './hls-variants.js';
import { MIME_TS, sendError, sendMedia, sendPlaylist, setCors } from './hls-responses.js';

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
    app.get('/hls/*', async (_request, reply) => sendError(reply, 404, 'HLS is off on this server (--hls off)'));
    return;
  }
  const variants = (streamPath: string): Variant[] => variantsOf(packagers, streamPath, deps.renditions);

  app.options('/hls/*', async (request, reply) => {
    setCors(reply)
      .header('access-control-allow-methods', 'GET, HEAD, OPTIONS')
      .header('access-control-allow-headers', request.headers['access-control-request-headers'] ?? 'range')
      .header('access-control-max-age', '86400');
    return reply.code(204).send();
  });

  app.get<{ Params: { id: string; '*': string }; Querystring: Record<string, string | string[] | undefined> }>(
    '/hls/:id/*',
    async (request, reply) => {
      const { id } = request.params;
      const resource = parseHlsPath(request.params['*']);
      if (!PLAYBACK_ID.test(id) || !resource) return sendError(reply, 404, 'not found');
      const rawQuery = request.url.includes('?') ? request.url.slice(request.url.indexOf('?') + 1) : '';
      const decision = await deps.authorizePlay({ app: 'live', name: id, query: rawQuery, clientIp: request.ip, protocol: 'hls' });
      if (!decision.ok) return sendError(reply, decision.code === 'unauthorized' ? 403 : 404, decision.code === 'unauthorized' ? 'forbidden' : 'not found');
      if (!packagers.get(decision.streamPath)) return sendError(reply, 404, 'stream not live');
      return serve(request, reply, variants(decision.streamPath), resource);
    },
  );
}

async function serve(request: FastifyRequest<{ Querystring: Record<string, string | string[] | undefined> }>, reply: FastifyReply, variants: Variant[], res: HlsResource): Promise<FastifyReply> {
  const token = typeof request.query.token === 'string' ? request.query.token : undefined;
  const suffix = token ? `?token=${encodeURIComponent(token)}` : '';
  if (res.kind === 'master') return master(reply, variants, request.query.format === 'ts' ? 'ts' : 'fmp4', suffix);

  const variant = variants.find((v) => v.id === res.rendition);
  if (!variant) return sendError(reply, 404, 'no such rendition');
  const { rendition, instance } = variant;
  if (res.kind === 'media') {
    const req = parseReloadQuery(request.query);
    if ('error' in req) return sendError(reply, 400, req.error);
    if (!rendition.hasSegments && !(await rendition.waitFirstSegment(FIRST_SEGMENT_WAIT_MS))) {
      return sendError(reply, 503, 'no segment yet');
    }
    const reports = () => variants.flatMap((v) => {
      const last = v.id === variant.id ? undefined : v.rendition.lastPart;
      return last ? [{ uri: `../${v.id}/media.m3u8${suffix}`, ...last }] : [];
    });
    const answer = await rendition.playlist(res.format, req, uriScheme(instance, suffix), reports);
    return answer.status === 200 ? sendPlaylist(reply, answer.body) : sendError(reply, answer.status, answer.reason);
  }
  if (res.inst !== instance) return sendError(reply, 404, 'expired');
  const mime = mediaMime(rendition);
  switch (res.kind) {
    case 'init': {
      const init = rendition.init(res.initId);
      return init ? sendMedia(request, reply, [init], mime) : sendError(reply, 404, 'expired');
    }
    case 'segment': {
      if (res.format === 'ts') {
        const ts = rendition.tsSegment(res.msn);
        return ts ? sendMedia(request, reply, [ts], MIME_TS) : sendError(reply, 404, 'expired');
      }
      const seg = rendition.segment(res.msn);
      return seg ? sendMedia(request, reply, seg, mime) : sendError(reply, 404, 'expired');
    }
    case 'part': {
      const part = await rendition.awaitPart(res.msn, res.index);
      return part ? sendMedia(request, reply, part, mime) : sendError(reply, 404, 'expired');
    }
  }
}

/**
 * Master playlist: one EXT-X-STREAM-INF per variant with a segment (ABR renditions appear once they have
 * one), highest BANDWIDTH first. BANDWIDTH/AVERAGE-BANDWIDTH are measured over the listed segments;
 * CODECS from the packaged tracks (profile/level from the SPS actually encoded).
 */
async function master(reply: FastifyReply, variants: Variant[], format: 'fmp4' | 'ts', suffix: string): Promise<FastifyReply> {
  await Promise.all(variants.map((v) => (v.rendition.hasSegments ? true : v.rendition.waitFirstSegment(FIRST_SEGMENT_WAIT_MS))));
  const ready = variants.filter((v) => v.rendition.hasSegments).sort((a, b) => b.rendition.peakBandwidth - a.rendition.peakBandwidth);
  if (ready.length === 0) return sendError(reply, 503, 'no segment yet');
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
  return sendPlaylist(reply, body);
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
