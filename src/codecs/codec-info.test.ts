import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { OnAirError, isOnAirError } from '../core/errors.js';
import type { MediaPacket } from '../core/media-packet.js';
import { describeConfig } from './codec-info.js';
import { HVCC_1080P_MAIN } from './testing/golden-configs.js';

function config(kind: 'video' | 'audio', codec: string, hex: string): MediaPacket {
  return { kind, codec, role: 'config', dts: 0, cts: 0, keyframe: true, data: Buffer.from(hex, 'hex') };
}

test('describeConfig: avc1, hvc1, av01, vp09, mp4a, Opus, .mp3 frame', () => {
  const avc = describeConfig(config('video', 'avc1',
    '014d401fffe10019674d401feca02802dd8088000003000800000301e078c18cb001000568ebe3cb20'));
  assert.deepEqual(
    { ...avc, config: undefined },
    { kind: 'video', codec: 'avc1', codecString: 'avc1.4d401f', width: 1280, height: 720, fps: 30, profile: 77, level: 31, config: undefined },
  );
  const hevc = describeConfig(config('video', 'hvc1', HVCC_1080P_MAIN));
  assert.deepEqual([hevc.codecString, hevc.width, hevc.height], ['hvc1.1.6.L120.90', 1920, 1080]);
  const av1 = describeConfig(config('video', 'av01', '81010c000a0b0000000cc4ff6700be0010'));
  assert.deepEqual([av1.codecString, av1.width, av1.height], ['av01.0.01M.08', 640, 360]);
  assert.equal(describeConfig(config('video', 'vp09', '010000000015820202020000')).codecString, 'vp09.00.21.08');
  const aac = describeConfig(config('audio', 'mp4a', '121056e500'));
  assert.deepEqual([aac.codecString, aac.sampleRate, aac.channels, aac.profile], ['mp4a.40.2', 44100, 2, 2]);
  const opusHead = Buffer.concat([Buffer.from('OpusHead', 'latin1'), Buffer.from([1, 2, 0x38, 1, 0x80, 0xbb, 0, 0, 0, 0, 0])]);
  const opus = describeConfig({ ...config('audio', 'Opus', ''), data: opusHead });
  assert.deepEqual([opus.codecString, opus.channels, opus.sampleRate], ['opus', 2, 48000]);
  const mp3 = describeConfig({ ...config('audio', '.mp3', 'fffb9044'), role: 'frame' });
  assert.deepEqual([mp3.codecString, mp3.sampleRate, mp3.channels], ['mp4a.6B', 44100, 2]);
});

test('describeConfig: unknown codec -> kind and codec only; a frame packet -> STATE', () => {
  const info = describeConfig(config('video', 'xyz1', '0102'));
  assert.deepEqual(Object.keys(info).sort(), ['codec', 'config', 'kind']);
  assert.throws(() => describeConfig({ ...config('video', 'avc1', ''), role: 'frame' }), (e) => isOnAirError(e, 'ONAIR_ERR_STATE'));
});

test('describeConfig: truncated and absurd configs -> typed errors', () => {
  assert.throws(() => describeConfig(config('video', 'avc1', '014d40')), (e) => isOnAirError(e, 'ONAIR_ERR_TRUNCATED'));
  assert.throws(() => describeConfig(config('video', 'hvc1', '01')), (e) => isOnAirError(e, 'ONAIR_ERR_TRUNCATED'));
  assert.throws(() => describeConfig(config('audio', 'mp4a', '')), (e) => isOnAirError(e, 'ONAIR_ERR_TRUNCATED'));
  // av1C whose reduced still-picture sequence header says 65536 x 256: profile 0, still 1, reduced 1,
  // level 0, 16 width bits, 16 height bits, max_frame_width_minus_1 0xFFFF, max_frame_height_minus_1 0xFF.
  const bits = '000' + '1' + '1' + '00000' + '1111' + '1111' + '1'.repeat(16) + '0000000011111111' + '1';
  const seq = Buffer.from(bits.padEnd(Math.ceil(bits.length / 8) * 8, '0').match(/.{8}/g)!.map((b) => parseInt(b, 2)));
  const av1C = `81000c000a${seq.length.toString(16).padStart(2, '0')}${seq.toString('hex')}`;
  assert.throws(() => describeConfig(config('video', 'av01', av1C)), (e) => isOnAirError(e, 'ONAIR_ERR_LIMIT'));
});

const CODECS = ['avc1', 'hvc1', 'av01', 'vp09', 'mp4a', 'Opus', '.mp3'];
const SEEDS = [
  '014d401fffe10019674d401feca02802dd8088000003000800000301e078c18cb001000568ebe3cb20', HVCC_1080P_MAIN,
  '81010c000a0b0000000cc4ff6700be0010', '010000000015820202020000', '121056e500', 'fffb9044',
];

test('property: any bytes (random or mutated real configs) -> TrackInfo or OnAirError, never another throw', () => {
  const mutated = fc.tuple(fc.constantFrom(...SEEDS), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
    fc.nat()).map(([hex, edits, cut]) => {
    const b = Buffer.from(hex, 'hex');
    for (const [at, v] of edits) b[at % b.length] = v;
    return b.subarray(0, b.length - (cut % 4));
  });
  fc.assert(
    fc.property(fc.constantFrom(...CODECS), fc.oneof(fc.uint8Array({ maxLength: 64 }).map((u) => Buffer.from(u)), mutated), (codec, data) => {
      const kind = codec === 'mp4a' || codec === 'Opus' || codec === '.mp3' ? 'audio' : 'video';
      try {
        const info = describeConfig({ kind, codec, role: codec === '.mp3' ? 'frame' : 'config', dts: 0, cts: 0, keyframe: true, data });
        if (info.width !== undefined) assert.ok(info.width > 0 && info.width <= 16384 && info.height! > 0 && info.height! <= 16384);
      } catch (e) {
        if (!(e instanceof OnAirError)) throw e;
      }
    }),
    { numRuns: 5000 },
  );
});
