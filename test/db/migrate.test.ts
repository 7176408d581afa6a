import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPostgres } from '../support/postgres.js';
import { freshPostgresDatabase } from '../support/api-harness.js';
import { openDatabase } from '../../src/db/open-database.js';
import { migrate } from '../../src/db/migrate.js';
import { MIGRATIONS } from '../../src/db/migrations.js';
import { PgliteDatabase } from '../../src/db/pglite-database.js';
import type { Database } from '../../src/db/database.js';

let pg: { url: string; stop(): Promise<void> };
before(async () => {
  pg = await startTestPostgres();
});
after(async () => pg.stop());

for (const [label, open] of [
  ['PGlite', async () => openDatabase({ databaseUrl: '', dataDir: '' }, { inMemory: true })],
  ['PostgreSQL', async () => openDatabase({ databaseUrl: await freshPostgresDatabase(pg.url), dataDir: '' })],
] as const) {
  describe(`migrations (${label})`, () => {
    let db: Database;
    before(async () => {
      db = await open();
    });
    after(async () => db.close());

    it('applies every migration once; a second run applies nothing', async () => {
      const rows = await db.query<{ id: number }>('SELECT id FROM schema_migrations ORDER BY id');
      assert.deepEqual(rows.map((r) => r.id), MIGRATIONS.map((m) => m.id));
      assert.deepEqual(await migrate(db), []);
    });

    it('transactions roll back on throw and commit on return', async () => {
      await assert.rejects(db.transaction(async (tx) => {
        await tx.query(`INSERT INTO server_secrets (name, value, created_at) VALUES ('rb', 'x', now())`);
        throw new Error('boom');
      }), /boom/);
      assert.equal((await db.query(`SELECT 1 FROM server_secrets WHERE name = 'rb'`)).length, 0);
      await db.transaction(async (tx) => tx.query(`INSERT INTO server_secrets (name, value, created_at) VALUES ('ok', 'x', now())`));
      assert.equal((await db.query(`SELECT 1 FROM server_secrets WHERE name = 'ok'`)).length, 1);
    });

    it('close is idempotent and later queries reject with ONAIR_ERR_CLOSED', async () => {
      const other = await open();
      await other.close();
      await other.close();
      await assert.rejects(other.query('SELECT 1'), { code: 'ONAIR_ERR_CLOSED' });
    });
  });
}

describe('PGlite on disk', () => {
  it('keeps data across reopen under <dataDir>/db', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'onair-pglite-'));
    try {
      let db = await openDatabase({ databaseUrl: '', dataDir: dir });
      await db.query(`INSERT INTO server_secrets (name, value, created_at) VALUES ('persist', 'v', now())`);
      await db.close();
      db = await openDatabase({ databaseUrl: '', dataDir: dir });
      assert.equal(db instanceof PgliteDatabase, true);
      assert.deepEqual(await db.query(`SELECT value FROM server_secrets WHERE name = 'persist'`), [{ value: 'v' }]);
      // Sized for a few thousand rows, not a database server (resident memory of the media server's process).
      assert.deepEqual(await db.query('SHOW shared_buffers'), [{ shared_buffers: '8MB' }]);
      await db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('PostgreSQL: nodes starting at once on an empty database', () => {
  it('every start succeeds and each migration is applied once (the bookkeeping table is created under the lock too)', async () => {
    for (let round = 0; round < 4; round++) {
      const url = await freshPostgresDatabase(pg.url);
      const opened = await Promise.allSettled([1, 2, 3, 4].map(() => openDatabase({ databaseUrl: url, dataDir: '' })));
      const dbs = opened.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      try {
        assert.deepEqual(opened.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason)), [], `round ${round}`);
        const rows = await dbs[0]!.query<{ id: number }>('SELECT id FROM schema_migrations ORDER BY id');
        assert.deepEqual(rows.map((r) => r.id), MIGRATIONS.map((m) => m.id));
      } finally {
        await Promise.all(dbs.map((db) => db.close()));
      }
    }
  });
});
