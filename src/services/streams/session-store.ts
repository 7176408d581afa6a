import type { Queryable } from '../../db/database.js';
import type { SessionRecord } from './stream-types.js';
import { SERVER_RESTART_REASON, type NodeRun } from './lost-session-store.js';
import { decodeCursor, encodeCursor, type Page } from '../../db/page-cursor.js';

interface SessionRow {
  id: string;
  stream_id: string | null;
  stream_path: string;
  protocol: string;
  remote_address: string;
  started_at: Date | string;
  active_at: Date | string | null;
  ended_at: Date | string | null;
  end_reason: string | null;
  bytes_in: number | string | bigint;
}

const COLUMNS = 'id, stream_id, stream_path, protocol, remote_address, started_at, active_at, ended_at, end_reason, bytes_in';

function toRecord(r: SessionRow): SessionRecord {
  return {
    id: r.id,
    streamId: r.stream_id,
    streamPath: r.stream_path,
    protocol: r.protocol,
    remoteAddress: r.remote_address,
    startedAt: new Date(r.started_at),
    activeAt: r.active_at === null ? null : new Date(r.active_at),
    endedAt: r.ended_at === null ? null : new Date(r.ended_at),
    endReason: r.end_reason,
    // bigint column: pg returns a string, PGlite a number or bigint.
    bytesIn: Number(r.bytes_in),
  };
}

/** SQL for the publish-session history (`stream_sessions`). */
export class SessionStore {
  constructor(private readonly db: Queryable) {}

  /**
   * `node`: the cluster node whose hub has the publisher and its current run (a dead node's open sessions of that
   * run are ended by a survivor). A no-op when the row exists: a write retried after a dropped connection may
   * already have gone through.
   */
  async insert(s: Pick<SessionRecord, 'id' | 'streamId' | 'streamPath' | 'protocol' | 'remoteAddress' | 'startedAt'>, node?: NodeRun): Promise<void> {
    await this.db.query(
      `INSERT INTO stream_sessions (id, stream_id, stream_path, protocol, remote_address, started_at, node_id, node_run)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO NOTHING`,
      [s.id, s.streamId, s.streamPath, s.protocol, s.remoteAddress, s.startedAt, node?.id ?? null, node?.run ?? null]);
  }

  async markActive(id: string, at: Date): Promise<void> {
    await this.db.query('UPDATE stream_sessions SET active_at = $2 WHERE id = $1 AND active_at IS NULL', [id, at]);
  }

  async end(id: string, at: Date, reason: string, bytesIn: number): Promise<SessionRecord | null> {
    const rows = await this.db.query<SessionRow>(
      `UPDATE stream_sessions SET ended_at = $2, end_reason = $3, bytes_in = $4 WHERE id = $1 AND ended_at IS NULL
       RETURNING ${COLUMNS}`, [id, at, reason, Math.max(0, Math.floor(bytesIn))]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /** bytesIn of live sessions so far, in one statement (`unnest` pairs the two arrays row by row). */
  async recordBytesIn(progress: readonly { id: string; bytesIn: number }[]): Promise<void> {
    if (progress.length === 0) return;
    await this.db.query(
      `UPDATE stream_sessions AS s SET bytes_in = p.bytes_in
       FROM (SELECT unnest($1::text[]) AS id, unnest($2::bigint[]) AS bytes_in) AS p
       WHERE s.id = p.id AND s.ended_at IS NULL`,
      [progress.map((p) => p.id), progress.map((p) => Math.max(0, Math.floor(p.bytesIn)))]);
  }

  /** Sessions left open by a crash end at restart with reason `server_restart`. */
  async endAllOpen(at: Date): Promise<number> {
    const rows = await this.db.query(
      `UPDATE stream_sessions SET ended_at = $1, end_reason = $2 WHERE ended_at IS NULL RETURNING id`, [at, SERVER_RESTART_REASON]);
    return rows.length;
  }

  async get(id: string): Promise<SessionRecord | null> {
    const rows = await this.db.query<SessionRow>(`SELECT ${COLUMNS} FROM stream_sessions WHERE id = $1`, [id]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async listForStream(streamId: string, limit: number, cursor?: string): Promise<Page<SessionRecord> | null> {
    const pos = cursor ? decodeCursor(cursor) : undefined;
    if (pos === null) return null;
    const rows = pos
      ? await this.db.query<SessionRow>(
        `SELECT ${COLUMNS} FROM stream_sessions WHERE stream_id = $1 AND (started_at, id) < ($2, $3)
         ORDER BY started_at DESC, id DESC LIMIT $4`, [streamId, pos.createdAt, pos.id, limit + 1])
      : await this.db.query<SessionRow>(
        `SELECT ${COLUMNS} FROM stream_sessions WHERE stream_id = $1 ORDER BY started_at DESC, id DESC LIMIT $2`,
        [streamId, limit + 1]);
    const items = rows.slice(0, limit).map(toRecord);
    const last = items[items.length - 1];
    return {
      items,
      nextCursor: rows.length > limit && last ? encodeCursor({ createdAt: last.startedAt, id: last.id }) : null,
    };
  }
}
