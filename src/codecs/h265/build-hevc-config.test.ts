import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isOnAirError } from '../../core/errors.js';
import { HVCC_1080P_MAIN, HVCC_1918_MAIN10 } from '../testing/golden-configs.js';
import { buildHevcDecoderConfig } from './build-hevc-config.js';
import { parseHevcDecoderConfig } from './hevc-decoder-config.js';

test("hvcC rebuilt from its own VPS/SPS/PPS is byte-identical to ffmpeg's (1080p Main, hvc1)", () => {
  const c = parseHevcDecoderConfig(Buffer.from(HVCC_1080P_MAIN, 'hex'));
  assert.equal(buildHevcDecoderConfig(c.vps, c.sps, c.pps).toString('hex'), HVCC_1080P_MAIN);
});

test('hvcC rebuilt for a Main 10 stream: the same record except array_completeness (the golden was written as hev1)', () => {
  const golden = parseHevcDecoderConfig(Buffer.from(HVCC_1918_MAIN10, 'hex'));
  const built = parseHevcDecoderConfig(buildHevcDecoderConfig(golden.vps, golden.sps, golden.pps));
  const strip = (c: typeof golden) => ({ ...c, arrays: c.arrays.map((a) => ({ ...a, completeness: true })) });
  assert.deepEqual(strip(built), strip(golden));
  assert.ok(built.arrays.every((a) => a.completeness), 'hvc1: parameter sets only in the record');
});

test('hvcC builder: missing or truncated parameter sets give typed errors', () => {
  const c = parseHevcDecoderConfig(Buffer.from(HVCC_1080P_MAIN, 'hex'));
  assert.throws(() => buildHevcDecoderConfig([], c.sps, c.pps), (e) => isOnAirError(e, 'ONAIR_ERR_MALFORMED'));
  assert.throws(() => buildHevcDecoderConfig(c.vps, c.sps, []), (e) => isOnAirError(e, 'ONAIR_ERR_MALFORMED'));
  for (let n = 0; n < 16; n++) {
    assert.throws(() => buildHevcDecoderConfig(c.vps, [c.sps[0]!.subarray(0, n)], c.pps), (e) => isOnAirError(e), `SPS cut at ${n}`);
  }
});
