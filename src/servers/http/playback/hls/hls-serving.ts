import { renderMasterPlaylist } from '../../../../formats/m3u8/index.js';
import { type HlsRendition, type HlsUriScheme, codecsAttribute, parseReloadQuery } from '../../../../protocols/hls/index.js';
import type { ApiErrorCode } from '../../api-errors.js';
import type { HlsResource } from './hls-paths.js';
import { type HlsExchange, MIME_TS } from './hls-responses.js';
import type { Variant } from './hls-variants.js';
import { DIRECTIVE_PLAYLIST_TARGET_DURATIONS, FIRST_SEGMENT_WAIT_MS, LL_PLAYLIST_MAX_AGE_S } from './limits.js';
import { MasterCache, PlaylistCache } from './playlist-cache.js';

/** The registry code of each status a rendition's playlist answer can carry. */
const PLAYLIST_ERRORS: Record<400 | 404 | 503, ApiErrorCode> = { 400: 'invalid_request', 404: 'media_not_found', 503: 'stream_not_ready' };

export type HlsQuery = Readonly<Record<string, string | string[] | undefined>>;

/**
 * Serves one authorised HLS request from what the packagers made, rendering each playlist state once
 * (PlaylistCache per rendition, MasterCache per stream) and answering media with the window's own Buffers.
 */
export class HlsServing {
  private readonly playlists = new WeakMap<HlsRendition, PlaylistCache>();
  private readonly masters = new WeakMap<HlsRendition, MasterCache>();
  /** A complete segment's chunks as one list, made once per segment (not per viewer); keyed by the window's segment. */
  private readonly segmentLists = new WeakMap<object, readonly Buffer[]>();

  async serve(ex: HlsExchange, variants: readonly Variant[], res: HlsResource, query: HlsQuery): Promise<void> {
    const expired = (): void => ex.error('media_not_found', 'expired');
    const token = typeof query.token === 'string' ? query.token : undefined;
    const suffix = token ? `?token=${encodeURIComponent(token)}` : '';
    if (res.kind === 'master') return this.master(ex, variants, query.format === 'ts' ? 'ts' : 'fmp4', suffix);

    const variant = variants.find((v) => v.id === res.rendition);
    if (!variant) return ex.error('media_not_found', 'no such rendition');
    const { rendition, instance } = variant;
    if (res.kind === 'media') return this.media(ex, variants, variant, res.format, query, suffix);
    if (res.inst !== instance) return expired();
    const mime = mediaMime(rendition);
    const tag = `"${instance}-${res.rendition}`;
    switch (res.kind) {
      case 'init': {
        const init = rendition.init(res.initId);
        return init ? ex.media([init], mime, `${tag}-i${res.initId}"`) : expired();
      }
      case 'segment': {
        if (res.format === 'ts') {
          const ts = rendition.tsSegment(res.msn);
          return ts ? ex.media([ts], MIME_TS, `${tag}-t${res.msn}"`) : expired();
        }
        const seg = this.segmentChunks(rendition, res.msn);
        return seg ? ex.media(seg, mime, `${tag}-s${res.msn}"`) : expired();
      }
      case 'part': {
        const part = await rendition.awaitPart(res.msn, res.index);
        if (ex.gone) return;
        return part ? ex.media(part, mime, `${tag}-p${res.msn}.${res.index}"`) : expired();
      }
    }
  }

