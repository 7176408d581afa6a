import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isOnAirError } from '../../core/errors.js';
import { parseMp3FrameHeader } from './index.js';

test('MPEG-1 Layer III 128 kbit/s 44.1 kHz stereo: 417/418-byte frames', () => {
  const h = parseMp3FrameHeader(Buffer.from('fffb9044', 'hex'));
  assert.deepEqual([h.version, h.layer, h.bitrate, h.sampleRate, h.channels, h.frameLength], [1, 3, 128, 44100, 2, 417]);
  assert.equal(parseMp3FrameHeader(Buffer.from('fffb9244', 'hex')).frameLength, 418);
});

test('MPEG-2 Layer III 22.05 kHz mono (what libmp3lame writes for -ar 22050 -ac 1) and MPEG-2.5', () => {
  const h = parseMp3FrameHeader(Buffer.from('fff360c4', 'hex'));
  assert.deepEqual([h.version, h.layer, h.bitrate, h.sampleRate, h.channels, h.samplesPerFrame], [2, 3, 48, 22050, 1, 576]);
  assert.equal(h.frameLength, Math.floor((72 * 48000) / 22050));
  assert.equal(parseMp3FrameHeader(Buffer.from('ffe36044', 'hex')).sampleRate, 11025);
});

test('bad sync, reserved fields, free format, short input -> typed errors', () => {
  assert.throws(() => parseMp3FrameHeader(Buffer.from('fffb90', 'hex')), (e) => isOnAirError(e, 'ONAIR_ERR_TRUNCATED'));
  assert.throws(() => parseMp3FrameHeader(Buffer.from('fe0b9044', 'hex')), (e) => isOnAirError(e, 'ONAIR_ERR_MALFORMED'));
  assert.throws(() => parseMp3FrameHeader(Buffer.from('ffeb9044', 'hex')), (e) => isOnAirError(e, 'ONAIR_ERR_MALFORMED'));
  assert.throws(() => parseMp3FrameHeader(Buffer.from('fffbf044', 'hex')), (e) => isOnAirError(e, 'ONAIR_ERR_MALFORMED'));
  assert.throws(() => parseMp3FrameHeader(Buffer.from('fffb0044', 'hex')), (e) => isOnAirError(e, 'ONAIR_ERR_UNSUPPORTED'));
  assert.throws(() => parseMp3FrameHeader(Buffer.from('fffb9c44', 'hex')), (e) => isOnAirError(e, 'ONAIR_ERR_MALFORMED'));
});
