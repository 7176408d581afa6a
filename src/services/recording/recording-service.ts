import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../core/logger.js';
import type { Database } from '../../db/database.js';
import type { StreamEventInfo, StreamHub } from '../../hub/index.js';
import { newId } from '../random-ids.js';
import { summarize, type StreamRecord } from '../streams/stream-types.js';
import { TRANSCODE_PROTOCOL } from '../transcode/transcode-session.js';
import type { EventPublisher } from '../streams/stream-events.js';
import { AssetStore, type AssetEnd } from './asset-store.js';
import { summarizeAsset, type AssetRecord } from './asset-types.js';
import { DiskGuard, type FreeSpaceReader, statfsFreeBytes } from './disk-guard.js';
import { DISK_CHECK_INTERVAL_MS } from './limits.js';
import { MEDIA_FILE_NAME, type RecorderHandle, type RecordingPort, type RecordingResult } from './recording-port.js';
import type { DeferredWrites } from '../streams/deferred-writes.js';
import { SERVER_RESTART_REASON, type NodeRun } from '../streams/lost-session-store.js';

export interface RecordingServiceDeps {
  /** This cluster node's id and current run, stored with each recording (a survivor finishes them if it dies). */
  readonly node?: () => NodeRun;
  readonly db: Database;
  readonly hub: StreamHub;
  readonly port: RecordingPort;
  readonly logger: Logger;
  readonly events: EventPublisher;
  readonly streams: { get(id: string): Promise<StreamRecord | null> };
  /** Every asset's directory is created in here (`<dir>/<assetId>/`). */
  readonly dir: string;
  /** Below this many free bytes on the recordings volume recording stops (0 = never checked). */
  readonly minFreeBytes: number;
  /** For publishers whose decision carries no reconnect window (config.reconnectWindowSec). */
  readonly defaultReconnectWindowSec: number;
  readonly freeBytes?: FreeSpaceReader;
  readonly diskCheckIntervalMs?: number;
  /** Finish the recordings a stopped server left open (default true; false where others may be recording: a node joining a live cluster, every worker start but the first). */
  readonly recoverAtStart?: boolean;
  readonly now?: () => Date;
  /** PostgreSQL outage: the end of a recording (its row and event) waits here until the database is back. */
  readonly writes?: DeferredWrites;
}

interface ActiveRecording {
  readonly assetId: string;
  readonly path: string;
  readonly dir: string;
  handle: RecorderHandle;
  /** The asset's row (null when it could not be written). */
  created: Promise<AssetRecord | null>;
  /** Resolves once the files are finished and the row updated. */
  done: Promise<void>;
  /** Why the service stopped it, when it did (overrides the recorder's reason). */
  stoppedFor?: { readonly endReason: string; readonly error: string | null };
}

/**
 * Records the live sessions of streams with `settings.record`: a recorder per stream path started at publish
 * (a reconnect within the window continues it), an asset row per recording, webhooks asset.created /
 * asset.ready / asset.failed, the free-space floor, and at start the recordings a crash left open.
 * Never throws into the media path: storage failures are logged.
 */
export class RecordingService {
  private readonly store: AssetStore;
  private readonly guard: DiskGuard;
  private readonly log: Logger;
  private readonly now: () => Date;
  private readonly byPath = new Map<string, ActiveRecording>();
  private readonly byAsset = new Map<string, ActiveRecording>();
  private offPublish: (() => void) | undefined;
  private closed = false;
  private markClosing!: () => void;
  /** Resolves (null) at close: a recording's end stops waiting for a row that is still queued. */
  private readonly closing = new Promise<null>((resolve) => (this.markClosing = () => resolve(null)));

  constructor(private readonly deps: RecordingServiceDeps) {
    this.store = new AssetStore(deps.db);
    this.log = deps.logger.child({ module: 'recording' });
    this.now = deps.now ?? (() => new Date());
    this.guard = new DiskGuard({
      dir: deps.dir, minFreeBytes: deps.minFreeBytes, intervalMs: deps.diskCheckIntervalMs ?? DISK_CHECK_INTERVAL_MS,
      freeBytes: deps.freeBytes ?? statfsFreeBytes, onLow: (free) => this.diskLow(free),
      onError: (err) => this.log.error({ err, dir: deps.dir }, 'cannot read the free space of the recordings volume'),
    });
  }

