import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { isOnAirError } from '../core/errors.js';
import { PgliteDatabase } from './pglite-database.js';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const scratch = () => {
  const d = mkdtempSync(join(tmpdir(), 'onair-pglite-'));
  dirs.push(d);
  return d;
};

/** Opens a fresh embedded database in a new process and reports that process's peak resident memory. */
const PROBE = `
import { readFileSync } from 'node:fs';
const { PgliteDatabase } = await import(process.argv[1]);
const db = await PgliteDatabase.open(process.argv[2]);
const rows = await db.query('SELECT 1 + 1 AS two');
await db.close();
const hwmKb = Number(/VmHWM:\\s+(\\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))[1]);
console.log(JSON.stringify({ two: rows[0].two, peakMb: Math.round(hwmKb / 1024) }));
`;

describe('creating the embedded database', () => {
  it("happens outside the server's process: opening a fresh data dir does not take the server to initdb's ~750 MB", async () => {
    const dir = join(scratch(), 'db');
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', PROBE,
      new URL('./pglite-database.ts', import.meta.url).href, dir], { timeout: 180_000 });
    const { two, peakMb } = JSON.parse(stdout.trim().split('\n').at(-1)!) as { two: number; peakMb: number };
    assert.equal(two, 2, 'the database works');
    // Run in-process, PGlite 0.5's initdb took the opener to 750-770 MB; a plain open of a made database ~230 MB.
    assert.ok(peakMb < 500, `peak RSS of the opening process ${peakMb} MB`);
    assert.ok(existsSync(join(dir, 'PG_VERSION')));
  });

  it('an interrupted earlier attempt is cleared; a directory with other files is refused, naming --data-dir', async () => {
    const dir = join(scratch(), 'db');
    mkdirSync(`${dir}.initializing`);
    writeFileSync(join(`${dir}.initializing`, 'half-made'), '');
    const db = await PgliteDatabase.open(dir);
    await db.close();
    assert.equal(existsSync(`${dir}.initializing`), false);

    const notADatabase = join(scratch(), 'db');
    mkdirSync(notADatabase);
    writeFileSync(join(notADatabase, 'notes.txt'), 'mine');
    await assert.rejects(PgliteDatabase.open(notADatabase), (e) => isOnAirError(e, 'ONAIR_ERR_CONFIG') && /--data-dir/.test((e as Error).message));
    assert.equal(existsSync(`${notADatabase}.lock`), false, 'the lock is released after a refusal');
  });
});
