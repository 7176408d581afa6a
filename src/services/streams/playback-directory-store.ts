import type { Queryable } from '../../db/database.js';
import { entryOf, type PlaybackEntry } from './playback-entry.js';
import { STREAM_COLUMNS_WITHOUT_KEY, toRecord, type StreamRow } from './stream-store.js';

/** Every stream column but the key itself: its hash is enough to check a publish against. */
const COLUMNS = `${STREAM_COLUMNS_WITHOUT_KEY}, key_hash`;

const toEntry = (row: StreamRow & { key_hash: string }): PlaybackEntry => entryOf(toRecord(row), row.key_hash);

/** The playback directory's SQL: every stream's entry (start-up and the periodic reload), or a few by playback id. */
export class PlaybackDirectoryStore {
  constructor(private readonly db: Queryable) {}

  async all(): Promise<PlaybackEntry[]> {
    return (await this.db.query<StreamRow & { key_hash: string }>(`SELECT ${COLUMNS} FROM streams`)).map(toEntry);
  }

  async byPlaybackIds(ids: readonly string[]): Promise<PlaybackEntry[]> {
    return (await this.db.query<StreamRow & { key_hash: string }>(`SELECT ${COLUMNS} FROM streams WHERE playback_id = ANY($1::text[])`, [ids])).map(toEntry);
  }
}
