import pg from 'pg';
import { OnAirError } from '../core/errors.js';
import type { Database, NotificationHandlers, Queryable, TransactionOptions } from './database.js';
import { PostgresListener } from './postgres-listener.js';
import { isConnectionFailure, unavailableError } from './unavailable.js';
import { POOL_MAX_CONNECTIONS, POOL_IDLE_TIMEOUT_MS, CONNECT_TIMEOUT_MS, QUERY_TIMEOUT_MS } from './limits.js';

/** A statement with a read timeout: node-postgres honours `query_timeout` per query (client.js), its types list it per client only. */
function timed(text: string, params: readonly unknown[], ms: number | undefined): pg.QueryConfig {
  return { text, values: [...params], query_timeout: ms } as pg.QueryConfig;
}

/**
 * PostgreSQL through a `pg` pool, for DATABASE_URL deployments (several OnAir instances may share it). While
 * PostgreSQL cannot be reached or does not answer, every query rejects with ONAIR_ERR_UNAVAILABLE (bounded by
 * CONNECT_TIMEOUT_MS and QUERY_TIMEOUT_MS),
 * which the layers above turn into a 503, a publish refusal or a queued retry (README "PostgreSQL outage").
 */
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
    try {
      const res = await this.pool.query(timed(sql, params, QUERY_TIMEOUT_MS));
      return res.rows as T[];
    } catch (err) {
      throw unavailableError(err);
    }
  }

  async transaction<R>(fn: (tx: Queryable) => Promise<R>, options: TransactionOptions = {}): Promise<R> {
    this.checkOpen();
    const query_timeout = options.unbounded ? undefined : QUERY_TIMEOUT_MS;
    const client = await this.pool.connect().catch((err: unknown) => {
      throw unavailableError(err);
    });
    let broken: Error | undefined;
    try {
      await client.query(timed('BEGIN', [], query_timeout));
      const result = await fn({
        query: async <T>(sql: string, params: readonly unknown[] = []) => (await client.query(timed(sql, params, query_timeout))).rows as T[],
      });
      await client.query(timed('COMMIT', [], query_timeout));
      return result;
    } catch (err) {
      // A client whose connection dropped is destroyed, not handed back to the pool for the next caller.
      if (isConnectionFailure(err)) broken = err as Error;
      else await client.query('ROLLBACK').catch(() => {});
      throw unavailableError(err);
    } finally {
      client.release(broken);
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
