import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { discoverFfmpeg } from './ffmpeg-discovery.js';

/**
 * Discovery with real binaries: wrappers around the system ffmpeg stand for a configured build. The slow one answers
 * `-version` only after 6 s, as a working binary can on a machine busy starting (the old 5 s bound passed it over and
 * used PATH's ffmpeg instead); the broken one exits 1 and must be passed over, with a reason.
 */
let dir: string;

function wrapper(name: string, body: string): string {
  const file = join(dir, name);
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'onair-discovery-'));
});

after(() => rmSync(dir, { recursive: true, force: true }));

test('a configured ffmpeg that is slow to answer -version is still the one used', async () => {
  const slow = wrapper('ffmpeg-slow', 'sleep 6\nexec ffmpeg "$@"');
  const found = await discoverFfmpeg({ configuredPath: slow, bundled: async () => undefined });
  assert.ok(found.found, JSON.stringify(found));
  assert.equal(found.path, slow);
  assert.equal(found.from, 'config');
  assert.deepEqual(found.skipped, []);
});

test('a configured ffmpeg that fails is passed over for PATH\'s, and the reason is kept', async () => {
  const broken = wrapper('ffmpeg-broken', 'exit 1');
  const found = await discoverFfmpeg({ configuredPath: broken, bundled: async () => undefined });
  assert.ok(found.found, JSON.stringify(found));
  assert.equal(found.from, 'path');
  assert.equal(found.skipped.length, 1);
  assert.match(found.skipped[0]!, /^configured .*ffmpeg-broken: /);
});
