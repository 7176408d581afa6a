import { join } from 'node:path';
import type { Database } from './database.js';
import { PgliteDatabase } from './pglite-database.js';
import { PostgresDatabase } from './postgres-database.js';
import { migrate } from './migrate.js';

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
    : await PgliteDatabase.open(opts.inMemory ? undefined : join(config.dataDir, 'db'));
  try {
    await migrate(db);
  } catch (err) {
    await db.close();
    throw err;
  }
  return db;
}
