import type { Queryable } from '../../db/database.js';
import { decodeCursor, encodeCursor, type Page } from '../../db/page-cursor.js';
import type { DeliveryStatus, WebhookDeliveryRecord } from './webhook-types.js';

interface DeliveryRow {
  id: string;
  event_id: string;
  endpoint_id: string;
  event_type: string;
  payload: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: Date | string;
  last_status_code: number | null;
  last_error: string | null;
  created_at: Date | string;
  updated_at: Date | string;
  delivered_at: Date | string | null;
}

const COLUMNS = `id, event_id, endpoint_id, event_type, payload, status, attempts, next_attempt_at, last_status_code,
  last_error, created_at, updated_at, delivered_at`;

function toRecord(r: DeliveryRow): WebhookDeliveryRecord {
  return {
    id: r.id,
    eventId: r.event_id,
    endpointId: r.endpoint_id,
    eventType: r.event_type,
    payload: r.payload,
    status: r.status,
    attempts: Number(r.attempts),
    nextAttemptAt: new Date(r.next_attempt_at),
    lastStatusCode: r.last_status_code === null ? null : Number(r.last_status_code),
    lastError: r.last_error,
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
    deliveredAt: r.delivered_at === null ? null : new Date(r.delivered_at),
  };
}

/** A claimed delivery plus what sending it needs from its endpoint. */
export interface ClaimedDelivery {
  readonly delivery: WebhookDeliveryRecord;
  readonly url: string;
  readonly secret: string;
}

export interface DeliveryFilter {
  readonly endpointId?: string;
  readonly status?: DeliveryStatus;
}

/** SQL for the persisted delivery queue (`webhook_deliveries`). */
export class WebhookDeliveryStore {
  constructor(private readonly db: Queryable) {}

  async insert(d: { id: string; eventId: string; endpointId: string; eventType: string; payload: string }, now: Date): Promise<WebhookDeliveryRecord> {
    const rows = await this.db.query<DeliveryRow>(
      `INSERT INTO webhook_deliveries (id, event_id, endpoint_id, event_type, payload, status, attempts, next_attempt_at,
         created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6, $6, $6) RETURNING ${COLUMNS}`,
      [d.id, d.eventId, d.endpointId, d.eventType, d.payload, now]);
    return toRecord(rows[0]!);
  }

  /**
   * Claims up to `limit` due deliveries: each gets attempts + 1 and a lease (next_attempt_at = leaseUntil),
   * so a crash mid-send retries it after the lease. SKIP LOCKED lets several instances share one queue.
   */
  async claimDue(now: Date, leaseUntil: Date, limit: number): Promise<ClaimedDelivery[]> {
    const rows = await this.db.query<DeliveryRow & { url: string; secret: string }>(
      `WITH due AS (
         SELECT id FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= $1
         ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED)
       UPDATE webhook_deliveries d SET attempts = d.attempts + 1, next_attempt_at = $2, updated_at = $1
       FROM due, webhook_endpoints e WHERE d.id = due.id AND e.id = d.endpoint_id
       RETURNING d.id, d.event_id, d.endpoint_id, d.event_type, d.payload, d.status, d.attempts, d.next_attempt_at,
         d.last_status_code, d.last_error, d.created_at, d.updated_at, d.delivered_at, e.url, e.secret`,
      [now, leaseUntil, limit]);
    return rows.map((r) => ({ delivery: toRecord(r), url: r.url, secret: r.secret }));
  }

  /** When the earliest pending delivery (retry or lease) falls due; null when nothing is pending. */
  async nextDueAt(): Promise<Date | null> {
    const rows = await this.db.query<{ due: Date | string | null }>(
      `SELECT min(d.next_attempt_at) AS due FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
       WHERE d.status = 'pending'`);
    const due = rows[0]?.due;
    return due === null || due === undefined ? null : new Date(due);
  }

  async markSucceeded(id: string, statusCode: number, now: Date): Promise<void> {
    await this.db.query(
      `UPDATE webhook_deliveries SET status = 'succeeded', last_status_code = $2, last_error = NULL, delivered_at = $3,
         updated_at = $3 WHERE id = $1`, [id, statusCode, now]);
  }

  /** A failed attempt: retried at `retryAt`, or marked failed when `retryAt` is null. */
  async markAttemptFailed(id: string, statusCode: number | null, error: string, retryAt: Date | null, now: Date): Promise<void> {
    await this.db.query(
      `UPDATE webhook_deliveries SET status = $2, last_status_code = $3, last_error = $4, next_attempt_at = COALESCE($5, next_attempt_at),
         updated_at = $6 WHERE id = $1`,
      [id, retryAt ? 'pending' : 'failed', statusCode, error, retryAt, now]);
  }

  /** Stored deliveries per status and the attempts they took (the /metrics webhook outcome gauges). */
  async countByStatus(): Promise<{ status: string; deliveries: number; attempts: number }[]> {
    const rows = await this.db.query<{ status: string; n: number | string; attempts: number | string | null }>(
      'SELECT status, count(*) AS n, sum(attempts) AS attempts FROM webhook_deliveries GROUP BY status');
    return rows.map((r) => ({ status: r.status, deliveries: Number(r.n), attempts: Number(r.attempts ?? 0) }));
  }

  async get(id: string): Promise<WebhookDeliveryRecord | null> {
    const rows = await this.db.query<DeliveryRow>(`SELECT ${COLUMNS} FROM webhook_deliveries WHERE id = $1`, [id]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async list(filter: DeliveryFilter, limit: number, cursor?: string): Promise<Page<WebhookDeliveryRecord> | null> {
    const pos = cursor ? decodeCursor(cursor) : undefined;
    if (pos === null) return null;
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.endpointId) where.push(`endpoint_id = $${params.push(filter.endpointId)}`);
    if (filter.status) where.push(`status = $${params.push(filter.status)}`);
    if (pos) where.push(`(created_at, id) < ($${params.push(pos.createdAt)}, $${params.push(pos.id)})`);
    const sql = `SELECT ${COLUMNS} FROM webhook_deliveries ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY created_at DESC, id DESC LIMIT $${params.push(limit + 1)}`;
    const rows = await this.db.query<DeliveryRow>(sql, params);
    const items = rows.slice(0, limit).map(toRecord);
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
  }
}
