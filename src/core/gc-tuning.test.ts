import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { gcFlags } from './gc-tuning.js';

test('by default: three live heaps of old-generation headroom', () => {
  assert.deepEqual(gcFlags([]), ['--heap-growing-percent=300']);
  assert.deepEqual(gcFlags(['--heap-growing-percentage-typo']), ['--heap-growing-percent=300']);
});

test('a --heap-growing-percent on the node command line wins', () => {
  assert.deepEqual(gcFlags(['--heap-growing-percent=150']), []);
  assert.deepEqual(gcFlags(['--trace-gc', '--heap-growing-percent=50']), []);
});

test('tuneGc in a real process: sets what gcFlags says and the process survives full collections after it', () => {
  // --expose-gc: full collections right after the change, where a flag V8 cannot take at run time aborts it.
  const script = "import('./src/core/gc-tuning.js').then((m) => { const f = m.tuneGc(); for (let i = 0; i < 3; i++) { globalThis.gc(); Buffer.alloc(1 << 20); } console.log(JSON.stringify(f)); })";
  const run = (nodeFlags: string[]): string[] => {
    const r = spawnSync(process.execPath, [...nodeFlags, '--expose-gc', '--import', 'tsx', '-e', script], { encoding: 'utf8', cwd: new URL('../..', import.meta.url).pathname });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout.trim().split('\n').pop()!) as string[];
  };
  assert.deepEqual(run([]), ['--heap-growing-percent=300']);
  assert.deepEqual(run(['--heap-growing-percent=150']), []);
});
