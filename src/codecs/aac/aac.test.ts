import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isOnAirError } from '../../core/errors.js';
import { aacCodecString, adtsHeader, buildAudioSpecificConfig, parseAudioSpecificConfig } from './index.js';

test('ASC goldens from ffmpeg 5.1 aac (with its 0x2b7 sync extension), ffprobe rate/channels', () => {
  const a = parseAudioSpecificConfig(Buffer.from('121056e500', 'hex'));
  assert.deepEqual([a.objectType, a.sampleRate, a.channels], [2, 44100, 2]);
  assert.equal(aacCodecString(a), 'mp4a.40.2');
  const b = parseAudioSpecificConfig(Buffer.from('118856e500', 'hex'));
  assert.deepEqual([b.objectType, b.sampleRate, b.channels], [2, 48000, 1]);
});

test('ASC escapes: object type 31 -> 32 + 6 bits, frequency index 15 -> explicit 24-bit rate', () => {
  // AOT 31+ escape: 11111 000010 (=34), index 3, channels 2.
  const esc = Buffer.from([0b11111000, 0b01000110, 0b01000000]);
  assert.deepEqual([parseAudioSpecificConfig(esc).objectType, parseAudioSpecificConfig(esc).sampleRate], [34, 48000]);
  const explicit = buildAudioSpecificConfig({ sampleRate: 37800, channels: 2 });
  assert.equal(explicit.length, 5);
  const p = parseAudioSpecificConfig(explicit);
  assert.deepEqual([p.objectType, p.sampleRate, p.channels, p.coreSamplingFrequencyIndex], [2, 37800, 2, 15]);
  assert.throws(() => adtsHeader(p, 100), (e) => isOnAirError(e, 'ONAIR_ERR_UNSUPPORTED'));
});

test('HE-AAC v2 explicit signalling: output rate and channels, ADTS uses the LC core', () => {
  // AOT 29, index 6 (24000), channels 1, extension index 3 (48000), core AOT 2.
  const bits = '11101' + '0110' + '0001' + '0011' + '00010' + '000';
  const buf = Buffer.from(bits.match(/.{8}/g)!.map((b) => parseInt(b, 2)));
  const c = parseAudioSpecificConfig(buf);
  assert.deepEqual([c.objectType, c.sampleRate, c.channels, c.coreObjectType, c.coreSampleRate], [29, 48000, 2, 2, 24000]);
  assert.equal(aacCodecString(c), 'mp4a.40.29');
  assert.equal(adtsHeader(c, 10)[2]! >> 6, 1); // profile field = AAC LC
});

test('build -> parse round trip and the ADTS header bit layout', () => {
  for (const [rate, ch] of [[44100, 2], [48000, 1], [8000, 6], [96000, 8]] as const) {
    const c = parseAudioSpecificConfig(buildAudioSpecificConfig({ sampleRate: rate, channels: ch }));
    assert.deepEqual([c.sampleRate, c.channels, c.objectType], [rate, ch, 2]);
  }
  const c = parseAudioSpecificConfig(Buffer.from('1210', 'hex'));
  // 371 + 7 = 378 = 0x17A in the 13-bit frame_length; profile 1 (LC), index 4, channels 2, fullness 0x7FF.
  // formats/flv/flv-ffmpeg.test.ts compares against headers written by ffmpeg's adts muxer.
  assert.equal(adtsHeader(c, 371).toString('hex'), 'fff150802f5ffc');
  assert.throws(() => adtsHeader(c, 8190), (e) => isOnAirError(e, 'ONAIR_ERR_LIMIT'));
});

test('ASC truncated or reserved values -> typed errors', () => {
  assert.throws(() => parseAudioSpecificConfig(Buffer.alloc(0)), (e) => isOnAirError(e, 'ONAIR_ERR_TRUNCATED'));
  assert.throws(() => parseAudioSpecificConfig(Buffer.from([0x12])), (e) => isOnAirError(e, 'ONAIR_ERR_TRUNCATED'));
  assert.throws(() => parseAudioSpecificConfig(Buffer.from([0x16, 0x90])), (e) => isOnAirError(e, 'ONAIR_ERR_MALFORMED')); // index 13
  assert.throws(() => parseAudioSpecificConfig(Buffer.from([0x00, 0x10])), (e) => isOnAirError(e, 'ONAIR_ERR_MALFORMED')); // AOT 0
  assert.throws(() => parseAudioSpecificConfig(Buffer.from([0x12, 0x48])), (e) => isOnAirError(e, 'ONAIR_ERR_MALFORMED')); // channels 9
});
