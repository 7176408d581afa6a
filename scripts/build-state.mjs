// Whether dist/ is up to date with the sources, and the build that makes it so. Plain JavaScript: `npm start`
// and bin/onair.mjs read it before anything is compiled.
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, statSync, utimesSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/** Written after a successful build, with the time the build started. */
const STAMP = join('dist', '.build-stamp');
/** Besides src/: files whose change changes the build. */
const BUILD_INPUTS = ['tsconfig.json', 'tsconfig.build.json', 'package.json'];

function newestSourceMs(root) {
  let newest = 0;
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'testdata' && entry.name !== 'testing') walk(path);
      } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) {
        newest = Math.max(newest, statSync(path).mtimeMs);
      }
    }
  };
  walk(join(root, 'src'));
  for (const f of BUILD_INPUTS) if (existsSync(join(root, f))) newest = Math.max(newest, statSync(join(root, f)).mtimeMs);
  return newest;
}

/** True when dist/ was built from the sources as they are now. */
export function buildIsFresh(root) {
  const stamp = join(root, STAMP);
  return existsSync(stamp) && existsSync(join(root, 'dist', 'main.js')) && statSync(stamp).mtimeMs >= newestSourceMs(root);
}

/** Compiles src/ into dist/ (tsc) and stamps it; returns tsc's exit code. */
export function build(root) {
  const started = new Date();
  const tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
  const { status } = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
  if (status !== 0) return status ?? 1;
  const stamp = join(root, STAMP);
  closeSync(openSync(stamp, 'w'));
  // The stamp carries the build's start: a source saved while tsc ran is newer, so the next start rebuilds.
  utimesSync(stamp, started, started);
  return 0;
}
