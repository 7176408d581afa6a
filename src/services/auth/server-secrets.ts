import type { Database } from '../../db/database.js';
import { newSecret } from '../random-ids.js';

/**
 * Secrets the server generates once and keeps across restarts (e.g. the playback-token secret when
 * --playback-secret is empty). Insert-if-absent then read, so concurrent first starts agree on one value.
 */
export async function getOrCreateServerSecret(db: Database, name: string): Promise<string> {
  await db.query(
    'INSERT INTO server_secrets (name, value, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING',
    [name, newSecret(''), new Date()]);
  const rows = await db.query<{ value: string }>('SELECT value FROM server_secrets WHERE name = $1', [name]);
  return rows[0]!.value;
}
