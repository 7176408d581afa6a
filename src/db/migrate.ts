import type { Database } from './database.js';
import { MIGRATIONS, type Migration } from './migrations.js';
import { MIGRATION_LOCK_ID } from './limits.js';

/**
 * Applies every migration not yet recorded in `schema_migrations`, each in its own transaction together
 * with its bookkeeping row. An advisory transaction lock makes concurrent starts against one PostgreSQL
 * apply each migration exactly once. Returns the ids applied now.
 */
export async function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  // Under the lock too: CREATE TABLE IF NOT EXISTS is not safe against a concurrent one (two nodes starting at once
  // on an empty database: the loser fails on pg_type's unique index).
  await db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_ID]);
    await tx.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      id integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
  }, { unbounded: true }); // the lock may wait for another node's migrations
  const applied: number[] = [];
  for (const m of [...migrations].sort((a, b) => a.id - b.id)) {
    const done = await db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_ID]);
      const rows = await tx.query('SELECT 1 FROM schema_migrations WHERE id = $1', [m.id]);
      if (rows.length > 0) return false;
      for (const sql of m.statements) await tx.query(sql);
      await tx.query('INSERT INTO schema_migrations (id, name) VALUES ($1, $2)', [m.id, m.name]);
      return true;
    }, { unbounded: true });
    if (done) applied.push(m.id);
  }
  return applied;
}
