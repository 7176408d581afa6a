import { renderMasterPlaylist } from '../../../../formats/m3u8/index.js';
import { type HlsRendition, type HlsUriScheme, type ReloadRequest, codecsAttribute, parseReloadQuery, segmentBytes } from '../../../../protocols/hls/index.js';
import type { ApiErrorCode } from '../../api-errors.js';
import type { HlsResource } from './hls-paths.js';
import { type HlsExchange, MIME_TS } from './hls-responses.js';
import type { Variant } from './hls-variants.js';
import { DIRECTIVE_PLAYLIST_TARGET_DURATIONS, FIRST_SEGMENT_WAIT_MS, LL_PLAYLIST_MAX_AGE_S } from './limits.js';
import { PlainClients, mayBeFirstPlaylist } from './plain-clients.js';
import { MasterCache, PlaylistCache } from './playlist-cache.js';
import { PreparedAnswers } from '../../lean/prepared-answer.js';
import { setNewest } from '../../../../core/bounded-map.js';

/** Parts and init segments whose whole answers are kept (the newest asked for): a few segments' worth of parts. */
const PREPARED_MEDIA = 64;
/** Larger media is answered as head + body (a copy per second would cost more than the head it saves). */
const MAX_PREPARED_BODY = 256 * 1024;

/** Instances whose token-less URI schemes are kept (one per packager instance: streams live at once). */
const PLAIN_SCHEMES = 256;

/** The registry code of each status a rendition's playlist answer can carry. */
const PLAYLIST_ERRORS: Record<400 | 404 | 503, ApiErrorCode> = { 400: 'invalid_request', 404: 'media_not_found', 503: 'stream_not_ready' };

export type HlsQuery = Readonly<Record<string, string | string[] | undefined>>;

/**
 * Serves one authorised HLS request from what the packagers made, rendering each playlist state once
 * (PlaylistCache per rendition, MasterCache per stream) and answering media as one Buffer per part or segment,
 * made once from the window's chunks and shared by every viewer.
 */
export class HlsServing {
  private readonly playlists = new WeakMap<HlsRendition, PlaylistCache>();
  private readonly masters = new WeakMap<HlsRendition, MasterCache>();
  /**
   * A complete segment as one Buffer, made once per segment (not per viewer) from its parts' chunks; keyed by the
   * window's segment. One Buffer, not one per part: a response of several chunks goes through Node's corked
   * write queue and its writev array chunk by chunk, and that per-chunk cost showed in the 500-viewer profile.
   */
  private readonly segmentLists = new WeakMap<object, readonly Buffer[]>();
  /** A part's chunks (moof + mdat header, then one Buffer per sample) as one Buffer, made once per part; keyed by the part's chunk list. */
  private readonly flatParts = new WeakMap<readonly Buffer[], readonly Buffer[]>();
  /**
   * The whole answers (head and body in one Buffer, prepared-answer.ts) of the newest parts and init segments asked
   * for, by their body: every viewer asking in the same second gets the same bytes in one write. Bounded by count
   * (PREPARED_MEDIA objects, each at most MAX_PREPARED_BODY bytes and a few variants); segments are not kept.
   */
  private readonly preparedMedia = new Map<Buffer, PreparedAnswers>();
  private readonly plainSchemes = new Map<string, HlsUriScheme>();
  /** Per stream (its source rendition): clients that asked a media playlist without directives, and when. */
  private readonly plainClients = new WeakMap<HlsRendition, PlainClients>();

