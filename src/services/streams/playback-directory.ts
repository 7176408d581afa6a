import type { Logger } from '../../core/logger.js';
import { entryOf, sameEntry, type PlaybackEntry } from './playback-entry.js';
import type { StreamRecord } from './stream-types.js';

/** Told when the entry of one playback id changed or went away (it is read again with `get`). */
export type PlaybackEntryListener = () => void;

/**
 * Playback id -> what playback needs to know about its stream, in memory, so a playlist, part, segment or
 * FLV request is decided without the database (unknown ids included). Two writers keep it current:
 * - this process's StreamService, synchronously, before its API call answers (`put`, `remove`);
 * - the database sync (PlaybackDirectorySync): a start-up load, then per-id re-reads when PostgreSQL
 *   announces a change (another instance's, or any SQL), and a periodic full reload.
 * A database read that started before one of this process's own changes to an id could carry an older
 * value for it: `readMark()` / `merge()` drop such ids (the change announced after that write re-reads it).
 */
export class PlaybackDirectory {
  private readonly entries = new Map<string, PlaybackEntry>();
  /** keyHash -> playback id, for publishes checked while PostgreSQL is unavailable (LastKnownKeys). */
  private readonly byKeyHash = new Map<string, string>();
  private readonly listeners = new Map<string, Set<PlaybackEntryListener>>();
  /** Sequence of this process's own writes, and the last one per playback id since the current read began. */
  private localSeq = 0;
  private changes = 0;
  private readonly localWrites = new Map<string, number>();
  private readonly log: Logger;

  constructor(logger: Logger) {
    this.log = logger.child({ module: 'playback-directory' });
  }

  get(playbackId: string): PlaybackEntry | undefined {
    return this.entries.get(playbackId);
  }

  /** The entry whose stream key hashes to `keyHash`, as last known. */
  getByKeyHash(keyHash: string): PlaybackEntry | undefined {
    const playbackId = this.byKeyHash.get(keyHash);
    return playbackId === undefined ? undefined : this.entries.get(playbackId);
  }

  get size(): number {
    return this.entries.size;
  }

  /** Grows by one on every change of any entry (set, changed, gone): what was decided from an older version may be stale. */
  get version(): number {
    return this.changes;
  }

  /** A stream created or changed through this process (the row as the database returned it). */
  put(stream: StreamRecord): void {
    this.localWrites.set(stream.playbackId, ++this.localSeq);
    this.set(stream.playbackId, entryOf(stream));
  }

  /** A stream deleted through this process. */
  remove(playbackId: string): void {
    this.localWrites.set(playbackId, ++this.localSeq);
    this.set(playbackId, undefined);
  }

  /** Calls `fn` after the entry of `playbackId` changes or goes away; returns the unsubscribe. */
  onChange(playbackId: string, fn: PlaybackEntryListener): () => void {
    let set = this.listeners.get(playbackId);
    if (!set) this.listeners.set(playbackId, (set = new Set()));
    set.add(fn);
    return () => {
      set.delete(fn);
      if (set.size === 0 && this.listeners.get(playbackId) === set) this.listeners.delete(playbackId);
    };
  }

  /**
   * Taken just before a database read; pass it to `merge` with the rows. Reads are one at a time (the sync
   * queues them), so own writes older than this mark cannot race any read still to come.
   */
  readMark(): number {
    this.localWrites.clear();
    return this.localSeq;
  }

  /**
   * Applies rows read from the database: `ids` are the playback ids the read covered (absent = every stream,
   * a full reload); a covered id without a row is gone. Ids this process wrote after `mark` keep their value.
   */
  merge(mark: number, rows: readonly PlaybackEntry[], ids?: readonly string[]): void {
    const fresh = new Map(rows.map((e) => [e.playbackId, e]));
    const covered = ids ?? [...new Set([...this.entries.keys(), ...fresh.keys()])];
    for (const id of covered) {
      if ((this.localWrites.get(id) ?? 0) > mark) continue;
      this.set(id, fresh.get(id));
    }
  }

  private set(playbackId: string, entry: PlaybackEntry | undefined): void {
    const old = this.entries.get(playbackId);
    if (sameEntry(old, entry)) return;
    this.changes++;
    if (old?.keyHash && this.byKeyHash.get(old.keyHash) === playbackId) this.byKeyHash.delete(old.keyHash);
    if (entry) this.entries.set(playbackId, entry);
    else this.entries.delete(playbackId);
    if (entry?.keyHash) this.byKeyHash.set(entry.keyHash, playbackId);
    const set = this.listeners.get(playbackId);
    if (!set) return;
    for (const fn of [...set]) {
      try {
        fn();
      } catch (err) {
        this.log.error({ err, playbackId }, 'playback directory listener failed');
      }
    }
  }
}
