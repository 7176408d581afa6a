import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../core/logger.js';
import { OnAirError } from '../../core/errors.js';
import type { Database } from '../../db/database.js';
import type { Page } from '../../db/page-cursor.js';
import { summarize, type StreamRecord } from '../streams/stream-types.js';
import type { EventPublisher } from '../streams/stream-events.js';
import { AssetStore, type AssetFilter } from './asset-store.js';
import { summarizeAsset, type AssetRecord } from './asset-types.js';
import { PLAYABLE_ASSET_CACHE_MAX } from './limits.js';
import { MEDIA_FILE_NAME, type RecordingPort } from './recording-port.js';
import type { RecordingService } from './recording-service.js';

export interface AssetServiceDeps {
  readonly db: Database;
  readonly recording: RecordingService;
  readonly port: Pick<RecordingPort, 'vodPlaylist'>;
  readonly streams: { get(id: string): Promise<StreamRecord | null> };
  readonly events: EventPublisher;
  readonly logger: Logger;
  readonly now?: () => Date;
}

/** The media file of an asset as far as it may be read: while recording, up to the last whole fragment. */
export interface AssetMedia {
  readonly path: string;
  readonly size: number;
  readonly recording: boolean;
}

/** Recorded assets for the API and the VOD routes: list, get, delete, media file, playlist, playback policy. */
export class AssetService {
  private readonly store: AssetStore;
  private readonly now: () => Date;
  private readonly log: Logger;
  /** Finished assets by id for playback (LRU over the Map's order); a delete through this service drops one. */
  private readonly playableCache = new Map<string, AssetRecord>();
  /** Counts deletes: a database read that a delete overtook must not put its row in the cache. */
  private deletes = 0;

  constructor(private readonly deps: AssetServiceDeps) {
    this.store = new AssetStore(deps.db);
    this.now = deps.now ?? (() => new Date());
    this.log = deps.logger.child({ module: 'assets' });
  }

  async list(filter: AssetFilter, limit: number, cursor?: string): Promise<Page<AssetRecord>> {
    const page = await this.store.list(filter, limit, cursor);
    if (!page) throw new OnAirError('ONAIR_ERR_MALFORMED', 'cursor is not one this server returned');
    return { items: page.items.map((a) => this.withLive(a)), nextCursor: page.nextCursor };
  }

  async get(id: string): Promise<AssetRecord | null> {
    const a = await this.store.get(id);
    return a && this.withLive(a);
  }

  /** Stops a recording in progress, removes the files, keeps the row as `deleted`. Idempotent. */
  async delete(id: string): Promise<AssetRecord | null> {
    this.deletes++;
    this.playableCache.delete(id);
    const current = await this.store.get(id);
    if (!current || current.status === 'deleted') return current;
    await this.deps.recording.stopAsset(id, 'deleted');
    await rm(this.deps.recording.assetDir(current), { recursive: true, force: true });
    const asset = await this.store.markDeleted(id, this.now());
    // Again once the row says deleted: a read that began while the files were being removed found it ready.
    this.deletes++;
    this.playableCache.delete(id);
    if (asset) {
      this.log.info({ assetId: id }, 'asset deleted');
      const stream = asset.streamId ? await this.deps.streams.get(asset.streamId) : null;
      await this.deps.events.publish('asset.deleted', { asset: summarizeAsset(asset), ...(stream ? { stream: summarize(stream) } : {}) });
    }
    return asset;
  }

  /** The MP4 of an asset, or undefined when it has none (deleted, or nothing was recorded). */
  async media(asset: AssetRecord): Promise<AssetMedia | undefined> {
    if (asset.status === 'deleted') return undefined;
    const path = join(this.deps.recording.assetDir(asset), MEDIA_FILE_NAME);
    const live = this.deps.recording.live(asset.id);
    if (live) return live.bytes > 0 ? { path, size: live.bytes, recording: true } : undefined;
    const size = (await stat(path).catch(() => undefined))?.size;
    return size ? { path, size, recording: false } : undefined;
  }

  /** EVENT playlist while recording, VOD after; undefined when there is nothing to play yet (or any more). */
  async playlist(asset: AssetRecord, mediaUri: string): Promise<string | undefined> {
    if (asset.status === 'deleted') return undefined;
    const live = this.deps.recording.live(asset.id);
    if (live) return live.playlist(mediaUri);
    return this.deps.port.vodPlaylist(this.deps.recording.assetDir(asset), mediaUri);
  }

  /**
   * The asset a playback request names, from memory when possible: a recording in progress from the recorder,
   * a finished one from a bounded cache (read once); undefined when unknown or deleted. Who may play it is
   * decided by the caller from the playback directory (ConfiguredPlayAuthorizer.decideRecorded).
   */
  async playable(id: string): Promise<AssetRecord | undefined> {
    const cached = this.playableCache.get(id);
    if (cached) {
      this.playableCache.delete(id);
      this.playableCache.set(id, cached);
      return cached;
    }
    const live = this.deps.recording.liveAsset(id);
    if (live) return (await live) ?? undefined;
    const deletes = this.deletes;
    const asset = await this.store.get(id);
    if (!asset || asset.status === 'deleted') return undefined;
    // A row still `recording` that this process does not write is finished elsewhere (or at the next start): not cached.
    if (asset.status !== 'recording' && deletes === this.deletes) {
      this.playableCache.set(id, asset);
      if (this.playableCache.size > PLAYABLE_ASSET_CACHE_MAX) this.playableCache.delete(this.playableCache.keys().next().value!);
    }
    return asset;
  }

  /** A recording in progress shows what is written so far. */
  private withLive(a: AssetRecord): AssetRecord {
    const live = a.status === 'recording' ? this.deps.recording.live(a.id) : undefined;
    return live ? { ...a, durationMs: live.durationMs, sizeBytes: live.bytes } : a;
  }
}