  /** Creates the recordings directory, finishes what a crash left open, then records new publishes. */
  async init(): Promise<void> {
    await mkdir(this.deps.dir, { recursive: true });
    // Not where another node or worker may be recording now (app.ts decides): recovering would end its recordings.
    if (this.deps.recoverAtStart !== false) await this.recover();
    await this.guard.check();
    this.guard.start();
    this.offPublish = this.deps.hub.events.on('publish', (e) => this.onPublish(e));
  }

  /** The recorder writing `assetId` now, if any. */
  live(assetId: string): RecorderHandle | undefined {
    return this.byAsset.get(assetId)?.handle;
  }

  /** The row of the recording of `assetId` being written now (its tracks as created: none), if any. */
  liveAsset(assetId: string): Promise<AssetRecord | null> | undefined {
    return this.byAsset.get(assetId)?.created;
  }

  /** Where an asset's files are. */
  assetDir(asset: Pick<AssetRecord, 'storagePath'>): string {
    return join(this.deps.dir, asset.storagePath);
  }

  /** Stops the recording of `assetId` if it is being written, and waits until its row is final. */
  async stopAsset(assetId: string, endReason: string): Promise<void> {
    const r = this.byAsset.get(assetId);
    if (!r) return;
    this.stop(r, endReason, null);
    await r.done;
  }

  /** Stops every recording (they end as ready: what was recorded is complete) and waits for their rows. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.markClosing();
    this.offPublish?.();
    this.guard.close();
    const all = [...this.byAsset.values()];
    for (const r of all) this.stop(r, 'server_shutdown', null);
    await Promise.all(all.map((r) => r.done));
  }

  private onPublish(e: StreamEventInfo): void {
    if (this.closed) return;
    const { publisher } = e;
    // Transcoder renditions carry their source's settings: only the source is recorded.
    const record = publisher.protocol !== TRANSCODE_PROTOCOL && publisher.delivery?.record === true && publisher.streamId !== undefined;
    const current = this.byPath.get(e.path);
    // A recorder already finishing (its window was 0, or it ended on its own) records nothing more: start anew.
    if (current?.handle.isFinishing) this.byPath.delete(e.path);
    else if (current) {
      // Back within the reconnect window: the recorder continues, unless recording was switched off meanwhile.
      if (!record) this.stop(current, 'publisher_left', null);
      return;
    }
    if (record) this.begin(e.path, publisher.streamId!, publisher.delivery!.reconnectWindowSec ?? this.deps.defaultReconnectWindowSec);
  }

  private begin(path: string, streamId: string, reconnectWindowSec: number): void {
    const assetId = newId('ast');
    const dir = join(this.deps.dir, assetId);
    const startedAt = this.now();
    if (this.guard.low) {
      const error = this.floorMessage(this.guard.freeBytes);
      this.log.warn({ streamId, path, assetId }, `not recording: ${error}`);
      void this.createRow(assetId, path, streamId, startedAt, { endReason: 'disk_full', error }).catch((err) => this.log.error({ err }, 'asset not stored'));
      return;
    }
    let finished!: (result: RecordingResult) => void;
    const result = new Promise<RecordingResult>((resolve) => (finished = resolve));
    // Registered before the recorder starts: subscribing replays the GOP cache, which may report tracks at once.
    const r: ActiveRecording = { assetId, path, dir, handle: undefined as unknown as RecorderHandle, created: Promise.resolve(null), done: Promise.resolve() };
    this.byPath.set(path, r);
    this.byAsset.set(assetId, r);
    r.created = this.createRowOrWait(assetId, path, streamId, startedAt).then((row) => {
      if (!row) this.stop(r, 'store_failed', null);
      return row;
    });
    r.handle = this.deps.port.start(this.deps.hub, path, {
      dir, reconnectWindowMs: reconnectWindowSec * 1000, log: this.log.child({ assetId }),
      onTracks: (tracks) => void r.created.then((row) => row && this.store.setTracks(assetId, tracks, this.now())).catch((err) => this.log.error({ err, assetId }, 'asset tracks not stored')),
      onFinished: finished,
    });
    r.done = result.then((res) => this.finished(r, res)).catch((err) => this.log.error({ err, assetId }, 'asset end not stored'));
    this.log.info({ assetId, streamId, path }, 'recording started');
  }

  /**
   * The asset row of a recording that starts now. With PostgreSQL unavailable it waits in the write queue (README
   * "PostgreSQL outage") and the recording goes on meanwhile; null when it cannot be stored (logged): stop then.
   */
  private createRowOrWait(assetId: string, path: string, streamId: string, now: Date): Promise<AssetRecord | null> {
    const failed = (err?: unknown) => {
      this.log.error({ ...(err ? { err } : {}), assetId }, 'asset not stored: recording stopped');
      return null;
    };
    const { writes } = this.deps;
    if (!writes) return this.createRow(assetId, path, streamId, now).catch(failed);
    return new Promise((resolve) => {
      void writes.run('recording start', async () => resolve(await this.createRow(assetId, path, streamId, now)), () => resolve(failed()));
    });
  }

