import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isOnAirError } from '../../core/errors.js';
import { parseVpcC, vp9CodecString } from './index.js';

test('vpcC golden from ffmpeg 5.1 + libvpx (FullBox form) and the bare record of E-FLV', () => {
  const box = Buffer.from('010000000015820202020000', 'hex');
  const c = parseVpcC(box);
  assert.deepEqual([c.profile, c.level, c.bitDepth, c.chromaSubsampling, c.videoFullRange], [0, 21, 8, 1, false]);
  assert.equal(vp9CodecString(c), 'vp09.00.21.08');
  assert.deepEqual(parseVpcC(box.subarray(4)), c);
  assert.equal(vp9CodecString({ profile: 0, level: 10, bitDepth: 8 }), 'vp09.00.10.08');
});

test('vpcC truncated or with a bad bit depth -> typed errors', () => {
  for (let n = 0; n < 6; n++) assert.throws(() => parseVpcC(Buffer.alloc(n, 0x10)), (e) => isOnAirError(e));
  assert.throws(() => parseVpcC(Buffer.from('00157202020200', 'hex')), (e) => isOnAirError(e, 'ONAIR_ERR_MALFORMED'));
});
