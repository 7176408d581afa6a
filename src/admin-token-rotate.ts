import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { CliIo, RotateOptions } from './cli/cli-io.js';
import { loadConfig } from './config/load-config.js';
import { openDatabase } from './db/open-database.js';
import { embeddedDatabaseDir } from './db/embedded-location.js';
import { AdminTokenAuthenticator } from './services/auth/admin-token.js';

/**
 * `onair admin-token rotate`: replaces the stored admin token and prints the new one. It works on the
 * database itself (no API, no running server needed), which is the point: it is how an operator who lost the
 * token printed at the first start gets back in. The embedded database must not be open in a server (its lock
 * refuses); PostgreSQL may be shared with running servers, which read the token at their next start.
 */
export async function rotateAdminToken(o: RotateOptions, io: CliIo): Promise<number> {
  const argv = [
    ...(o.config ? ['--config', o.config] : []),
    ...(o.dataDir ? ['--data-dir', o.dataDir] : []),
    ...(o.databaseUrl ? ['--database-url', o.databaseUrl] : []),
  ];
  const config = loadConfig({ argv, env: io.env });
  const dbDir = embeddedDatabaseDir(config.dataDir);
  if (!config.databaseUrl && !existsSync(join(dbDir, 'PG_VERSION'))) {
    io.err(`error: no database in ${dbDir}: pass the --data-dir the server uses (the database is made at its first start), or --database-url`);
    return 1;
  }
  const db = await openDatabase(config);
  let token: string;
  try {
    token = await AdminTokenAuthenticator.rotate(db);
  } finally {
    await db.close();
  }
  const where = config.databaseUrl ? 'the PostgreSQL database' : dbDir;
  io.out(`New admin API token for ${where} (store it now; the previous one no longer works):`);
  io.out(token);
  io.out(config.databaseUrl
    ? 'Servers already running on this database accept the new token after their next start.'
    : 'Start the server on this --data-dir and use this token.');
  io.out('A server started with --api-token / ONAIR_API_TOKEN uses that token instead of the stored one.');
  return 0;
}
