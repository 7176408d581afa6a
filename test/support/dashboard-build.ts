import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DASHBOARD_DIR } from '../../src/servers/http/dashboard/register-dashboard.js';
import { runOk } from './proc.js';

const ROOT = resolve(import.meta.dirname, '../..');
const SOURCES = join(ROOT, 'src/web/dashboard');

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

/**
 * Builds the dashboard (as npm run build:web does) when dist/dashboard is missing or older than any of its sources
 * or package-lock.json, so the browser tests run against what the sources say on a fresh clone too.
 */
export async function ensureDashboardBuilt(): Promise<string> {
  const stale = Math.max(newestMtime(SOURCES), statSync(join(ROOT, 'package-lock.json')).mtimeMs) > builtAt();
  // The same command as `npm run build:web`, with absolute paths so it works from any working directory.
  if (stale) await runOk(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', join(SOURCES, 'vite.config.ts'), '--logLevel', 'warn'], 180_000);
  return DASHBOARD_DIR;
}
