import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { OnAirError } from '../core/errors.js';
import type { Database, NotificationHandlers, Queryable } from './database.js';

/**
 * Postgres settings for the embedded database. Its tables are a few thousand rows (streams, keys, sessions,
 * webhook deliveries), and PGlite's defaults (128 MB of shared buffers, sized for a database server) cost the
 * media server's process that much resident memory.
 */
const EMBEDDED_POSTGRES_CONF = ['shared_buffers = 8MB', 'wal_buffers = 1MB', 'work_mem = 1MB', 'maintenance_work_mem = 4MB'];

/** Embedded PostgreSQL (WASM). `dataDir` undefined = in memory (tests). */
export class PgliteDatabase implements Database {
  readonly kind = 'pglite' as const;
  private closed = false;

  private constructor(private readonly pg: PGlite) {}

  static async open(dataDir?: string): Promise<PgliteDatabase> {
    if (dataDir !== undefined) mkdirSync(dataDir, { recursive: true });
    const pg = await PGlite.create(dataDir, { postgresqlconf: EMBEDDED_POSTGRES_CONF });
    return new PgliteDatabase(pg);
  }

  async query<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    this.checkOpen();
    const res = await this.pg.query<T>(sql, [...params]);
    return res.rows;
  }

  async transaction<R>(fn: (tx: Queryable) => Promise<R>): Promise<R> {
    this.checkOpen();
    return this.pg.transaction(async (tx) => {
      const q: Queryable = {
        query: async <T>(sql: string, params: readonly unknown[] = []) => (await tx.query<T>(sql, [...params])).rows,
      };
      return fn(q);
    });
  }

  /** PGlite is this process's own database: notifications cannot be missed, so `onGap` is never called. */
  async listen(channel: string, handlers: NotificationHandlers): Promise<() => Promise<void>> {
    this.checkOpen();
    const unlisten = await this.pg.listen(channel, (payload) => handlers.onNotify(payload));
    return async () => {
      if (!this.closed) await unlisten();
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pg.close();
  }

  private checkOpen(): void {
    if (this.closed) throw new OnAirError('ONAIR_ERR_CLOSED', 'database is closed');
  }
}
