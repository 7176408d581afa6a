/**
 * Resident memory of the server's very first start (which creates the embedded database) against a start on an
 * existing data dir: the server process's peak (VmHWM) and its RSS once settled, and the peak of the short-lived
 * helper that creates the database (PGlite's initdb) on the first start.
 *
 *   npx tsx bench/first-start-memory.ts [--runs 3] [--settle 15] [--root <another checkout with dist/ built>]
 *
 * Each run uses a fresh data dir. The helper lives a few seconds; its peak is read by polling /proc every 50 ms,
 * so it is a lower bound (VmHWM is read from the helper itself, so a short peak between polls is still seen
 * unless the helper exits in between).
 */
import { readFileSync, readdirSync, mkdtempSync } from 'node:fs';
import { freePort } from '../support/free-port.js';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { median, numberArg, runBench, sleep, startChild, stopChild } from './lib/children.js';
import { buildOnAir, waitPort } from './lib/servers.js';

/** Another checkout's root (its dist/ already built) with --root, to compare builds; default this one. */
const rootArg = process.argv.indexOf('--root');
const ONAIR_ROOT = rootArg > 0 ? resolve(process.argv[rootArg + 1]!) : resolve(import.meta.dirname, '..');
const RUNS = numberArg('runs', 3);
const SETTLE_MS = numberArg('settle', 15) * 1000;
const work = mkdtempSync(join(tmpdir(), 'onair-first-start-'));

function statusKb(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

interface Reading { serverPeakMb: number; serverSettledMb: number; helperPeakMb: number }

async function start(dataDir: string): Promise<Reading> {
  const [rtmpPort, httpPort] = [await freePort(), await freePort()];
  const server = startChild(process.execPath, [join(ONAIR_ROOT, 'dist/main.js'), '--host', '127.0.0.1', '--rtmp-port', String(rtmpPort),
    '--http-port', String(httpPort), '--data-dir', dataDir, '--log-level', 'warn', '--api-token', 'bench-token-0123456789']);
  const pid = server.pid!;
  let helperPeak = 0;
  let up = false;
  void waitPort(httpPort, 120_000).then(() => (up = true));
  while (!up) {
    for (const c of childrenOf(pid)) helperPeak = Math.max(helperPeak, statusKb(c, 'VmHWM'));
    await sleep(50);
  }
  await sleep(SETTLE_MS);
  const reading = { serverPeakMb: statusKb(pid, 'VmHWM') / 1024, serverSettledMb: statusKb(pid, 'VmRSS') / 1024, helperPeakMb: helperPeak / 1024 };
  await stopChild(server);
  return reading;
}

runBench(async () => {
  if (rootArg < 0) buildOnAir();
  const first: Reading[] = [];
  const again: Reading[] = [];
  for (let i = 0; i < RUNS; i++) {
    const dataDir = join(work, `run${i}`);
    first.push(await start(dataDir));
    again.push(await start(dataDir));
    if (!readdirSync(join(dataDir, 'db')).includes('PG_VERSION')) throw new Error('no database was made');
  }
  const row = (label: string, rs: Reading[], key: keyof Reading) => console.log(`${label.padEnd(44)} ${rs.map((r) => r[key].toFixed(0).padStart(5)).join(' ')}   median ${median(rs.map((r) => r[key])).toFixed(0)} MB`);
  console.log(`runs: ${RUNS}, settle ${SETTLE_MS / 1000} s (MB)`);
  row('first start: database helper peak (VmHWM)', first, 'helperPeakMb');
  row('first start: server peak (VmHWM)', first, 'serverPeakMb');
  row('first start: server settled (VmRSS)', first, 'serverSettledMb');
  row('existing data dir: server peak (VmHWM)', again, 'serverPeakMb');
  row('existing data dir: server settled (VmRSS)', again, 'serverSettledMb');
}, work);
