import type { Queryable } from '../../db/database.js';

/** Session end reason when the node holding the publisher died (its registry entry expired). */
export const NODE_LOST_REASON = 'node_lost';
/** End reason of sessions and recordings a stopped server left open, ended at its (or its node id's) next start. */
export const SERVER_RESTART_REASON = 'server_restart';

/** A cluster node and its current run, stored with its sessions and recordings (a survivor settles them). */
export interface NodeRun {
  readonly id: string;
  readonly run: string;
}

/**
 * A stream still `active` with no open session whose latest session was ended with its node, or by another node
 * (which, if it is gone, died with the stream's idle timer pending): idle once its reconnect window has passed.
 */
export interface StrandedStream {
  readonly streamId: string;
  readonly streamPath: string;
  readonly sessionId: string;
  readonly endReason: string;
  /** The node the latest session was on (null: a session from before sessions named their node). */
  readonly nodeId: string | null;
  readonly endedAt: Date;
  readonly reconnectWindowSec: number;
  readonly disabled: boolean;
}

interface StrandedRow {
  stream_id: string;
  stream_path: string;
  session_id: string;
  end_reason: string;
  node_id: string | null;
  ended_at: Date | string;
  reconnect_window_sec: number;
  disabled: boolean;
}

/**
 * SQL for cleaning up after cluster nodes that died with publishers: their open sessions (by `node_id`) and the
 * streams those left `active`. Every write is a compare-and-set (`ended_at IS NULL`, `status = 'active'`), so
 * two nodes doing it at once end each session and idle each stream once, and a republish elsewhere wins.
 */
export class LostSessionStore {
  constructor(private readonly db: Queryable) {}

  /** Nodes other than `self` that have open sessions. */
  async nodesWithOpenSessions(self: string): Promise<string[]> {
    const rows = await this.db.query<{ node_id: string }>(
      'SELECT DISTINCT node_id FROM stream_sessions WHERE ended_at IS NULL AND node_id IS NOT NULL AND node_id <> $1', [self]);
    return rows.map((r) => r.node_id);
  }

  /**
   * Ends `nodeId`'s open sessions of run `run` (every run when null) at `at` (never before their start). Returns
   * the ended sessions' ids.
   */
  async endOpenOfNode(nodeId: string, at: Date, reason: string, run: string | null): Promise<string[]> {
    const rows = await this.db.query<{ id: string }>(
      `UPDATE stream_sessions SET ended_at = GREATEST(started_at, $2::timestamptz), end_reason = $3
       WHERE node_id = $1 AND ended_at IS NULL AND ($4::text IS NULL OR node_run = $4) RETURNING id`, [nodeId, at, reason, run]);
    return rows.map((r) => r.id);
  }

  /** Active streams with no open session whose latest session ended with one of `reasons`, or on a node other than `self`. */
  async stranded(reasons: readonly string[], self: string): Promise<StrandedStream[]> {
    const rows = await this.db.query<StrandedRow>(
      `SELECT latest.stream_id, latest.stream_path, latest.id AS session_id, latest.end_reason, latest.node_id, latest.ended_at,
         st.reconnect_window_sec, st.disabled
       FROM streams st
       JOIN LATERAL (SELECT id, stream_id, stream_path, ended_at, end_reason, node_id FROM stream_sessions ss
                     WHERE ss.stream_id = st.id ORDER BY started_at DESC, id DESC LIMIT 1) latest ON true
       WHERE st.status = 'active' AND latest.ended_at IS NOT NULL
         AND (latest.end_reason = ANY($1::text[]) OR (latest.node_id IS NOT NULL AND latest.node_id <> $2))
         AND NOT EXISTS (SELECT 1 FROM stream_sessions o WHERE o.stream_id = st.id AND o.ended_at IS NULL)`, [reasons, self]);
    return rows.map((r) => ({
      streamId: r.stream_id, streamPath: r.stream_path, sessionId: r.session_id, endReason: r.end_reason, nodeId: r.node_id,
      endedAt: new Date(r.ended_at),
      reconnectWindowSec: r.reconnect_window_sec, disabled: r.disabled,
    }));
  }

  /** Sets the stream idle unless it is no longer active or has an open session (a republish). True when it changed. */
  async idleIfUnclaimed(streamId: string, now: Date): Promise<boolean> {
    const rows = await this.db.query(
      `UPDATE streams SET status = 'idle', updated_at = $2 WHERE id = $1 AND status = 'active'
         AND NOT EXISTS (SELECT 1 FROM stream_sessions o WHERE o.stream_id = $1 AND o.ended_at IS NULL) RETURNING id`, [streamId, now]);
    return rows.length > 0;
  }
}