  private async createRow(
    assetId: string, path: string, streamId: string, now: Date, failed?: { endReason: string; error: string },
  ): Promise<AssetRecord> {
    const stream = await this.deps.streams.get(streamId);
    const asset = await this.store.insert({
      id: assetId, streamId: stream?.id ?? null, streamPath: path, playbackId: stream?.playbackId ?? null,
      playbackPolicy: stream?.settings.playbackPolicy ?? 'public', status: failed ? 'failed' : 'recording', storagePath: assetId, now,
      ...(failed ?? {}), node: this.deps.node?.(),
    });
    await this.emit('asset.created', asset, stream);
    if (failed) await this.emit('asset.failed', asset, stream);
    return asset;
  }

  private stop(r: ActiveRecording, endReason: string, error: string | null): void {
    r.stoppedFor ??= { endReason, error };
    if (this.byPath.get(r.path) === r) this.byPath.delete(r.path); // a new publish may start a new recording meanwhile
    void r.handle.stop(endReason);
  }

  private async finished(r: ActiveRecording, result: RecordingResult): Promise<void> {
    if (this.byPath.get(r.path) === r) this.byPath.delete(r.path);
    this.byAsset.delete(r.assetId);
    const endedAt = this.now();
    // After the row's creation, which may still wait in the write queue (an outage): the end is stored behind it.
    const store = async (): Promise<void> => {
      // Closing with the row still queued: left as the queue leaves it (a row stored open is recovered at the next
      // start, as after a crash), rather than holding the shutdown until the queue closes after this service.
      if (!(await Promise.race([r.created, this.closing]))) return;
      const error = r.stoppedFor?.error ?? result.error ?? null;
      const endReason = r.stoppedFor?.endReason ?? result.reason;
      const asset = await this.store.finish(r.assetId, {
        status: error ? 'failed' : 'ready', endedAt, durationMs: result.durationMs, sizeBytes: result.bytes,
        gaps: result.gaps, gapMs: result.gapMs, endReason, error,
      });
      if (!asset) return;
      this.log.info({ assetId: r.assetId, status: asset.status, endReason: asset.endReason, durationMs: asset.durationMs, error }, 'recording finished');
      // A deleted asset gets asset.deleted once its files are gone (AssetService), not a ready first.
      if (endReason !== 'deleted') await this.emit(asset.status === 'ready' ? 'asset.ready' : 'asset.failed', asset);
    };
    if (this.deps.writes) await this.deps.writes.run('recording end', store);
    else await store();
    // Ended while a publisher is live: other tracks (tracks_changed), or a takeover with no reconnect window
    // (publisher_left as the new one attached). The next recording starts now. Other reasons (the disk, a
    // deletion, a failing store or recorder) would only end the same way again.
    const reason = r.stoppedFor?.endReason ?? result.reason;
    const publisher = this.deps.hub.stream(r.path)?.publisher;
    if (!this.closed && !this.byPath.has(r.path) && (reason === 'tracks_changed' || reason === 'publisher_left') && publisher?.info.delivery?.record && publisher.info.streamId) {
      this.begin(r.path, publisher.info.streamId, publisher.info.delivery.reconnectWindowSec ?? this.deps.defaultReconnectWindowSec);
    }
  }

