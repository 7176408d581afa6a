import type { Logger } from '../../core/logger.js';
import type { Database } from '../../db/database.js';
import { PLAYBACK_DIRECTORY_CHANNEL, PLAYBACK_REFRESH_BATCH, PLAYBACK_RELOAD_RETRY_MS } from './limits.js';
import type { PlaybackDirectory } from './playback-directory.js';
import { PlaybackDirectoryStore } from './playback-directory-store.js';

export interface PlaybackDirectorySyncOptions {
  /** Full reload period (the bound when a notification is lost unnoticed); Infinity = none. */
  readonly reloadIntervalMs: number;
  /** LISTEN for changes (migration 7's trigger); false = the periodic reload alone (tests of that bound). */
  readonly listen?: boolean;
}

/**
 * Keeps a PlaybackDirectory equal to the `streams` table: one full load at start, then a re-read of each
 * playback id PostgreSQL announces (the trigger of migration 7 notifies on every insert, delete and change
 * of what the directory holds, whoever made it), a full reload when the listening connection was lost, and
 * a periodic full reload as the safety net for a loss nobody noticed. Reads run one at a time.
 */
export class PlaybackDirectorySync {
  private readonly store: PlaybackDirectoryStore;
  private readonly log: Logger;
  private readonly pending = new Set<string>();
  private fullReloadDue = false;
  private draining: Promise<void> | undefined;
  private unlisten: (() => Promise<void>) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private listenLost = false;
  private started = false;
  private closed = false;
  /** Failed reads in a row: the first is a warning, the rest of an outage (one a second) debug lines. */
  private failures = 0;

  constructor(
    private readonly db: Database,
    private readonly directory: PlaybackDirectory,
    logger: Logger,
    private readonly options: PlaybackDirectorySyncOptions,
  ) {
    this.store = new PlaybackDirectoryStore(db);
    this.log = logger.child({ module: 'playback-directory-sync' });
  }

  /**
   * Listens first, then loads, so no change falls between the load and the first notification (those that
   * arrive meanwhile wait for the load). A failing first load fails the start.
   */
  async start(): Promise<void> {
    if (this.options.listen !== false && this.db.listen) {
      this.unlisten = await this.db.listen(PLAYBACK_DIRECTORY_CHANNEL, {
        onNotify: (playbackId) => void this.refresh(playbackId),
        onGap: () => {
          this.listenLost = false;
          this.log.info('listening again after a lost connection: reloading the playback directory');
          void this.reloadAll();
        },
        // Once per loss: the retries of a long outage (every 5 s at most) would otherwise fill the log.
        onError: (err) => {
          if (this.listenLost) return this.log.debug({ err: String(err) }, 'playback directory: LISTEN retry failed');
          this.listenLost = true;
          this.log.warn({ err }, 'playback directory: LISTEN connection lost; retrying (the periodic reload covers the gap)');
        },
      });
    }
    const mark = this.directory.readMark();
    this.directory.merge(mark, await this.store.all());
    this.started = true;
    this.log.info({ streams: this.directory.size, listening: this.unlisten !== undefined, reloadIntervalMs: this.options.reloadIntervalMs }, 'playback directory loaded');
    if (Number.isFinite(this.options.reloadIntervalMs)) {
      this.timer = setInterval(() => void this.reloadAll(), this.options.reloadIntervalMs);
      this.timer.unref();
    }
    await this.drain();
  }

  /** Resolves once a full read that started after this call has been merged (or has failed). */
  async reloadAll(): Promise<void> {
    this.fullReloadDue = true;
    while (this.started && this.fullReloadDue && !this.closed) await this.drain();
  }

  refresh(playbackId: string): Promise<void> {
    if (playbackId) this.pending.add(playbackId);
    return this.drain();
  }

  /** Idempotent; a read in flight finishes first. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    clearTimeout(this.retryTimer);
    await this.unlisten?.().catch(() => {});
    await this.draining;
  }

  private drain(): Promise<void> {
    if (!this.started) return Promise.resolve();
    this.draining ??= this.runQueued().finally(() => {
      this.draining = undefined;
      // Work queued between the loop's last check and here.
      if (!this.closed && (this.fullReloadDue || this.pending.size > 0)) void this.drain();
    });
    return this.draining;
  }

  private async runQueued(): Promise<void> {
    while (!this.closed && (this.fullReloadDue || this.pending.size > 0)) {
      try {
        if (this.fullReloadDue) {
          this.fullReloadDue = false;
          this.pending.clear(); // the full read covers them
          const mark = this.directory.readMark();
          this.directory.merge(mark, await this.store.all());
        } else {
          const ids = [...this.pending].slice(0, PLAYBACK_REFRESH_BATCH);
          for (const id of ids) this.pending.delete(id);
          const mark = this.directory.readMark();
          this.directory.merge(mark, await this.store.byPlaybackIds(ids), ids);
        }
        if (this.failures > 0) this.log.info({ failedReads: this.failures }, 'playback directory read again');
        this.failures = 0;
      } catch (err) {
        // The directory keeps what it had; one full reload later covers whatever was queued.
        if (this.closed) return;
        if (this.failures++ === 0) this.log.warn({ err }, 'playback directory read failed; reloading every second until it works (playback keeps the last-known entries)');
        else this.log.debug({ err: String(err) }, 'playback directory read failed again');
        this.pending.clear();
        this.fullReloadDue = false;
        this.retryTimer ??= setTimeout(() => {
          this.retryTimer = undefined;
          void this.reloadAll();
        }, PLAYBACK_RELOAD_RETRY_MS).unref();
        return;
      }
    }
  }
}
