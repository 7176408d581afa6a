import type { Queryable } from '../../db/database.js';
import { decodeCursor, encodeCursor, type Page } from '../../db/page-cursor.js';
import type { PlaybackPolicy } from '../streams/stream-types.js';
import type { NodeRun } from '../streams/lost-session-store.js';
import type { AssetRecord, AssetStatus, RecordedTrack } from './asset-types.js';

interface AssetRow {
  id: string;
  stream_id: string | null;
  stream_path: string;
  playback_id: string | null;
  playback_policy: PlaybackPolicy;
  session_ids: string[] | string;
  status: AssetStatus;
  started_at: Date | string;
  ended_at: Date | string | null;
  duration_ms: number | string | bigint;
  size_bytes: number | string | bigint;
  gaps: number;
  gap_ms: number | string | bigint;
  tracks: RecordedTrack[] | string;
  storage_path: string;
  end_reason: string | null;
  error: string | null;
  created_at: Date | string;
  updated_at: Date | string;
}

const COLUMNS = `id, stream_id, stream_path, playback_id, playback_policy, session_ids, status, started_at, ended_at,
  duration_ms, size_bytes, gaps, gap_ms, tracks, storage_path, end_reason, error, created_at, updated_at`;

/** jsonb arrives parsed from both drivers; a driver handing back text gives the JSON document. */
function json<T>(v: T | string): T {
  return typeof v === 'string' ? (JSON.parse(v) as T) : v;
}

function toRecord(r: AssetRow): AssetRecord {
  return {
    id: r.id, streamId: r.stream_id, streamPath: r.stream_path, playbackId: r.playback_id, playbackPolicy: r.playback_policy,
    sessionIds: json(r.session_ids), status: r.status, startedAt: new Date(r.started_at), endedAt: r.ended_at === null ? null : new Date(r.ended_at),
    // bigint columns: pg returns strings, PGlite numbers or bigints.
    durationMs: Number(r.duration_ms), sizeBytes: Number(r.size_bytes), gaps: Number(r.gaps), gapMs: Number(r.gap_ms),
    tracks: json(r.tracks), storagePath: r.storage_path, endReason: r.end_reason, error: r.error,
    createdAt: new Date(r.created_at), updatedAt: new Date(r.updated_at),
  };
}

export interface NewAsset {
  readonly id: string;
  readonly streamId: string | null;
  readonly streamPath: string;
  readonly playbackId: string | null;
  readonly playbackPolicy: PlaybackPolicy;
  readonly status: 'recording' | 'failed';
  readonly storagePath: string;
  readonly error?: string;
  readonly endReason?: string;
  readonly now: Date;
  /** The cluster node (and its run) writing it. */
  readonly node?: NodeRun;
}

export interface AssetEnd {
  readonly status: 'ready' | 'failed';
  readonly endedAt: Date;
  readonly durationMs: number;
  readonly sizeBytes: number;
  readonly gaps: number;
  readonly gapMs: number;
  readonly endReason: string;
  readonly error: string | null;
}

export interface AssetFilter {
  readonly streamId?: string;
  readonly status?: AssetStatus;
}

/** SQL for `assets`. */
export class AssetStore {
  constructor(private readonly db: Queryable) {}

  async insert(a: NewAsset): Promise<AssetRecord> {
    const rows = await this.db.query<AssetRow>(
      `INSERT INTO assets (id, stream_id, stream_path, playback_id, playback_policy, status, started_at, ended_at, storage_path,
         end_reason, error, created_at, updated_at, node_id, node_run)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $7, $7, $12, $13) ON CONFLICT (id) DO NOTHING RETURNING ${COLUMNS}`,
      [a.id, a.streamId, a.streamPath, a.playbackId, a.playbackPolicy, a.status, a.now, a.status === 'failed' ? a.now : null,
        a.storagePath, a.endReason ?? null, a.error ?? null, a.node?.id ?? null, a.node?.run ?? null]);
    // Already there: a retry (after an outage) of an insert whose commit went through before its answer was lost.
    return rows[0] ? toRecord(rows[0]) : (await this.get(a.id))!;
  }

  async get(id: string): Promise<AssetRecord | null> {
    const rows = await this.db.query<AssetRow>(`SELECT ${COLUMNS} FROM assets WHERE id = $1`, [id]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /** Newest first, keyset-paginated over (created_at, id) like every list; null for a cursor we never issued. */
  async list(filter: AssetFilter, limit: number, cursor?: string): Promise<Page<AssetRecord> | null> {
    const pos = cursor ? decodeCursor(cursor) : undefined;
    if (pos === null) return null;
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.streamId !== undefined) where.push(`stream_id = $${params.push(filter.streamId)}`);
    if (filter.status !== undefined) where.push(`status = $${params.push(filter.status)}`);
    if (pos) where.push(`(created_at, id) < ($${params.push(pos.createdAt)}, $${params.push(pos.id)})`);
    const rows = await this.db.query<AssetRow>(
      `SELECT ${COLUMNS} FROM assets ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY created_at DESC, id DESC LIMIT $${params.push(limit + 1)}`, params);
    const items = rows.slice(0, limit).map(toRecord);
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
  }

  async setTracks(id: string, tracks: readonly RecordedTrack[], now: Date): Promise<void> {
    await this.db.query('UPDATE assets SET tracks = $2::jsonb, updated_at = $3 WHERE id = $1', [id, JSON.stringify(tracks), now]);
  }

  /** Ends a recording; the sessions recorded are those of its stream that overlap it in time. */
  async finish(id: string, end: AssetEnd): Promise<AssetRecord | null> {
    const rows = await this.db.query<AssetRow>(
      `UPDATE assets SET status = $2, ended_at = $3, duration_ms = $4, size_bytes = $5, gaps = $6, gap_ms = $7, end_reason = $8,
         error = $9, updated_at = $3,
         session_ids = COALESCE((SELECT jsonb_agg(s.id ORDER BY s.started_at) FROM stream_sessions s
           WHERE s.stream_id = assets.stream_id AND s.started_at <= $3 AND (s.ended_at IS NULL OR s.ended_at >= assets.started_at)), '[]'::jsonb)
       WHERE id = $1 AND status = 'recording' RETURNING ${COLUMNS}`,
      [id, end.status, end.endedAt, Math.round(end.durationMs), end.sizeBytes, end.gaps, Math.round(end.gapMs), end.endReason, end.error]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /** Files removed: the row stays (webhooks and logs refer to it) with status deleted. */
  async markDeleted(id: string, now: Date): Promise<AssetRecord | null> {
    const rows = await this.db.query<AssetRow>(
      `UPDATE assets SET status = 'deleted', size_bytes = 0, ended_at = COALESCE(ended_at, $2), updated_at = $2
       WHERE id = $1 RETURNING ${COLUMNS}`, [id, now]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /** Recordings still open that a cluster node wrote (in one run of it, or in any when `run` is null). */
  async listRecordingOfNode(nodeId: string, run: string | null): Promise<AssetRecord[]> {
    const rows = await this.db.query<AssetRow>(
      `SELECT ${COLUMNS} FROM assets WHERE status = 'recording' AND node_id = $1 AND ($2::text IS NULL OR node_run = $2)`, [nodeId, run]);
    return rows.map(toRecord);
  }

  /** Recordings a crash left open (none is being written right after a start). */
  async listRecording(): Promise<AssetRecord[]> {
    return (await this.db.query<AssetRow>(`SELECT ${COLUMNS} FROM assets WHERE status = 'recording' ORDER BY created_at`)).map(toRecord);
  }
}
