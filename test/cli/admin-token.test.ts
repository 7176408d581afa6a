import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../src/db/open-database.js';
import { AdminTokenAuthenticator } from '../../src/services/auth/admin-token.js';
import { freshPostgresDatabase } from '../support/api-harness.js';
import { startTestPostgres } from '../support/postgres.js';
import { runOnairCommand } from '../../src/onair-command.js';
import { seedEmbeddedDatabase } from '../../support/embedded-db-template.js';

async function cli(argv: string[], env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runOnairCommand(argv, { out: (l) => out.push(l), err: (l) => err.push(l), env });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** Which of two tokens a database's stored admin token accepts now (as a server starting on it would). */
async function accepted(config: { dataDir: string; databaseUrl: string }, ...tokens: string[]): Promise<boolean[]> {
  const db = await openDatabase(config);
  try {
    const { auth } = await AdminTokenAuthenticator.init(db, '');
    return tokens.map((t) => auth.verify(t));
  } finally {
    await db.close();
  }
}

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const scratch = () => {
  const d = mkdtempSync(join(tmpdir(), 'onair-token-'));
  dirs.push(d);
  return d;
};

describe('onair admin-token rotate', () => {
  it('PGlite: prints a new token for an existing data dir; the old one stops working', async () => {
    const dataDir = scratch();
    await seedEmbeddedDatabase(dataDir); // an existing data dir: a copy of the migrated database (no initdb)
    const db = await openDatabase({ dataDir, databaseUrl: '' });
    const { generatedToken: lost } = await AdminTokenAuthenticator.init(db, '');
    await db.close();
    const r = await cli(['admin-token', 'rotate', '--data-dir', dataDir]);
    assert.equal(r.code, 0, r.err);
    const fresh = /onair_\S+/.exec(r.out)?.[0];
    assert.ok(fresh && fresh !== lost, r.out);
    assert.deepEqual(await accepted({ dataDir, databaseUrl: '' }, fresh, lost!), [true, false]);
  });

  it('PGlite: refused while a server holds the data dir, naming it', async () => {
    const dataDir = scratch();
    await seedEmbeddedDatabase(dataDir); // an existing data dir: a copy of the migrated database (no initdb)
    const db = await openDatabase({ dataDir, databaseUrl: '' });
    try {
      const r = await cli(['admin-token', 'rotate', '--data-dir', dataDir]);
      assert.equal(r.code, 1);
      assert.match(r.err, new RegExp(`in use by another OnAir process \\(pid ${process.pid}\\)`));
    } finally {
      await db.close();
    }
  });

  it('a data dir without a database is an error, and nothing is created there', async () => {
    const dataDir = join(scratch(), 'typo');
    const r = await cli(['admin-token', 'rotate', '--data-dir', dataDir]);
    assert.equal(r.code, 1);
    assert.match(r.err, /no database/);
    assert.equal(existsSync(dataDir), false);
  });

  describe('PostgreSQL', () => {
    let pg: { url: string; stop(): Promise<void> };
    before(async () => {
      pg = await startTestPostgres();
    });
    after(async () => pg.stop());

    it('prints a new token for the database in --database-url (or DATABASE_URL)', async () => {
      const databaseUrl = await freshPostgresDatabase(pg.url);
      const db = await openDatabase({ dataDir: '', databaseUrl });
      const { generatedToken: lost } = await AdminTokenAuthenticator.init(db, '');
      await db.close();
      const r = await cli(['admin-token', 'rotate', '--database-url', databaseUrl]);
      assert.equal(r.code, 0, r.err);
      const viaFlag = /onair_\S+/.exec(r.out)![0];
      assert.deepEqual(await accepted({ dataDir: '', databaseUrl }, viaFlag, lost!), [true, false]);
      const again = await cli(['admin-token', 'rotate'], { DATABASE_URL: databaseUrl });
      assert.equal(again.code, 0, again.err);
      const viaEnv = /onair_\S+/.exec(again.out)![0];
      assert.deepEqual(await accepted({ dataDir: '', databaseUrl }, viaEnv, viaFlag), [true, false]);
    });
  });
});

describe('onair --help', () => {
  it('never prints the admin token from the environment', async () => {
    const secret = 'onair_do-not-print-me-0123456789';
    for (const argv of [['--help'], ['streams', '--help'], ['streams', 'list', '--help'], ['admin-token', 'rotate', '--help']]) {
      const r = await cli(argv, { ONAIR_API_TOKEN: secret });
      assert.ok(!`${r.out}\n${r.err}`.includes(secret), `${argv.join(' ')} printed the token`);
      assert.match(`${r.out}\n${r.err}`, /Usage/);
    }
  });
});
