import { join } from 'node:path';
import { DataDirLock } from './data-dir-lock.js';

/** Where the embedded database lives under `--data-dir`, and its lock file beside it. */
export function embeddedDatabaseDir(dataDir: string): string {
  return join(dataDir, 'db');
}

export function embeddedLockFile(databaseDir: string): string {
  return `${databaseDir}.lock`;
}

/**
 * Refuses, naming the other process, when a live server holds the embedded database: a cheap check before
 * start-up (this module loads no database code), so it is reported before anything else is done.
 */
export function checkDatabaseFree(config: { readonly databaseUrl: string; readonly dataDir: string }): void {
  if (config.databaseUrl) return;
  const dir = embeddedDatabaseDir(config.dataDir);
  DataDirLock.assertFree(embeddedLockFile(dir), `the database in ${dir}`);
}
