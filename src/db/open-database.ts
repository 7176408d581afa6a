import { OnAirError, isOnAirError } from '../core/errors.js';
import type { Database } from './database.js';
import { PgliteDatabase } from './pglite-database.js';
import { PostgresDatabase } from './postgres-database.js';
import { migrate } from './migrate.js';
import { embeddedDatabaseDir } from './embedded-location.js';

/** The two settings this layer reads (a structural subset of the app Config, so db imports only core). */
export interface DatabaseConfig {
  readonly databaseUrl: string;
  readonly dataDir: string;
}

/**
 * PostgreSQL when `databaseUrl` is set, else embedded PGlite under `<dataDir>/db`; migrated before it is
 * returned. `{ inMemory: true }` gives a throwaway PGlite (tests).
 */
export async function openDatabase(config: DatabaseConfig, opts: { inMemory?: boolean } = {}): Promise<Database> {
  const db: Database = config.databaseUrl
    ? new PostgresDatabase(config.databaseUrl)
    : await PgliteDatabase.open(opts.inMemory ? undefined : embeddedDatabaseDir(config.dataDir)).catch((err: unknown) => {
      throw fsError(err, config.dataDir);
    });
  try {
    await migrate(db);
  } catch (err) {
    await db.close();
    throw db.kind === 'postgres' ? connectError(err, config.databaseUrl) : err;
  }
  return db;
}

/** A data dir that cannot be created or written, as one sentence naming the flag. */
function fsError(err: unknown, dataDir: string): unknown {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS' || code === 'ENOTDIR') {
    return new OnAirError('ONAIR_ERR_CONFIG', `cannot use ${dataDir} for the database (${code}): choose a writable --data-dir`);
  }
  return err;
}

/** PostgreSQL unreachable or refusing us, as one sentence; the URL without its password. */
function connectError(err: unknown, url: string): unknown {
  if (isOnAirError(err, 'ONAIR_ERR_UNAVAILABLE')) err = err.cause;
  if (!(err instanceof Error) || err instanceof OnAirError || !('code' in err)) return err;
  let where = 'the PostgreSQL server';
  try {
    const u = new URL(url);
    where = `${u.hostname}:${u.port || 5432}${u.pathname}`;
  } catch { /* not a URL: pg's own message says so */ }
  return new OnAirError('ONAIR_ERR_CONFIG', `cannot use the database at ${where} (--database-url / DATABASE_URL): ${err.message}`);
}
