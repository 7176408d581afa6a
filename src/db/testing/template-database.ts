import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { PgliteDatabase } from '../pglite-database.js';
import { embeddedDatabaseDir } from '../embedded-location.js';
import { migrate } from '../migrate.js';
import { openDatabase } from '../open-database.js';
import type { Database } from '../database.js';

/**
 * A migrated, empty embedded database, made once per machine (like the test media) and copied into a test
 * server's data dir before it starts. Creating one runs PGlite's initdb, ~10 s on a loaded 2-core machine,
 * and almost every test server would otherwise pay that; opening an existing one takes about a second. The
 * first-start path itself (initdb in a child, the rename into place, refusals) stays covered by the tests that
 * start on an empty data dir (src/db/pglite-first-start.test.ts, the CLI and process tests).
 */
const root = resolve(import.meta.dirname, '../../..');
const cacheDir = join(root, '.test-tmp');

/** Anything that changes what a fresh, migrated database holds makes a new template. */
function templateKey(): string {
  const h = createHash('sha256');
  for (const f of ['src/db/migrations.ts', 'src/db/migrate.ts', 'src/db/pglite-database.ts', 'src/db/pglite-first-start.ts']) h.update(readFileSync(join(root, f)));
  const pgliteEntry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  let dir = dirname(pgliteEntry);
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  h.update(readFileSync(join(dir, 'package.json')));
  return h.digest('hex').slice(0, 16);
}

let template: Promise<string> | undefined;

/**
 * A PostgreSQL data directory (PGlite's or a server's) made once per machine at `out`: built by `build` beside it and
 * renamed into place, so a concurrent test process never copies a half-made one; the loser of a race keeps the
 * winner's. The caller makes `out`'s parent.
 */
export async function dataDirOnce(out: string, build: (dir: string) => Promise<void>): Promise<string> {
  if (existsSync(join(out, 'PG_VERSION'))) return out;
  const building = `${out}.${process.pid}.building`;
  rmSync(building, { recursive: true, force: true });
  await build(building);
  try {
    renameSync(building, out);
  } catch (err) {
    rmSync(building, { recursive: true, force: true });
    if (!existsSync(join(out, 'PG_VERSION'))) throw err;
  }
  return out;
}

async function buildTemplate(): Promise<string> {
  mkdirSync(cacheDir, { recursive: true });
  return dataDirOnce(join(cacheDir, `pglite-template-${templateKey()}`), async (building) => {
    const db = await PgliteDatabase.open(building);
    try {
      await migrate(db);
    } finally {
      await db.close();
    }
    rmSync(`${building}.lock`, { force: true });
  });
}

/** Puts a copy of the template where OnAir looks for its embedded database under `dataDir`. */
export async function seedEmbeddedDatabase(dataDir: string): Promise<void> {
  template ??= buildTemplate();
  cpSync(await template, embeddedDatabaseDir(dataDir), { recursive: true });
}

/**
 * A throwaway embedded database for a test that needs one (instead of `openDatabase(..., { inMemory: true })`,
 * which runs initdb each time): a copy of the template in a temp dir, removed when it is closed. Tests of
 * migrating an empty database keep opening a fresh one.
 */
export async function openTemplateDatabase(): Promise<Database> {
  const dataDir = mkdtempSync(join(tmpdir(), 'onair-testdb-'));
  await seedEmbeddedDatabase(dataDir);
  const db = await openDatabase({ databaseUrl: '', dataDir });
  const close = db.close.bind(db);
  db.close = async () => {
    try {
      await close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  };
  return db;
}
