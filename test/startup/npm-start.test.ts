import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { run } from '../support/proc.js';

const repo = resolve(import.meta.dirname, '../..');

/**
 * A stand-in project with this repo's package.json scripts and scripts/, a source file and a dist/main.js that
 * only says it ran. It has no TypeScript installed, so any attempt to compile fails loudly.
 */
function fakeProject(): string {
  const root = mkdtempSync(join(tmpdir(), 'onair-npm-start-'));
  const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'fake', version: '0.0.0', type: 'module', scripts: { start: pkg.scripts.start, build: pkg.scripts.build } }));
  cpSync(join(repo, 'scripts'), join(root, 'scripts'), { recursive: true });
  mkdirSync(join(root, 'src'));
  mkdirSync(join(root, 'dist'));
  writeFileSync(join(root, 'src', 'main.ts'), 'export {};\n');
  writeFileSync(join(root, 'dist', 'main.js'), 'console.log("started from dist", process.argv.slice(2).join(" "));\n');
  return root;
}

const age = (path: string, secondsAgo: number) => {
  const t = new Date(Date.now() - secondsAgo * 1000);
  utimesSync(path, t, t);
};

test('npm start runs dist/ without compiling when dist/ is newer than the sources', async () => {
  const root = fakeProject();
  try {
    for (const f of ['package.json', 'src/main.ts']) age(join(root, f), 60);
    writeFileSync(join(root, 'dist', '.build-stamp'), '');
    const p = run('npm', ['start', '--silent', '--prefix', root, '--', '--rtmp-port', '1']);
    assert.equal(await p.exited, 0, p.stderr());
    assert.match(p.stdout(), /started from dist --rtmp-port 1/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('build freshness: a source newer than the last build means a build is due', async () => {
  const root = fakeProject();
  try {
    const { buildIsFresh } = await import(join(root, 'scripts', 'build-state.mjs')) as { buildIsFresh(root: string): boolean };
    assert.equal(buildIsFresh(root), false, 'never built');
    for (const f of ['package.json', 'src/main.ts']) age(join(root, f), 60);
    // The stamp is dated in the past, as a build's start is: written just now, a source saved in the same clock
    // tick (file times are coarse, a few ms on CI) would carry the same time and count as built.
    writeFileSync(join(root, 'dist', '.build-stamp'), '');
    age(join(root, 'dist', '.build-stamp'), 30);
    assert.equal(buildIsFresh(root), true);
    writeFileSync(join(root, 'src', 'main.test.ts'), '');
    assert.equal(buildIsFresh(root), true, 'tests are not part of the build');
    writeFileSync(join(root, 'src', 'main.ts'), 'export const changed = 1;\n');
    assert.equal(buildIsFresh(root), false, 'a changed source');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
