import type { Logger } from '../../core/logger.js';
import { OnAirError } from '../../core/errors.js';
import type { Database } from '../../db/database.js';
import type { EventPublisher } from './stream-events.js';
import { constantTimeEqual, newId, newPlaybackId, newStreamKey, sha256Hex } from '../random-ids.js';
import { StreamStore } from './stream-store.js';
import { SessionStore } from './session-store.js';
import type { Page } from '../../db/page-cursor.js';
import type { PlaybackDirectory } from './playback-directory.js';
import { summarize, streamPathOf, type LatencyMode, type SessionRecord, type StreamRecord, type StreamSettings } from './stream-types.js';

export interface CreateStreamInput {
  readonly name?: string;
  readonly settings?: Partial<StreamSettings>;
}

export interface UpdateStreamInput {
  readonly name?: string;
  readonly settings?: Partial<StreamSettings>;
}

/** Closes a live publisher on a hub path; true when one was connected. Wired to the hub by main.ts. */
export type KickPublisher = (streamPath: string, reason: string) => boolean;

export interface StreamServiceDeps {
  readonly db: Database;
  readonly logger: Logger;
  readonly events: EventPublisher;
  readonly kickPublisher: KickPublisher;
  /** Server-wide default for new streams (config.reconnectWindowSec). */
  readonly defaultReconnectWindowSec: number;
  /** Server-wide default for new streams (config.latencyMode): LL-HLS unless the operator chose otherwise. */
  readonly defaultLatencyMode: LatencyMode;
  readonly now?: () => Date;
  /** Told of every change before the call returns, so playback decisions see it at once (app.ts wires it). */
  readonly directory?: Pick<PlaybackDirectory, 'put' | 'remove'>;
}

/** The live-stream resource: CRUD, key rotation, disable/enable and the session history. */
export class StreamService {
  private readonly streams: StreamStore;
  private readonly sessions: SessionStore;
  private readonly now: () => Date;
  private readonly log: Logger;

  constructor(private readonly deps: StreamServiceDeps) {
    this.streams = new StreamStore(deps.db);
    this.sessions = new SessionStore(deps.db);
    this.now = deps.now ?? (() => new Date());
    this.log = deps.logger.child({ module: 'streams' });
  }

  async create(input: CreateStreamInput = {}): Promise<StreamRecord> {
    const streamKey = newStreamKey();
    const settings: StreamSettings = {
      latencyMode: this.deps.defaultLatencyMode,
      reconnectWindowSec: this.deps.defaultReconnectWindowSec,
      ladder: [],
      record: false,
      playbackPolicy: 'public',
      passthrough: null,
      ...definedOnly(input.settings ?? {}),
    };
    const stream = await this.streams.insert({
      id: newId('str'),
      name: input.name ?? 'Live stream',
      streamKey,
      keyHash: sha256Hex(streamKey),
      playbackId: newPlaybackId(),
      settings,
      now: this.now(),
    });
    this.deps.directory?.put(stream);
    this.log.info({ streamId: stream.id, playbackId: stream.playbackId }, 'stream created');
    await this.deps.events.publish('stream.created', { stream: summarize(stream) });
    return stream;
  }

  async list(limit: number, cursor?: string): Promise<Page<StreamRecord>> {
    const page = await this.streams.list(limit, cursor);
    if (!page) throw new OnAirError('ONAIR_ERR_MALFORMED', 'cursor is not one this server returned');
    return page;
  }

  get(id: string): Promise<StreamRecord | null> {
    return this.streams.get(id);
  }

  getByPlaybackId(playbackId: string): Promise<StreamRecord | null> {
    return this.streams.getByPlaybackId(playbackId);
  }

  /**
   * The stream whose key is `key`, or null. Looked up by sha256(key) (an index hit reveals nothing about
   * near misses), then the stored key is compared in constant time.
   */
  async findByKey(key: string): Promise<StreamRecord | null> {
    const stream = await this.streams.getByKeyHash(sha256Hex(key));
    if (!stream || !constantTimeEqual(stream.streamKey, key)) return null;
    return stream;
  }

  async update(id: string, input: UpdateStreamInput): Promise<StreamRecord | null> {
    const current = await this.streams.get(id);
    if (!current) return null;
    const settings = { ...current.settings, ...definedOnly(input.settings ?? {}) };
    const stream = await this.streams.update(id, input.name ?? current.name, settings, this.now());
    if (stream) this.deps.directory?.put(stream);
    if (stream) await this.deps.events.publish('stream.updated', { stream: summarize(stream) });
    return stream;
  }

  async delete(id: string): Promise<StreamRecord | null> {
    const stream = await this.streams.delete(id);
    if (!stream) return null;
    this.deps.directory?.remove(stream.playbackId);
    this.kick(stream, 'deleted');
    this.log.info({ streamId: id }, 'stream deleted');
    await this.deps.events.publish('stream.deleted', { stream: summarize(stream) });
    return stream;
  }

  /** New key; the old one stops working at once and a publisher live on it is closed. */
  async resetKey(id: string): Promise<StreamRecord | null> {
    const streamKey = newStreamKey();
    const stream = await this.streams.setKey(id, streamKey, sha256Hex(streamKey), this.now());
    if (!stream) return null;
    this.deps.directory?.put(stream);
    this.kick(stream, 'key_reset');
    this.log.info({ streamId: id }, 'stream key reset');
    await this.deps.events.publish('stream.key_reset', { stream: summarize(stream) });
    return stream;
  }

  async disable(id: string): Promise<StreamRecord | null> {
    const stream = await this.streams.setDisabled(id, true, this.now());
    if (!stream) return null;
    this.deps.directory?.put(stream);
    this.kick(stream, 'disabled');
    await this.deps.events.publish('stream.disabled', { stream: summarize(stream) });
    return stream;
  }

  async enable(id: string): Promise<StreamRecord | null> {
    const stream = await this.streams.setDisabled(id, false, this.now());
    if (!stream) return null;
    this.deps.directory?.put(stream);
    await this.deps.events.publish('stream.enabled', { stream: summarize(stream) });
    return stream;
  }

  /** Session history, newest first; null when the stream does not exist. */
  async listSessions(id: string, limit: number, cursor?: string): Promise<Page<SessionRecord> | null> {
    if (!(await this.streams.get(id))) return null;
    const page = await this.sessions.listForStream(id, limit, cursor);
    if (!page) throw new OnAirError('ONAIR_ERR_MALFORMED', 'cursor is not one this server returned');
    return page;
  }

  private kick(stream: StreamRecord, reason: string): void {
    try {
      if (this.deps.kickPublisher(streamPathOf(stream.playbackId), reason)) {
        this.log.info({ streamId: stream.id, reason }, 'live publisher closed');
      }
    } catch (err) {
      this.log.error({ err, streamId: stream.id }, 'kickPublisher failed');
    }
  }
}

/** Drops keys whose value is undefined so a partial settings object never erases a stored value. */
function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