  /**
   * Answers at once (no promise) unless the request has to wait: a blocking reload, a held hinted part, a playlist
   * before the first segment. A part leaves as one Buffer, a segment as one Buffer: a 2 s segment was ~165 Buffers
   * (one per sample), each a write on the response and an iovec in the kernel's writev, for every viewer.
   */
  serve(ex: HlsExchange, variants: readonly Variant[], res: HlsResource, query: HlsQuery): void | Promise<void> {
    if (res.kind === 'master') return this.master(ex, variants, query.format === 'ts' ? 'ts' : 'fmp4', tokenSuffix(query));
    let variant: Variant | undefined;
    for (let i = 0; i < variants.length && !variant; i++) if (variants[i]!.id === res.rendition) variant = variants[i];
    if (!variant) return ex.error('media_not_found', 'no such rendition');
    const { rendition, instance } = variant;
    if (res.kind === 'media') return this.media(ex, variants, variant, res.format, query);
    if (res.inst !== instance) return expired(ex);
    const mime = mediaMime(rendition);
    const tag = `"${instance}-${res.rendition}`;
    switch (res.kind) {
      case 'init': {
        const init = rendition.init(res.initId);
        return init ? this.small(ex, init, mime, `${tag}-i${res.initId}"`) : expired(ex);
      }
      case 'segment': {
        if (res.format === 'ts') {
          const ts = rendition.tsSegment(res.msn);
          return ts ? ex.media([ts], MIME_TS, `${tag}-t${res.msn}"`) : expired(ex);
        }
        const seg = this.segmentChunks(rendition, res.msn);
        return seg ? ex.media(seg, mime, `${tag}-s${res.msn}"`) : expired(ex);
      }
      case 'part': {
        const etag = `${tag}-p${res.msn}.${res.index}"`;
        const have = rendition.part(res.msn, res.index);
        if (have) return this.small(ex, this.flatPart(have), mime, etag);
        return rendition.awaitPart(res.msn, res.index, ex.parking).then((part) => {
          if (ex.gone) return;
          return part ? this.small(ex, this.flatPart(part), mime, etag) : expired(ex);
        });
      }
    }
  }

  private media(
    ex: HlsExchange, variants: readonly Variant[], variant: Variant, format: 'fmp4' | 'ts', query: HlsQuery,
  ): void | Promise<void> {
    const { rendition } = variant;
    const req = parseReloadQuery(query);
    if ('error' in req) return ex.error('invalid_request', req.error);
    const now = rendition.hasSegments ? rendition.checkPlaylist(format, req) : 'wait';
    if (now === 'wait') return this.mediaAfterWait(ex, variants, variant, format, req, query);
    if (now) return ex.error(PLAYLIST_ERRORS[now.status], now.reason);
    const hold = this.firstPlaylistHold(ex, variants, rendition, format, req);
    if (hold) return hold.then(() => (ex.gone ? undefined : this.renderMedia(ex, variants, variant, format, req, query)));
    this.renderMedia(ex, variants, variant, format, req, query);
  }

  private async mediaAfterWait(
    ex: HlsExchange, variants: readonly Variant[], variant: Variant, format: 'fmp4' | 'ts', req: ReloadRequest, query: HlsQuery,
  ): Promise<void> {
    const { rendition } = variant;
    if (!rendition.hasSegments && !(await rendition.waitFirstSegment(FIRST_SEGMENT_WAIT_MS, ex.parking))) {
      return ex.gone ? undefined : ex.error('stream_not_ready', 'no segment yet');
    }
    const refused = await rendition.awaitPlaylist(format, req, ex.parking);
    if (ex.gone) return;
    if (refused) return ex.error(PLAYLIST_ERRORS[refused.status], refused.reason);
    const hold = this.firstPlaylistHold(ex, variants, rendition, format, req);
    if (hold) {
      await hold;
      if (ex.gone) return;
    }
    this.renderMedia(ex, variants, variant, format, req, query);
  }

