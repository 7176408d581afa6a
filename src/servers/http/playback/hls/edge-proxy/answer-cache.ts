import type { HlsQuery } from '../hls-serving.js';
import type { RenderedPlaylist } from '../playlist-cache.js';
import type { EdgeHlsProxyOptions } from './proxy-options.js';
import type { UpstreamAnswer } from './upstream-fetch.js';

export interface CachedAnswer {
  readonly answer: UpstreamAnswer;
  /** performance.now() past which it is not served; Infinity for immutable media. */
  readonly expiresAt: number;
  /** Playlists: the body split around the token placeholder (views into it), made on the first viewer with a token. */
  pieces?: Buffer[];
  renderings?: Map<string, RenderedPlaylist>;
}

type CacheBounds = Pick<EdgeHlsProxyOptions, 'maxCacheBytes' | 'maxCacheEntries' | 'playlistTtlMaxMs' | 'directivePlaylistTtlMaxMs'>;

/**
 * The owners' answers an edge serves again, by upstream URL: media the owner calls immutable until evicted,
 * playlists for the owner's max-age (capped), errors never; least recently used dropped first past maxCacheBytes or
 * maxCacheEntries.
 */
export class AnswerCache {
  private readonly entries = new Map<string, CachedAnswer>();
  private bytes = 0;

  constructor(private readonly bounds: CacheBounds) {}

  /** The answer kept for `key` while it may be served, made the most recently used. */
  fresh(key: string): CachedAnswer | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    this.drop(key, hit);
    if (hit.expiresAt <= performance.now()) return undefined;
    this.entries.set(key, hit); // most recently used last
    this.bytes += hit.answer.body.length;
    return hit;
  }

  /**
   * `answer` as an entry, kept when it may be served again and is at most a quarter of the cache. `playlist`: a master
   * or media playlist (as the request named it, decided once per request by its caller), else media.
   */
  keep(key: string, answer: UpstreamAnswer, playlist: boolean, query: HlsQuery): CachedAnswer {
    const ttl = ttlMs(answer, playlist, query, this.bounds);
    const entry: CachedAnswer = { answer, expiresAt: ttl === Infinity ? Infinity : performance.now() + ttl };
    if (ttl <= 0 || answer.body.length > this.bounds.maxCacheBytes / 4) return entry;
    this.entries.set(key, entry);
    this.bytes += answer.body.length;
    for (const [k, e] of this.entries) {
      if (this.bytes <= this.bounds.maxCacheBytes && this.entries.size <= this.bounds.maxCacheEntries) break;
      this.drop(k, e);
    }
    return entry;
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }

  /** Bytes and entries held (tests, metrics). */
  get size(): { bytes: number; entries: number } {
    return { bytes: this.bytes, entries: this.entries.size };
  }

  private drop(key: string, entry: CachedAnswer): void {
    this.entries.delete(key);
    this.bytes -= entry.answer.body.length;
  }
}

/**
 * How long an answer may be served again: media the owner calls immutable for good; playlists for their s-maxage
 * (this is a shared cache, RFC 9111 §5.2.2.10) or else max-age, capped; errors never.
 */
function ttlMs(answer: UpstreamAnswer, playlist: boolean, query: HlsQuery, o: CacheBounds): number {
  if (answer.status !== 200) return 0;
  if (!playlist) return answer.cacheControl.includes('immutable') ? Infinity : 0;
  const m = /(?:^|[,\s])s-maxage=(\d+)/.exec(answer.cacheControl) ?? /(?:^|[,\s])max-age=(\d+)/.exec(answer.cacheControl);
  if (!m || /no-store|no-cache|private/.test(answer.cacheControl)) return 0;
  const cap = query._HLS_msn !== undefined ? o.directivePlaylistTtlMaxMs : o.playlistTtlMaxMs;
  return Math.min(Number(m[1]) * 1000, cap);
}
