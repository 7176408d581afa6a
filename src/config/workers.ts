import { availableParallelism } from 'node:os';
import { OnAirError } from '../core/errors.js';
import type { Config } from './schema.js';

/** Upper bound of --workers: far above any core count this server is meant for, low enough to catch a typo. */
const MAX_WORKERS = 256;

/** The worker count of `--workers` (`auto` = cores); throws a one-line error naming the flag. */
export function workerCount(value: string, cores = availableParallelism()): number {
  if (value === 'auto') return Math.max(1, cores);
  if (!/^\d{1,3}$/.test(value) || Number(value) < 1 || Number(value) > MAX_WORKERS) {
    throw new OnAirError('ONAIR_ERR_CONFIG', `--workers must be a number from 1 to ${MAX_WORKERS}, or auto (got "${value.slice(0, 20)}")`);
  }
  return Number(value);
}

/**
 * More than one worker needs PostgreSQL: the embedded PGlite database belongs to one process (each worker opens
 * the database; the webhook queue, sessions and streams are shared through it).
 */
export function checkWorkerSettings(config: Config): number {
  const n = workerCount(config.workers);
  if (n > 1 && !config.databaseUrl) {
    throw new OnAirError('ONAIR_ERR_CONFIG', `--workers ${config.workers} needs --database-url (PostgreSQL): the embedded database can only be opened by one process`);
  }
  return n;
}
