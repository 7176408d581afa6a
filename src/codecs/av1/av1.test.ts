import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isOnAirError } from '../../core/errors.js';
import { OBU_SEQUENCE_HEADER, av1CodecString, parseAv1Config, parseAv1SequenceHeader, splitObus } from './index.js';

/** av1C from ffmpeg 5.1 + SVT-AV1 1.4.1, 640x360 8-bit (ffprobe: Main, level 1). */
const AV1C_640 = '81010c000a0b0000000cc4ff6700be0010';

test('av1C + sequence header golden: 640x360 Main 8-bit', () => {
  const c = parseAv1Config(Buffer.from(AV1C_640, 'hex'));
  assert.deepEqual([c.seqProfile, c.seqLevelIdx0, c.seqTier0, c.bitDepth, c.monochrome], [0, 1, 0, 8, false]);
  assert.deepEqual([c.chromaSubsamplingX, c.chromaSubsamplingY], [1, 1]);
  assert.equal(av1CodecString(c), 'av01.0.01M.08');
  const seq = splitObus(c.configObus).find((o) => o.type === OBU_SEQUENCE_HEADER)!;
  const h = parseAv1SequenceHeader(seq.payload);
  assert.deepEqual([h.maxFrameWidth, h.maxFrameHeight], [640, 360]);
});

test('av1CodecString pads level and depth, high tier is H', () => {
  assert.equal(av1CodecString({ seqProfile: 0, seqLevelIdx0: 4, seqTier0: 0, bitDepth: 8 }), 'av01.0.04M.08');
  assert.equal(av1CodecString({ seqProfile: 2, seqLevelIdx0: 13, seqTier0: 1, bitDepth: 12 }), 'av01.2.13H.12');
});

test('av1C / OBUs: truncated, bad marker, lying OBU size -> typed errors', () => {
  const full = Buffer.from(AV1C_640, 'hex');
  for (let n = 0; n < 4; n++) assert.throws(() => parseAv1Config(full.subarray(0, n)), (e) => isOnAirError(e));
  assert.throws(() => parseAv1Config(Buffer.from('01010c00', 'hex')), (e) => isOnAirError(e, 'ONAIR_ERR_MALFORMED'));
  assert.throws(() => splitObus(Buffer.from('0a7f00', 'hex')), (e) => isOnAirError(e, 'ONAIR_ERR_MALFORMED'));
  assert.throws(() => splitObus(Buffer.from('0aff', 'hex')), (e) => isOnAirError(e, 'ONAIR_ERR_TRUNCATED'));
  const payload = splitObus(full.subarray(4))[0]!.payload;
  // The size fields end inside byte 7: any shorter cut is an error, never a made-up size.
  for (let n = 0; n < 7; n++) {
    assert.throws(() => parseAv1SequenceHeader(payload.subarray(0, n)), (e) => isOnAirError(e), `cut at ${n}`);
  }
});
