import type { Queryable } from '../../db/database.js';
import { playbackEntry, type PlaybackEntry } from './playback-entry.js';
import type { PlaybackPolicy } from './stream-types.js';

interface EntryRow {
  id: string;
  playback_id: string;
  playback_policy: PlaybackPolicy;
  disabled: boolean;
  updated_at: Date | string;
  key_hash: string;
}

const COLUMNS = 'id, playback_id, playback_policy, disabled, updated_at, key_hash';

function toEntry(row: EntryRow): PlaybackEntry {
  return playbackEntry({
    playbackId: row.playback_id, streamId: row.id, playbackPolicy: row.playback_policy, disabled: row.disabled, updatedAtMs: new Date(row.updated_at).getTime(),
    keyHash: row.key_hash,
  });
}

/** The playback directory's SQL: every stream's entry (start-up and the periodic reload), or a few by playback id. */
export class PlaybackDirectoryStore {
  constructor(private readonly db: Queryable) {}

  async all(): Promise<PlaybackEntry[]> {
    return (await this.db.query<EntryRow>(`SELECT ${COLUMNS} FROM streams`)).map(toEntry);
  }

  async byPlaybackIds(ids: readonly string[]): Promise<PlaybackEntry[]> {
    return (await this.db.query<EntryRow>(`SELECT ${COLUMNS} FROM streams WHERE playback_id = ANY($1::text[])`, [ids])).map(toEntry);
  }
}
