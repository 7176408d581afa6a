import type { Queryable } from '../../db/database.js';
import type { LadderSetting, StreamRecord, StreamSettings } from './stream-types.js';
import { decodeCursor, encodeCursor, type Page } from '../../db/page-cursor.js';

export interface StreamRow {
  id: string;
  name: string;
  /** Absent when read with STREAM_COLUMNS_WITHOUT_KEY. */
  stream_key?: string;
  playback_id: string;
  status: 'idle' | 'active';
  disabled: boolean;
  latency_mode: StreamSettings['latencyMode'];
  reconnect_window_sec: number;
  ladder: LadderSetting | string;
  record: boolean;
  playback_policy: StreamSettings['playbackPolicy'];
  passthrough: string | null;
  srt_passphrase: string | null;
  created_at: Date | string;
  updated_at: Date | string;
}

/** Every column a StreamRecord needs but the key (the playback directory holds streams without their keys). */
export const STREAM_COLUMNS_WITHOUT_KEY = `id, name, playback_id, status, disabled, latency_mode, reconnect_window_sec, ladder,
  record, playback_policy, passthrough, srt_passphrase, created_at, updated_at`;
const COLUMNS = `stream_key, ${STREAM_COLUMNS_WITHOUT_KEY}`;

/** A row as a record; read without its key, `streamKey` is empty. */
export function toRecord(row: StreamRow): StreamRecord {
  return {
    id: row.id,
    name: row.name,
    streamKey: row.stream_key ?? '',
    playbackId: row.playback_id,
    status: row.disabled ? 'disabled' : row.status,
    settings: {
      latencyMode: row.latency_mode,
      reconnectWindowSec: Number(row.reconnect_window_sec),
      ladder: ladderFromRow(row.ladder),
      record: row.record,
      playbackPolicy: row.playback_policy,
      passthrough: row.passthrough,
      srtPassphrase: row.srt_passphrase ?? null,
    },
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

/**
 * jsonb arrives parsed from both drivers ('default' as a string, a list as an array); a driver that hands
 * back jsonb text gives a JSON document instead, which starts with `[` or `"`.
 */
function ladderFromRow(v: LadderSetting | string): LadderSetting {
  if (typeof v !== 'string') return v;
  if (v === 'passthrough' || v === 'default') return v;
  return JSON.parse(v) as LadderSetting;
}

export interface NewStream {
  readonly id: string;
  readonly name: string;
  readonly streamKey: string;
  readonly keyHash: string;
  readonly playbackId: string;
  readonly settings: StreamSettings;
  readonly now: Date;
}

/** SQL for the `streams` table; returns null for a missing row (the caller names the 404). */
export class StreamStore {
  constructor(private readonly db: Queryable) {}

  async insert(s: NewStream): Promise<StreamRecord> {
    const rows = await this.db.query<StreamRow>(
      `INSERT INTO streams (id, name, stream_key, key_hash, playback_id, latency_mode, reconnect_window_sec, ladder,
         record, playback_policy, passthrough, srt_passphrase, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10, $11, $13, $12, $12) RETURNING ${COLUMNS}`,
      [s.id, s.name, s.streamKey, s.keyHash, s.playbackId, s.settings.latencyMode, s.settings.reconnectWindowSec,
        JSON.stringify(s.settings.ladder), s.settings.record, s.settings.playbackPolicy, s.settings.passthrough, s.now,
        s.settings.srtPassphrase ?? null],
    );
    return toRecord(rows[0]!);
  }

  async get(id: string): Promise<StreamRecord | null> {
    return this.one(`SELECT ${COLUMNS} FROM streams WHERE id = $1`, [id]);
  }

  async getByPlaybackId(playbackId: string): Promise<StreamRecord | null> {
    return this.one(`SELECT ${COLUMNS} FROM streams WHERE playback_id = $1`, [playbackId]);
  }

  /** Looks a key up by its sha256 (the caller re-checks the key in constant time). */
  async getByKeyHash(keyHash: string): Promise<StreamRecord | null> {
    return this.one(`SELECT ${COLUMNS} FROM streams WHERE key_hash = $1`, [keyHash]);
  }

  async list(limit: number, cursor?: string): Promise<Page<StreamRecord> | null> {
    const pos = cursor ? decodeCursor(cursor) : undefined;
    if (pos === null) return null;
    const rows = pos
      ? await this.db.query<StreamRow>(
        `SELECT ${COLUMNS} FROM streams WHERE (created_at, id) < ($1, $2) ORDER BY created_at DESC, id DESC LIMIT $3`,
        [pos.createdAt, pos.id, limit + 1])
      : await this.db.query<StreamRow>(
        `SELECT ${COLUMNS} FROM streams ORDER BY created_at DESC, id DESC LIMIT $1`, [limit + 1]);
    const items = rows.slice(0, limit).map(toRecord);
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
  }

  async update(id: string, name: string, settings: StreamSettings, now: Date): Promise<StreamRecord | null> {
    return this.one(
      `UPDATE streams SET name = $2, latency_mode = $3, reconnect_window_sec = $4, ladder = $5::jsonb, record = $6,
         playback_policy = $7, passthrough = $8, updated_at = $9, srt_passphrase = $10 WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, name, settings.latencyMode, settings.reconnectWindowSec, JSON.stringify(settings.ladder), settings.record,
        settings.playbackPolicy, settings.passthrough, now, settings.srtPassphrase ?? null]);
  }

  async setKey(id: string, streamKey: string, keyHash: string, now: Date): Promise<StreamRecord | null> {
    return this.one(
      `UPDATE streams SET stream_key = $2, key_hash = $3, updated_at = $4 WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, streamKey, keyHash, now]);
  }

  async setDisabled(id: string, disabled: boolean, now: Date): Promise<StreamRecord | null> {
    return this.one(
      `UPDATE streams SET disabled = $2, updated_at = $3 WHERE id = $1 RETURNING ${COLUMNS}`, [id, disabled, now]);
  }

  async setLiveStatus(id: string, status: 'idle' | 'active', now: Date): Promise<StreamRecord | null> {
    return this.one(
      `UPDATE streams SET status = $2, updated_at = $3 WHERE id = $1 RETURNING ${COLUMNS}`, [id, status, now]);
  }

  /**
   * Active -> idle only: false when the stream is no longer active (another node's sweeper idled it first, see
   * DeadNodeSweeper), so the stream.idle it sent is not sent twice.
   */
  async setIdleIfActive(id: string, now: Date): Promise<boolean> {
    const rows = await this.db.query(
      `UPDATE streams SET status = 'idle', updated_at = $2 WHERE id = $1 AND status = 'active' RETURNING id`, [id, now]);
    return rows.length > 0;
  }

  /** After a restart no publisher is connected: every stream is idle again. Returns how many changed. */
  async resetAllToIdle(now: Date): Promise<number> {
    const rows = await this.db.query(
      `UPDATE streams SET status = 'idle', updated_at = $1 WHERE status = 'active' RETURNING id`, [now]);
    return rows.length;
  }

  async delete(id: string): Promise<StreamRecord | null> {
    return this.one(`DELETE FROM streams WHERE id = $1 RETURNING ${COLUMNS}`, [id]);
  }

  private async one(sql: string, params: unknown[]): Promise<StreamRecord | null> {
    const rows = await this.db.query<StreamRow>(sql, params);
    return rows[0] ? toRecord(rows[0]) : null;
  }
}
