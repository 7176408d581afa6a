import type { Logger } from '../../core/logger.js';
import { OnAirError } from '../../core/errors.js';
import { isDatabaseUnavailable } from '../../db/unavailable.js';
import { sha256Hex } from '../random-ids.js';
import type { PlaybackDirectory } from '../streams/playback-directory.js';
import type { StreamRecord } from '../streams/stream-types.js';
import { PUBLISH_LOOKUP_TIMEOUT_MS } from '../streams/limits.js';

/** The two lookups a publish decision makes (StreamService's). */
export interface PublishLookups {
  findByKey(key: string): Promise<StreamRecord | null>;
  getByPlaybackId(playbackId: string): Promise<StreamRecord | null>;
}

export interface LastKnownKeysOptions {
  readonly timeoutMs?: number;
}

/**
 * The publish lookups with a fallback for a PostgreSQL outage (README "PostgreSQL outage"). While the database is
 * unavailable, or does not answer within `timeoutMs`, a key is checked against the in-memory playback directory:
 * it holds every stream as last read (with its settings and its key's sha256, never the key), kept current by the
 * service, LISTEN and the periodic reload, so a key reset, a delete or a disable made before the outage applies,
 * on every node alike. A key no stream had is refused with ONAIR_ERR_UNAVAILABLE, which the authorizer turns into
 * a quick refusal: it cannot be checked, and is not trusted blind.
 */
export class LastKnownKeys implements PublishLookups {
  private readonly log: Logger;
  private readonly timeoutMs: number;

  constructor(private readonly inner: PublishLookups, private readonly directory: PlaybackDirectory, logger: Logger, options: LastKnownKeysOptions = {}) {
    this.log = logger.child({ module: 'last-known-keys' });
    this.timeoutMs = options.timeoutMs ?? PUBLISH_LOOKUP_TIMEOUT_MS;
  }

  async findByKey(key: string): Promise<StreamRecord | null> {
    try {
      return await this.bounded(this.inner.findByKey(key));
    } catch (err) {
      if (!isDatabaseUnavailable(err)) throw err;
      const entry = this.directory.getByKeyHash(sha256Hex(key));
      if (!entry?.stream) {
        throw new OnAirError('ONAIR_ERR_UNAVAILABLE', 'database unavailable: no stream had this key before the outage, so it cannot be checked', { cause: err });
      }
      this.log.warn({ streamId: entry.streamId, disabled: entry.disabled }, 'database unavailable: stream key checked against the last-known keys');
      return { ...entry.stream, streamKey: key, status: entry.disabled ? 'disabled' : entry.stream.status };
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
