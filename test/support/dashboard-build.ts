import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DASHBOARD_DIR } from '../../src/servers/http/dashboard/register-dashboard.js';
import { runOk, sleep } from './proc.js';

const ROOT = resolve(import.meta.dirname, '../..');
const SOURCES = join(ROOT, 'src/web/dashboard');
/** Held while one test process builds (test files run side by side, each in its own process). */
const LOCK = join(ROOT, '.test-tmp/dashboard-build.lock');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

function builtAt(): number {
  try {
    return statSync(join(DASHBOARD_DIR, 'index.html')).mtimeMs;
  } catch {
    return 0;
  }
}

const stale = (): boolean => Math.max(newestMtime(SOURCES), statSync(join(ROOT, 'package-lock.json')).mtimeMs) > builtAt();

/**
 * Builds the dashboard (as npm run build:web does) when dist/dashboard is missing or older than any of its sources
 * or package-lock.json, so the browser tests run against what the sources say on a fresh clone too. One build at a
 * time across processes: on a fresh clone two dashboard files running side by side both found it missing and both
 * built into dist/dashboard, and vite empties that directory before it writes, under the other file's browser.
 */
export async function ensureDashboardBuilt(): Promise<string> {
  if (!stale()) return DASHBOARD_DIR;
  await underLock(async () => {
    // The same command as `npm run build:web`, with absolute paths so it works from any working directory.
    if (stale()) await runOk(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', join(SOURCES, 'vite.config.ts'), '--logLevel', 'warn'], 180_000);
  });
  return DASHBOARD_DIR;
}

/** Runs `fn` holding LOCK (a directory: mkdir is atomic), waiting while another live process holds it. */
async function underLock(fn: () => Promise<void>): Promise<void> {
  mkdirSync(resolve(LOCK, '..'), { recursive: true });
  const deadline = Date.now() + 300_000;
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    if (holderGone()) {
      rmSync(LOCK, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`the dashboard build lock ${LOCK} is still held`);
    await sleep(200);
  }
  writeFileSync(join(LOCK, 'pid'), String(process.pid));
  try {
    await fn();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

/** The lock's holder has exited (a run killed mid-build leaves the lock behind). */
function holderGone(): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(join(LOCK, 'pid'), 'utf8'));
  } catch {
    // Taken but its pid not written yet, or released meanwhile: gone only if that state is old.
    try {
      return Date.now() - statSync(LOCK).mtimeMs > 30_000;
    } catch {
      return false; // released: the next mkdir takes it
    }
  }
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
