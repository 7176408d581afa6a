import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { OnAirError } from '../core/errors.js';
import type { Database, NotificationHandlers, Queryable } from './database.js';
import { DataDirLock } from './data-dir-lock.js';
import { embeddedLockFile } from './embedded-location.js';
import { initialiseInChild, isInitialised } from './pglite-first-start.js';

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

  private constructor(private readonly pg: PGlite, private readonly lock: DataDirLock | null) {}

  /**
   * Opens (creating on first use) the database in `dataDir`, holding `<dataDir>.lock` while open: a second
   * process on the same directory is refused, naming the first.
   */
  static async open(dataDir?: string): Promise<PgliteDatabase> {
    if (dataDir === undefined) return new PgliteDatabase(await PGlite.create(undefined, { postgresqlconf: EMBEDDED_POSTGRES_CONF }), null);
    mkdirSync(dirname(dataDir), { recursive: true });
    const lock = DataDirLock.acquire(embeddedLockFile(dataDir), `the database in ${dataDir}`);
    try {
      if (!isInitialised(dataDir)) await initialiseInChild(dataDir, EMBEDDED_POSTGRES_CONF);
      return new PgliteDatabase(await PGlite.create(dataDir, { postgresqlconf: EMBEDDED_POSTGRES_CONF }), lock);
    } catch (err) {
      lock.release();
      throw err;
    }
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
    try {
      await this.pg.close();
    } finally {
      this.lock?.release();
    }
  }

  private checkOpen(): void {
    if (this.closed) throw new OnAirError('ONAIR_ERR_CLOSED', 'database is closed');
  }
}
