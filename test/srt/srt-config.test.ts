import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config/load-config.js';
import { isOnAirError } from '../../src/core/errors.js';

test('SRT settings: port 9000 by default (0 = off), latency 120 ms, passphrase 10-79 characters or none', () => {
  const d = loadConfig({ argv: [], env: {} });
  assert.deepEqual([d.srtPort, d.srtLatencyMs, d.srtPassphrase], [9000, 120, '']);
  assert.equal(loadConfig({ argv: ['--srt-port', '0'], env: {} }).srtPort, 0);
  assert.equal(loadConfig({ argv: [], env: { ONAIR_SRT_PASSPHRASE: 'ten-chars!' } }).srtPassphrase, 'ten-chars!');
  for (const bad of ['short', 'x'.repeat(80)]) {
    assert.throws(() => loadConfig({ argv: ['--srt-passphrase', bad], env: {} }), (e) => isOnAirError(e, 'ONAIR_ERR_CONFIG'));
  }
  assert.throws(() => loadConfig({ argv: ['--srt-latency-ms', '10'], env: {} }), (e) => isOnAirError(e, 'ONAIR_ERR_CONFIG'));
});