  private async media(
    ex: HlsExchange, variants: readonly Variant[], variant: Variant, format: 'fmp4' | 'ts', query: HlsQuery, suffix: string,
  ): Promise<void> {
    const { rendition } = variant;
    const req = parseReloadQuery(query);
    if ('error' in req) return ex.error('invalid_request', req.error);
    if (!rendition.hasSegments && !(await rendition.waitFirstSegment(FIRST_SEGMENT_WAIT_MS))) {
      return ex.gone ? undefined : ex.error('stream_not_ready', 'no segment yet');
    }
    const refused = await rendition.awaitPlaylist(format, req);
    if (ex.gone) return;
    if (refused) return ex.error(PLAYLIST_ERRORS[refused.status], refused.reason);
    const ll = format === 'fmp4' && rendition.partTargetSec !== undefined;
    // Sibling reports are read after the wait, so they are as fresh as this playlist.
    const reports = ll ? variants.flatMap((v) => {
      const last = v.id === variant.id ? undefined : v.rendition.lastPart;
      return last ? [{ uri: `../${v.id}/media.m3u8${suffix}`, ...last }] : [];
    }) : [];
    const cache = this.cacheOf(rendition);
    const rendered = cache.get({ format, skip: req.skip !== undefined, suffix, uris: uriScheme(variant.instance, suffix) }, reports);
    ex.playlist(rendered, playlistCacheControl(rendition.targetDuration, ll, req.msn !== undefined));
  }

  /**
   * Master playlist: one EXT-X-STREAM-INF per variant with a segment (ABR renditions appear once they have
   * one), highest BANDWIDTH first. BANDWIDTH/AVERAGE-BANDWIDTH are measured over the listed segments;
   * CODECS from the packaged tracks (profile/level from the SPS actually encoded).
   */
  private async master(ex: HlsExchange, variants: readonly Variant[], format: 'fmp4' | 'ts', suffix: string): Promise<void> {
    await Promise.all(variants.map((v) => (v.rendition.hasSegments ? true : v.rendition.waitFirstSegment(FIRST_SEGMENT_WAIT_MS))));
    if (ex.gone) return;
    const ready = variants.filter((v) => v.rendition.hasSegments).sort((a, b) => b.rendition.peakBandwidth - a.rendition.peakBandwidth);
    if (ready.length === 0) return ex.error('stream_not_ready', 'no segment yet');
    const source = variants[0]!.rendition;
    let cache = this.masters.get(source);
    if (!cache) this.masters.set(source, (cache = new MasterCache()));
    const key = `${format}|${suffix}|${ready.map((v) => `${v.id}:${v.instance}:${v.rendition.version}`).join(',')}`;
    const playlist = format === 'ts' ? 'ts.m3u8' : 'media.m3u8';
    const rendered = cache.get(key, () => renderMasterPlaylist(ready.map(({ id, rendition: r }) => {
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
    })));
    ex.playlist(rendered, `public, max-age=${halfTarget(source.targetDuration)}`);
  }

  private segmentChunks(r: HlsRendition, msn: number): readonly Buffer[] | undefined {
    const segs = r.window().segments;
    const seg = segs[msn - (segs[0]?.msn ?? 0)];
    if (!seg || seg.msn !== msn) return r.segment(msn); // not contiguous here (a gap): ask the window
    let list = this.segmentLists.get(seg);
    if (!list) {
      list = r.segment(msn);
      if (list) this.segmentLists.set(seg, list);
    }
    return list;
  }

  private cacheOf(r: HlsRendition): PlaylistCache {
    let c = this.playlists.get(r);
    if (!c) this.playlists.set(r, (c = new PlaylistCache(r)));
    return c;
  }
}

/**
 * Cache-Control of a media playlist (what a CDN in front keeps, see README "HTTP cache in front"): half a target
 * duration for a classic playlist (RFC 8216 §6.2.2 reload cadence); LL-HLS without directives 1 s; a blocking
 * reload's answer is right for its exact query (`_HLS_msn`/`_HLS_part`/`_HLS_skip` are in the cache key) for
 * several target durations, so concurrent viewers asking the same part share one origin request.
 */
export function playlistCacheControl(targetDuration: number, ll: boolean, directives: boolean): string {
  if (!ll) return `public, max-age=${halfTarget(targetDuration)}`;
  if (!directives) return `public, max-age=${LL_PLAYLIST_MAX_AGE_S}`;
  return `public, max-age=${DIRECTIVE_PLAYLIST_TARGET_DURATIONS * targetDuration}`;
}

function halfTarget(targetDuration: number): number {
  return Math.max(1, Math.floor(targetDuration / 2));
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