  /**
   * A new viewer's first LL-HLS media playlist (no directives, a client not seen asking one lately) is held until a
   * player starting PART-HOLD-BACK behind it starts on a keyframe part (HlsRendition.keyframeStart, bounded by
   * --hls-keyframe-start-ms). Never a blocking reload, a HEAD, or a client that asked a plain playlist of this stream
   * within PLAIN_CLIENT_MEMORY_MS (a classic player polling without directives). Another server's request is held
   * only when it says it asks for a new viewer of its own (ex.firstPlaylist: a worker's or node's copy, which keeps
   * its viewers' PlainClients, EdgeHlsProxy).
   */
  private firstPlaylistHold(
    ex: HlsExchange, variants: readonly Variant[], rendition: HlsRendition, format: 'fmp4' | 'ts', req: ReloadRequest,
  ): Promise<boolean> | undefined {
    if (!rendition.holdsFirstPlaylist || !mayBeFirstPlaylist(ex, format, req.msn !== undefined)) return undefined;
    const first = ex.firstPlaylist ?? (ex.viewer && this.plainClientsOf(variants[0]!.rendition).isNew(ex.req));
    return first ? rendition.keyframeStart(ex.parking) : undefined;
  }

  private plainClientsOf(stream: HlsRendition): PlainClients {
    let clients = this.plainClients.get(stream);
    if (!clients) this.plainClients.set(stream, (clients = new PlainClients()));
    return clients;
  }

  private renderMedia(ex: HlsExchange, variants: readonly Variant[], variant: Variant, format: 'fmp4' | 'ts', req: ReloadRequest, query: HlsQuery): void {
    const { rendition } = variant;
    const suffix = tokenSuffix(query);
    const ll = format === 'fmp4' && rendition.partTargetSec !== undefined;
    // Sibling reports are read after the wait, so they are as fresh as this playlist.
    const reports = ll && variants.length > 1 ? variants.flatMap((v) => {
      const last = v.id === variant.id ? undefined : v.rendition.lastPart;
      return last ? [{ uri: `../${v.id}/media.m3u8${suffix}`, ...last }] : [];
    }) : [];
    const cache = this.cacheOf(rendition);
    const uris = suffix ? uriScheme(variant.instance, suffix) : this.plainUris(variant.instance);
    const rendered = cache.get({ format, skip: req.skip !== undefined, suffix, uris }, reports);
    // The stream's cadence for the viewer's session (HlsServed.targetDuration): the source's, shared by its renditions.
    ex.targetDuration = variants[0]!.rendition.targetDuration;
    ex.playlist(rendered, playlistCacheControl(rendition.targetDuration, ll, req.msn !== undefined));
  }

  /**
   * Master playlist: one EXT-X-STREAM-INF per variant with a segment (ABR renditions appear once they have
   * one), highest BANDWIDTH first. BANDWIDTH/AVERAGE-BANDWIDTH are measured over the listed segments;
   * CODECS from the packaged tracks (profile/level from the SPS actually encoded).
   */
  private master(ex: HlsExchange, variants: readonly Variant[], format: 'fmp4' | 'ts', suffix: string): void | Promise<void> {
    if (variants.every((v) => v.rendition.hasSegments)) return this.renderMaster(ex, variants, format, suffix);
    return Promise.all(variants.map((v) => (v.rendition.hasSegments ? true : v.rendition.waitFirstSegment(FIRST_SEGMENT_WAIT_MS)))).then(() => {
      if (!ex.gone) this.renderMaster(ex, variants, format, suffix);
    });
  }

  private renderMaster(ex: HlsExchange, variants: readonly Variant[], format: 'fmp4' | 'ts', suffix: string): void {
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
    ex.playlist(rendered, halfTargetCacheControl(source.targetDuration));
  }

  private segmentChunks(r: HlsRendition, msn: number): readonly Buffer[] | undefined {
    const segs = r.window().segments;
    let seg = segs[msn - (segs[0]?.msn ?? 0)];
    if (!seg || seg.msn !== msn) seg = segs.find((s) => s.msn === msn); // not contiguous here (a gap)
    if (!seg) return undefined;
    let list = this.segmentLists.get(seg);
    // One Buffer per segment, shared by every viewer (segmentBytes: an EXT-X-GAP segment's is a fragment without media).
    if (!list) this.segmentLists.set(seg, (list = [Buffer.concat(segmentBytes(seg) as Buffer[])]));
    return list;
  }

