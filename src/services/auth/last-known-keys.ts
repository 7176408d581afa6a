import type { Logger } from '../../core/logger.js';
import { OnAirError } from '../../core/errors.js';
import { isDatabaseUnavailable } from '../../db/unavailable.js';
import { sha256Hex } from '../random-ids.js';
import type { PlaybackDirectory } from '../streams/playback-directory.js';
import type { StreamRecord } from '../streams/stream-types.js';
import { MAX_LAST_KNOWN_KEYS, PUBLISH_LOOKUP_TIMEOUT_MS } from '../streams/limits.js';

/** The two lookups a publish decision makes (StreamService's). */
export interface PublishLookups {
  findByKey(key: string): Promise<StreamRecord | null>;
  getByPlaybackId(playbackId: string): Promise<StreamRecord | null>;
}

export interface LastKnownKeysOptions {
  readonly max?: number;
  readonly timeoutMs?: number;
}

/**
 * The publish lookups with a fallback for a PostgreSQL outage (README "PostgreSQL outage"). Every key the
 * database confirmed is remembered (by its sha256, with its stream: LRU, `max` entries). While the database is
 * unavailable, or does not answer within `timeoutMs`, a remembered key is accepted when the in-memory playback
 * directory still holds its stream with the same key hash (a key reset or a delete before the outage reached it
 * through LISTEN or the periodic reload); the stream's disabled flag is the directory's. Any other key throws
 * ONAIR_ERR_UNAVAILABLE, which the authorizer turns into a quick refusal. An encoder that was live on this node
 * therefore gets back on air after a network drop during an outage; a key never used here is not trusted blind.
 */
export class LastKnownKeys implements PublishLookups {
  private readonly byHash = new Map<string, StreamRecord>();
  private readonly log: Logger;
  private readonly max: number;
  private readonly timeoutMs: number;

  constructor(private readonly inner: PublishLookups, private readonly directory: PlaybackDirectory, logger: Logger, options: LastKnownKeysOptions = {}) {
    this.log = logger.child({ module: 'last-known-keys' });
    this.max = options.max ?? MAX_LAST_KNOWN_KEYS;
    this.timeoutMs = options.timeoutMs ?? PUBLISH_LOOKUP_TIMEOUT_MS;
  }

  async findByKey(key: string): Promise<StreamRecord | null> {
    const hash = sha256Hex(key);
    try {
      const stream = await this.bounded(this.inner.findByKey(key));
      if (stream) this.remember(hash, stream);
      else this.byHash.delete(hash);
      return stream;
    } catch (err) {
      if (!isDatabaseUnavailable(err)) throw err;
      const known = this.byHash.get(hash);
      const entry = known && this.directory.get(known.playbackId);
      if (!known || !entry || entry.streamId !== known.id || entry.keyHash !== hash) {
        throw new OnAirError('ONAIR_ERR_UNAVAILABLE', 'database unavailable: this stream key was not used on this node before the outage, so it cannot be checked', { cause: err });
      }
      this.log.warn({ streamId: known.id, disabled: entry.disabled }, 'database unavailable: stream key checked against the last-known keys');
      return entry.disabled ? { ...known, status: 'disabled' } : known;
    }
  }

  /** Open and callback modes: a playback id the directory does not hold is no API stream's, without asking the database. */
  async getByPlaybackId(playbackId: string): Promise<StreamRecord | null> {
    try {
      return await this.bounded(this.inner.getByPlaybackId(playbackId));
    } catch (err) {
      if (isDatabaseUnavailable(err) && !this.directory.get(playbackId)) return null;
      throw err;
    }
  }

  private remember(hash: string, stream: StreamRecord): void {
    this.byHash.delete(hash);
    this.byHash.set(hash, stream);
    if (this.byHash.size > this.max) this.byHash.delete(this.byHash.keys().next().value!);
  }

  /** A lookup that takes longer than `timeoutMs` counts as the database being unavailable (the encoder is waiting). */
  private bounded<T>(p: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new OnAirError('ONAIR_ERR_UNAVAILABLE', `database did not answer a publish lookup within ${this.timeoutMs} ms`)), this.timeoutMs);
    });
    p.catch(() => {}); // a lookup that loses the race must not become an unhandled rejection
    return Promise.race([p, late]).finally(() => clearTimeout(timer));
  }
}
