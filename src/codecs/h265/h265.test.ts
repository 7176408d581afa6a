import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isOnAirError } from '../../core/errors.js';
import { joinAvccNalus } from '../nal-units.js';
import { HVCC_1080P_MAIN, HVCC_1918_MAIN10 } from '../testing/golden-configs.js';
import { hevcCodecString, isH265Keyframe, parseH265Sps, parseHevcDecoderConfig } from './index.js';

test('hvcC + SPS golden: 1920x1080 Main (cropped from 1088)', () => {
  const c = parseHevcDecoderConfig(Buffer.from(HVCC_1080P_MAIN, 'hex'));
  assert.deepEqual([c.profileIdc, c.tierFlag, c.levelIdc, c.nalLengthSize, c.chromaFormat, c.bitDepthLuma], [1, 0, 120, 4, 1, 8]);
  assert.deepEqual([c.vps.length, c.sps.length, c.pps.length], [1, 1, 1]);
  assert.equal(hevcCodecString(c), 'hvc1.1.6.L120.90');
  const sps = parseH265Sps(c.sps[0]!);
  assert.deepEqual([sps.width, sps.height, sps.profileIdc, sps.levelIdc], [1920, 1080, 1, 120]);
});

test('hvcC + SPS golden: 1918x1078 Main 10 (conformance window on both axes)', () => {
  const c = parseHevcDecoderConfig(Buffer.from(HVCC_1918_MAIN10, 'hex'));
  assert.equal(hevcCodecString(c, 'hev1'), 'hev1.2.4.L120.90');
  const sps = parseH265Sps(c.sps[0]!);
  assert.deepEqual([sps.width, sps.height, sps.bitDepthLuma], [1918, 1078, 10]);
});

test('hevcCodecString: Annex E examples (profile space, high tier, several constraint bytes)', () => {
  const base = { profileSpace: 0, tierFlag: 0, profileIdc: 1, profileCompatibilityFlags: 0x60000000, levelIdc: 93 };
  assert.equal(hevcCodecString({ ...base, constraintIndicatorFlags: Buffer.from('b00000000000', 'hex') }), 'hvc1.1.6.L93.B0');
  assert.equal(
    hevcCodecString({ ...base, profileSpace: 1, tierFlag: 1, profileIdc: 4, profileCompatibilityFlags: 0x08000000, levelIdc: 120,
      constraintIndicatorFlags: Buffer.from('b02000000000', 'hex') }),
    'hvc1.A4.10.H120.B0.20',
  );
});

test('hvcC: truncated at every length and lying counts -> typed errors', () => {
  const full = Buffer.from(HVCC_1080P_MAIN, 'hex');
  for (let n = 0; n < full.length; n++) {
    assert.throws(() => parseHevcDecoderConfig(full.subarray(0, n)), (e) => isOnAirError(e), `length ${n}`);
  }
  const manyArrays = Buffer.from(full.subarray(0, 23));
  manyArrays[22] = 200;
  assert.throws(() => parseHevcDecoderConfig(manyArrays), (e) => isOnAirError(e, 'ONAIR_ERR_LIMIT'));
  const sps = parseHevcDecoderConfig(full).sps[0]!;
  for (let n = 0; n < 20; n++) assert.throws(() => parseH265Sps(sps.subarray(0, n)), (e) => isOnAirError(e), `SPS cut at ${n}`);
});

test('H.265 keyframe = IRAP NAL types 16..23', () => {
  assert.equal(isH265Keyframe(joinAvccNalus([Buffer.from([19 << 1, 1, 0xaa])]), 4), true); // IDR_W_RADL
  assert.equal(isH265Keyframe(joinAvccNalus([Buffer.from([21 << 1, 1, 0xaa])]), 4), true); // CRA
  assert.equal(isH265Keyframe(joinAvccNalus([Buffer.from([1 << 1, 1, 0xaa])]), 4), false); // TRAIL_R
});
