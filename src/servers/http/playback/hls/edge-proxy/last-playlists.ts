import type { HlsQuery } from '../hls-serving.js';
import type { CachedAnswer } from './answer-cache.js';
import type { UpstreamAnswer } from './upstream-fetch.js';
import { upstreamQuery } from './upstream-query.js';

/** Last playlists kept for answers between owners (one per stream, rendition and request shape; oldest dropped first). */
const MAX_LAST_PLAYLISTS = 4096;
const MAX_LAST_PLAYLIST_BYTES = 32 * 1024 * 1024;

/**
 * The last playlist each owner answered, per stream path, URL path and request shape, with when: what a playlist
 * request between owners is answered after its hold (EdgeHlsProxy.betweenOwners). Each its own entry (the cache's
 * carries every viewer token's rendering), bounded in count and bytes, oldest out first.
 */
export class LastPlaylists {
  private readonly entries = new Map<string, { entry: CachedAnswer; at: number }>();
  private bytes = 0;

  remember(streamPath: string, urlPath: string, query: HlsQuery, token: boolean, answer: UpstreamAnswer): void {
    const key = lastPlaylistKey(streamPath, urlPath, query, token);
    const old = this.entries.get(key);
    if (old) {
      this.entries.delete(key);
      this.bytes -= old.entry.answer.body.length;
    }
    this.entries.set(key, { entry: { answer, expiresAt: 0 }, at: performance.now() });
    this.bytes += answer.body.length;
    for (const [k, e] of this.entries) {
      if (this.entries.size <= MAX_LAST_PLAYLISTS && this.bytes <= MAX_LAST_PLAYLIST_BYTES) break;
      this.entries.delete(k);
      this.bytes -= e.entry.answer.body.length;
    }
  }

  /** The last playlist for a request of this shape, when it was answered less than `maxAgeMs` ago. */
  get(streamPath: string, urlPath: string, query: HlsQuery, token: boolean, maxAgeMs: number): CachedAnswer | undefined {
    const last = this.entries.get(lastPlaylistKey(streamPath, urlPath, query, token));
    return last && performance.now() - last.at < maxAgeMs ? last.entry : undefined;
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }
}

/**
 * The key of the last playlist kept for `urlPath` of `streamPath` (any owner): the forwarded query without the
 * blocking-reload directives, as any answer of the owner's to a request of this shape (skip or not, format, token or
 * not) is a playlist a client asking this way can take.
 */
function lastPlaylistKey(streamPath: string, urlPath: string, query: HlsQuery, token: boolean): string {
  return `${streamPath} ${urlPath}${upstreamQuery({ ...query, _HLS_msn: undefined, _HLS_part: undefined }, token)}`;
}
