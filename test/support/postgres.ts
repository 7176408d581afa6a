import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, chmodSync } from 'node:fs';
import { dataDirOnce } from '../../src/db/testing/template-database.js';
import { freePort, retryIfPortTaken } from '../../support/free-port.js';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/**
 * A throwaway PostgreSQL 15 cluster for tests (Debian's binaries). Postgres refuses to run as root, so when
 * we are root the cluster belongs to the `postgres` user (runuser). Listens on 127.0.0.1 at a free port,
 * socket in the temp dir; `stop()` shuts it down and deletes everything. DATABASE_URL in the environment
 * wins: then nothing is started and `stop()` does nothing.
 */
const BIN = '/usr/lib/postgresql/15/bin';

export interface TestPostgres {
  readonly url: string;
  stop(): Promise<void>;
  /**
   * Outage tests: `halt()` stops the server at once (`pg_ctl stop -m immediate`: connections drop as in a crash),
   * `restart()` starts it again on the same port and data. Both throw with an external DATABASE_URL.
   */
  halt(): Promise<void>;
  restart(): Promise<void>;
  /**
   * Hang tests: `freeze()` stops every PostgreSQL process (SIGSTOP): connections stay open and the kernel still
   * accepts new ones, but nothing is answered, as with a hung server or a link gone black. `thaw()` resumes it.
   */
  freeze(): Promise<void>;
  thaw(): Promise<void>;
}

const INITDB_ARGS = ['-U', 'onair', '--auth=trust', '--no-sync', '-E', 'UTF8'];

let template: Promise<string> | undefined;

/**
 * A freshly initdb'd cluster, made once per machine under .test-tmp (keyed by the server version and initdb's
 * arguments) and copied for every test server: initdb took ~6 s on the loaded VM, a copy half a second.
 */
async function clusterTemplate(run: (cmd: string, args: string[]) => Promise<string>, owner: { uid: number; gid: number } | undefined): Promise<string> {
  const version = await exec(`${BIN}/postgres`, ['--version']);
  const key = createHash('sha256').update(version).update(INITDB_ARGS.join(' ')).digest('hex').slice(0, 16);
  const parent = resolve(import.meta.dirname, '../../.test-tmp/postgres');
  // .test-tmp itself with the default mode: made 0700 here (when this runs first in a fresh clone), runuser's postgres
  // could not reach its own directory inside it.
  mkdirSync(dirname(parent), { recursive: true });
  mkdirSync(parent, { recursive: true, mode: 0o700 });
  if (owner) chownSync(parent, owner.uid, owner.gid);
  return dataDirOnce(join(parent, `template-${key}`), async (building) => void await run(`${BIN}/initdb`, ['-D', building, ...INITDB_ARGS]));
}

export async function startTestPostgres(): Promise<TestPostgres> {
  if (process.env.DATABASE_URL) {
    const external = async () => { throw new Error('cannot stop an external DATABASE_URL'); };
    return { url: process.env.DATABASE_URL, stop: async () => {}, halt: external, restart: external, freeze: external, thaw: external };
  }
  const dir = mkdtempSync(join(tmpdir(), 'onair-pg-'));
  const data = join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  const owner = asRoot ? await postgresUser() : undefined;
  if (owner) chownSync(dir, owner.uid, owner.gid);
  chmodSync(dir, 0o700);
  const run = (cmd: string, args: string[]) => exec(asRoot ? 'runuser' : cmd, asRoot ? ['-u', 'postgres', '--', cmd, ...args] : args);
  template ??= clusterTemplate(run, owner);
  await run('cp', ['-a', await template, data]);
  let port = 0;
  const start = () => run(`${BIN}/pg_ctl`, ['-D', data, '-l', join(dir, 'log'), '-w', '-t', '60', '-o',
    `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c full_page_writes=off`, 'start']);
  const halt = () => run(`${BIN}/pg_ctl`, ['-D', data, '-m', 'immediate', '-w', 'stop']);
  // Should another program bind the port first, the server does not start and starts again on another one (the first
  // start only: a restart keeps the port its clients know).
  await retryIfPortTaken(async () => {
    port = await freePort();
    await start();
  }, (err) => /already in use/i.test(`${err.message} ${logTail(join(dir, 'log'))}`));
  let stopped = false;
  let frozen = false;
  const signalAll = async (signal: 'SIGSTOP' | 'SIGCONT') => {
    const postmaster = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
    const children = (await exec('pgrep', ['-P', String(postmaster)]).catch(() => '')).split('\n').filter(Boolean).map(Number);
    for (const pid of signal === 'SIGSTOP' ? [postmaster, ...children] : [...children, postmaster]) {
      try { process.kill(pid, signal); } catch { /* it just exited */ }
    }
    frozen = signal === 'SIGSTOP';
  };
  return {
    url: `postgres://onair@127.0.0.1:${port}/postgres`,
    halt: async () => { await halt(); },
    restart: async () => { await start(); },
    freeze: () => signalAll('SIGSTOP'),
    thaw: () => signalAll('SIGCONT'),
    stop: async () => {
      if (stopped) return;
      stopped = true;
      if (frozen) await signalAll('SIGCONT').catch(() => {}); // a stopped server would never shut down
      await halt().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The end of the server's log (why a start failed), or nothing. */
function logTail(file: string): string {
  try {
    return readFileSync(file, 'utf8').slice(-2000);
  } catch {
    return '';
  }
}

async function postgresUser(): Promise<{ uid: number; gid: number }> {
  const out = await exec('id', ['-u', 'postgres']);
  const gid = await exec('id', ['-g', 'postgres']);
  return { uid: Number(out.trim()), gid: Number(gid.trim()) };
}

function exec(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${err}`))));
  });
}