  private flatPart(chunks: readonly Buffer[]): Buffer {
    if (chunks.length === 1) return chunks[0]!;
    let flat = this.flatParts.get(chunks);
    if (!flat) this.flatParts.set(chunks, (flat = [Buffer.concat(chunks as Buffer[])]));
    return flat[0]!;
  }

  /** A part or an init segment (one Buffer): from its prepared answers when it is small enough to keep them. */
  private small(ex: HlsExchange, body: Buffer, mime: string, etag: string): void {
    if (body.length > MAX_PREPARED_BODY) return ex.media([body], mime, etag);
    let prepared = this.preparedMedia.get(body);
    if (!prepared) setNewest(this.preparedMedia, body, (prepared = new PreparedAnswers()), PREPARED_MEDIA);
    ex.mediaPrepared(body, mime, etag, prepared);
  }

  /** The URI scheme of an instance without a token (nearly every request): made once, not four closures per request. */
  private plainUris(instance: string): HlsUriScheme {
    let uris = this.plainSchemes.get(instance);
    if (!uris) setNewest(this.plainSchemes, instance, (uris = uriScheme(instance, '')), PLAIN_SCHEMES);
    return uris;
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
 *
 * That lifetime is for shared caches only (`s-maxage`, RFC 9111 §5.2.2.10); a browser's own cache gets
 * `max-age=0` and revalidates (If-None-Match, 304 when nothing moved). One player never asks the same directive
 * URL twice, so a browser cache only ever serves one player's answer to another player in the same browser: to
 * one that has fallen behind, the answer as it was when the part it asks for was new, not the playlist now.
 * Shaka Player reloads no faster than once a PART-TARGET, slower than parts are made, so fed those old answers
 * it never catches up, its wall-clock live edge leaves its segment index behind, and it empties the index and
 * throws (README, "Shaka Player and short parts").
 */
export function playlistCacheControl(targetDuration: number, ll: boolean, directives: boolean): string {
  if (!ll) return halfTargetCacheControl(targetDuration);
  if (!directives) return LL_PLAYLIST_CACHE_CONTROL;
  if (targetDuration !== directiveTarget) {
    directiveTarget = targetDuration;
    directiveCacheControl = `public, max-age=0, s-maxage=${DIRECTIVE_PLAYLIST_TARGET_DURATIONS * targetDuration}`;
  }
  return directiveCacheControl;
}

const LL_PLAYLIST_CACHE_CONTROL = `public, max-age=${LL_PLAYLIST_MAX_AGE_S}`;
/** The last directive answer's Cache-Control, by target duration (one string, not one per blocking request). */
let directiveTarget = -1;
let directiveCacheControl = '';

function halfTargetCacheControl(targetDuration: number): string {
  return `public, max-age=${halfTarget(targetDuration)}`;
}

function tokenSuffix(query: HlsQuery): string {
  const token = query.token;
  return typeof token === 'string' && token ? `?token=${encodeURIComponent(token)}` : '';
}

function expired(ex: HlsExchange): void {
  ex.error('media_not_found', 'expired');
}

function halfTarget(targetDuration: number): number {
  return Math.max(1, Math.floor(targetDuration / 2));
}

function mediaMime(r: HlsRendition): string {
  const tracks = r.tracks;
  if (tracks.length === 0) return 'video/mp4';
  for (let i = 0; i < tracks.length; i++) if (tracks[i]!.kind === 'video') return 'video/mp4';
  return 'audio/mp4';
}

function uriScheme(inst: string, suffix: string): HlsUriScheme {
  return {
    init: (n) => `init-${inst}-${n}.mp4${suffix}`,
    segment: (msn) => `seg-${inst}-${msn}.m4s${suffix}`,
    part: (msn, i) => `part-${inst}-${msn}-${i}.m4s${suffix}`,
    tsSegment: (msn) => `seg-${inst}-${msn}.ts${suffix}`,
  };
}
