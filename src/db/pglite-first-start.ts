import { spawn } from 'node:child_process';
import { existsSync, readdirSync, renameSync, rmSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { OnAirError } from '../core/errors.js';

/**
 * The child's whole program: PGlite.create on a fresh directory runs initdb (a second WASM PostgreSQL plus
 * initdb's own module and a copy of the heap), then closes. Plain JavaScript, so it needs no TypeScript loader.
 */
const INIT_PROGRAM = `
const [moduleUrl, dir, conf] = process.argv.slice(1);
const { PGlite } = await import(moduleUrl);
const pg = await PGlite.create(dir, { postgresqlconf: JSON.parse(conf) });
await pg.close();
`;

/** True when `dir` holds an initialised PostgreSQL data directory. */
export function isInitialised(dir: string): boolean {
  return existsSync(join(dir, 'PG_VERSION'));
}

/**
 * Creates a new embedded database at `dir` in a short-lived child process. Creating one peaks at ~770 MB of
 * resident memory (PGlite 0.5 runs initdb in a second WASM instance beside the first); in the server's own
 * process that memory is not all returned afterwards (it settled at ~330 MB against ~180 MB for a start on an
 * existing database). In a child it is all returned when the child exits, and the server then opens the
 * directory like any later start. The database is made in `<dir>.initializing` and renamed into place, so an
 * interrupted first start leaves no half-made database behind.
 */
export async function initialiseInChild(dir: string, postgresqlConf: readonly string[]): Promise<void> {
  if (existsSync(dir)) {
    if (readdirSync(dir).length > 0) {
      throw new OnAirError('ONAIR_ERR_CONFIG', `${dir} holds files but no database (no PG_VERSION): move it away or choose another --data-dir`);
    }
    rmdirSync(dir);
  }
  const building = `${dir}.initializing`;
  rmSync(building, { recursive: true, force: true });
  const moduleUrl = import.meta.resolve('@electric-sql/pglite');
  const child = spawn(process.execPath, ['--input-type=module', '-e', INIT_PROGRAM, moduleUrl, building, JSON.stringify(postgresqlConf)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr = (stderr + b.toString()).slice(-4000)));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  if (code !== 0 || !isInitialised(building)) {
    rmSync(building, { recursive: true, force: true });
    const why = stderr.trim().split('\n').filter(Boolean).at(-1) ?? `exit code ${code}`;
    throw new OnAirError('ONAIR_ERR_CONFIG', `could not create the embedded database in ${dir}: ${why}`);
  }
  renameSync(building, dir);
}
