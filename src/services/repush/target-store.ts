import type { Queryable } from '../../db/database.js';
import type { TargetRecord } from './target-types.js';

interface TargetRow {
  id: string;
  stream_id: string;
  url: string;
  stream_key: string;
  enabled: boolean;
  rendition: string;
  tls_verify: boolean;
  created_at: Date | string;
  updated_at: Date | string;
}

const COLUMNS = 'id, stream_id, url, stream_key, enabled, rendition, tls_verify, created_at, updated_at';

function toRecord(r: TargetRow): TargetRecord {
  return {
    id: r.id, streamId: r.stream_id, url: r.url, streamKey: r.stream_key, enabled: r.enabled, rendition: r.rendition,
    tlsVerify: r.tls_verify, createdAt: new Date(r.created_at), updatedAt: new Date(r.updated_at),
  };
}

export type TargetFields = Pick<TargetRecord, 'url' | 'streamKey' | 'enabled' | 'rendition' | 'tlsVerify'>;

/** SQL for `stream_targets` (migration 2); a missing row is null (the caller names the 404). */
export class TargetStore {
  constructor(private readonly db: Queryable) {}

  async insert(id: string, streamId: string, f: TargetFields, now: Date): Promise<TargetRecord> {
    const rows = await this.db.query<TargetRow>(
      `INSERT INTO stream_targets (id, stream_id, url, stream_key, enabled, rendition, tls_verify, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING ${COLUMNS}`,
      [id, streamId, f.url, f.streamKey, f.enabled, f.rendition, f.tlsVerify, now]);
    return toRecord(rows[0]!);
  }

  /** A stream's targets, oldest first. */
  async listForStream(streamId: string): Promise<TargetRecord[]> {
    const rows = await this.db.query<TargetRow>(`SELECT ${COLUMNS} FROM stream_targets WHERE stream_id = $1 ORDER BY created_at, id`, [streamId]);
    return rows.map(toRecord);
  }

  async countForStream(streamId: string): Promise<number> {
    const rows = await this.db.query<{ n: number | string }>('SELECT count(*) AS n FROM stream_targets WHERE stream_id = $1', [streamId]);
    return Number(rows[0]?.n ?? 0);
  }

  async get(streamId: string, id: string): Promise<TargetRecord | null> {
    const rows = await this.db.query<TargetRow>(`SELECT ${COLUMNS} FROM stream_targets WHERE stream_id = $1 AND id = $2`, [streamId, id]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async update(streamId: string, id: string, f: TargetFields, now: Date): Promise<TargetRecord | null> {
    const rows = await this.db.query<TargetRow>(
      `UPDATE stream_targets SET url = $3, stream_key = $4, enabled = $5, rendition = $6, tls_verify = $7, updated_at = $8
       WHERE stream_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
      [streamId, id, f.url, f.streamKey, f.enabled, f.rendition, f.tlsVerify, now]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async delete(streamId: string, id: string): Promise<boolean> {
    const rows = await this.db.query('DELETE FROM stream_targets WHERE stream_id = $1 AND id = $2 RETURNING id', [streamId, id]);
    return rows.length > 0;
  }
}
