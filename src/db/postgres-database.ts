import pg from 'pg';
import { OnAirError } from '../core/errors.js';
import type { Database, NotificationHandlers, Queryable } from './database.js';
import { PostgresListener } from './postgres-listener.js';
import { POOL_MAX_CONNECTIONS, POOL_IDLE_TIMEOUT_MS, CONNECT_TIMEOUT_MS } from './limits.js';

/** PostgreSQL through a `pg` pool, for DATABASE_URL deployments (several OnAir instances may share it). */
export class PostgresDatabase implements Database {
  readonly kind = 'postgres' as const;
  private closed = false;
  private readonly pool: pg.Pool;
  private readonly listeners = new Set<PostgresListener>();

  constructor(private readonly url: string) {
    this.pool = new pg.Pool({
      connectionString: url,
      max: POOL_MAX_CONNECTIONS,
      idleTimeoutMillis: POOL_IDLE_TIMEOUT_MS,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    });
    // An idle client losing its connection emits on the pool; without a listener that would crash the process.
    this.pool.on('error', () => {});
  }

  async query<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    this.checkOpen();
    const res = await this.pool.query(sql, [...params]);
    return res.rows as T[];
  }

  async transaction<R>(fn: (tx: Queryable) => Promise<R>): Promise<R> {
    this.checkOpen();
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await fn({
        query: async <T>(sql: string, params: readonly unknown[] = []) => (await client.query(sql, [...params])).rows as T[],
      });
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  }

  async listen(channel: string, handlers: NotificationHandlers): Promise<() => Promise<void>> {
    this.checkOpen();
    const listener = new PostgresListener(this.url, channel, handlers);
    this.listeners.add(listener);
    await listener.start();
    return async () => {
      this.listeners.delete(listener);
      await listener.stop();
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.listeners].map((l) => l.stop()));
    this.listeners.clear();
    await this.pool.end();
  }

  private checkOpen(): void {
    if (this.closed) throw new OnAirError('ONAIR_ERR_CLOSED', 'database is closed');
  }
}