  private diskLow(freeBytes: number): void {
    if (this.byAsset.size === 0) return;
    const error = this.floorMessage(freeBytes);
    this.log.warn({ recordings: this.byAsset.size, freeBytes }, `stopping every recording: ${error}`);
    for (const r of this.byAsset.values()) this.stop(r, 'disk_full', `recording stopped: ${error}`);
  }

  private floorMessage(freeBytes: number): string {
    const mb = (n: number): number => Math.floor(n / (1024 * 1024));
    return `${mb(freeBytes)} MB free on the recordings volume, below the floor of ${mb(this.deps.minFreeBytes)} MB (--record-min-free-mb)`;
  }

  /** Recordings a crash left open: the journal says what is whole; the file is finished from it. */
  private async recover(): Promise<void> {
    await this.recoverAssets(await this.store.listRecording(), SERVER_RESTART_REASON);
  }

  /**
   * Recordings a cluster node left open (it was lost, or it is this node's previous run under the same id; `run`
   * null = any run): finished from their files where this node can read them (a shared --record-dir, or its own
   * disk after a restart), `failed` otherwise. Never one this node is writing.
   */
  async recoverForNode(nodeId: string, run: string | null, reason: string): Promise<void> {
    const open = (await this.store.listRecordingOfNode(nodeId, run)).filter((a) => !this.live(a.id));
    await this.recoverAssets(open, reason);
  }

  private async recoverAssets(assets: readonly AssetRecord[], endReason: string): Promise<void> {
    for (const asset of assets) {
      const dir = this.assetDir(asset);
      let end: AssetEnd;
      try {
        const found = await this.deps.port.recover(dir);
        const endedAt = (await stat(join(dir, MEDIA_FILE_NAME)).catch(() => undefined))?.mtime ?? this.now();
        end = found && found.durationMs > 0
          ? { status: 'ready', endedAt, durationMs: found.durationMs, sizeBytes: found.bytes, gaps: 0, gapMs: 0, endReason, error: null }
          : { status: 'failed', endedAt, durationMs: 0, sizeBytes: found?.bytes ?? 0, gaps: 0, gapMs: 0, endReason, error: found || endReason === SERVER_RESTART_REASON ? 'the server stopped before any media was recorded' : 'no recorded media found here (its files stay on the node that recorded it)' };
      } catch (err) {
        this.log.error({ err, assetId: asset.id }, 'recording could not be recovered');
        end = { status: 'failed', endedAt: this.now(), durationMs: 0, sizeBytes: 0, gaps: 0, gapMs: 0, endReason, error: `recovery failed: ${(err as Error).message}` };
      }
      const done = await this.store.finish(asset.id, end);
      if (done) {
        this.log.info({ assetId: asset.id, status: done.status, durationMs: done.durationMs }, 'recording left open by a stop recovered');
        await this.emit(done.status === 'ready' ? 'asset.ready' : 'asset.failed', done);
      }
    }
  }

  private async emit(type: 'asset.created' | 'asset.ready' | 'asset.failed', asset: AssetRecord, stream?: StreamRecord | null): Promise<void> {
    const s = stream === undefined && asset.streamId ? await this.deps.streams.get(asset.streamId) : stream;
    await this.deps.events.publish(type, { asset: summarizeAsset(asset), ...(s ? { stream: summarize(s) } : {}) });
  }
}
