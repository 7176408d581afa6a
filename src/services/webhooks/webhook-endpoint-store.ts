import type { Queryable } from '../../db/database.js';
import type { WebhookEndpointRecord } from './webhook-types.js';

interface EndpointRow {
  id: string;
  url: string;
  secret: string;
  events: string[] | string;
  enabled: boolean;
  description: string | null;
  created_at: Date | string;
  updated_at: Date | string;
}

const COLUMNS = 'id, url, secret, events, enabled, description, created_at, updated_at';

function toRecord(r: EndpointRow): WebhookEndpointRecord {
  return {
    id: r.id,
    url: r.url,
    secret: r.secret,
    events: typeof r.events === 'string' ? (JSON.parse(r.events) as string[]) : r.events,
    enabled: r.enabled,
    description: r.description,
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
  };
}

export interface EndpointFields {
  readonly url: string;
  readonly events: readonly string[];
  readonly enabled: boolean;
  readonly description: string | null;
}

/** SQL for `webhook_endpoints`. */
export class WebhookEndpointStore {
  constructor(private readonly db: Queryable) {}

  async insert(id: string, secret: string, f: EndpointFields, now: Date): Promise<WebhookEndpointRecord> {
    const rows = await this.db.query<EndpointRow>(
      `INSERT INTO webhook_endpoints (id, url, secret, events, enabled, description, created_at, updated_at)
       VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, $7) RETURNING ${COLUMNS}`,
      [id, f.url, secret, JSON.stringify(f.events), f.enabled, f.description, now]);
    return toRecord(rows[0]!);
  }

  async get(id: string): Promise<WebhookEndpointRecord | null> {
    const rows = await this.db.query<EndpointRow>(`SELECT ${COLUMNS} FROM webhook_endpoints WHERE id = $1`, [id]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async list(): Promise<WebhookEndpointRecord[]> {
    const rows = await this.db.query<EndpointRow>(`SELECT ${COLUMNS} FROM webhook_endpoints ORDER BY created_at, id`);
    return rows.map(toRecord);
  }

  async count(): Promise<number> {
    const rows = await this.db.query<{ n: number | string }>('SELECT count(*) AS n FROM webhook_endpoints');
    return Number(rows[0]!.n);
  }

  async update(id: string, f: EndpointFields, now: Date): Promise<WebhookEndpointRecord | null> {
    const rows = await this.db.query<EndpointRow>(
      `UPDATE webhook_endpoints SET url = $2, events = $3::jsonb, enabled = $4, description = $5, updated_at = $6
       WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, f.url, JSON.stringify(f.events), f.enabled, f.description, now]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async delete(id: string): Promise<boolean> {
    const rows = await this.db.query('DELETE FROM webhook_endpoints WHERE id = $1 RETURNING id', [id]);
    return rows.length > 0;
  }
}
