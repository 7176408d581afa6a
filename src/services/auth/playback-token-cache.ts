import { PLAYBACK_TOKEN_CACHE_MAX } from './limits.js';
import { setNewest } from '../../core/bounded-map.js';

interface Verified {
  readonly playbackId: string;
  /** What the token was checked against (a PlaybackEntry): a changed entry is a new object, so a miss. */
  readonly against: object;
  readonly expSec: number;
}

/**
 * Playback tokens already verified, so a viewer's requests after its first cost no HMAC: keyed by the token
 * string, valid only for the playback id and the directory entry it was verified with, until its `exp`.
 * Only good tokens are kept (bad ones would let anyone flush the cache). Bounded LRU over a Map's order.
 */
export class PlaybackTokenCache {
  private readonly verified = new Map<string, Verified>();

  constructor(private readonly maxEntries = PLAYBACK_TOKEN_CACHE_MAX) {}

  /** The token's expiry when it was verified for `playbackId` against `against` and has not expired; else undefined. */
  get(token: string, playbackId: string, against: object, nowSec: number): number | undefined {
    const v = this.verified.get(token);
    if (!v) return undefined;
    if (v.playbackId !== playbackId || v.against !== against || nowSec >= v.expSec) {
      if (v.against !== against || nowSec >= v.expSec) this.verified.delete(token);
      return undefined;
    }
    this.verified.delete(token); // most recently used goes last
    this.verified.set(token, v);
    return v.expSec;
  }

  set(token: string, playbackId: string, against: object, expSec: number): void {
    setNewest(this.verified, token, { playbackId, against, expSec }, this.maxEntries);
  }

  /** Forgets everything (the playback secret changed). */
  clear(): void {
    this.verified.clear();
  }

  get size(): number {
    return this.verified.size;
  }
}
