import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isOnAirError } from '../../core/errors.js';
import { adtsHeader } from './adts.js';
import { parseAudioSpecificConfig } from './audio-specific-config.js';
import { readAdtsHeader } from './adts-reader.js';

test('ADTS header: what adtsHeader writes reads back (LC 48 kHz stereo, 44.1 kHz mono, 7.1)', () => {
  for (const [asc, objectType, rate, ch] of [['1190', 2, 48000, 2], ['1208', 2, 44100, 1], ['11b8', 2, 48000, 7]] as const) {
    const h = readAdtsHeader(adtsHeader(parseAudioSpecificConfig(Buffer.from(asc, 'hex')), 100), 0);
    assert.deepEqual([h.objectType, h.sampleRate, h.channelConfiguration, h.headerLength, h.frameLength, h.rawDataBlocks], [objectType, rate, ch, 7, 107, 1]);
  }
  // protection_absent 0: a 9-byte header (CRC follows).
  const crc = Buffer.from('fff050802e7ffc0000', 'hex');
  assert.equal(readAdtsHeader(crc, 0).headerLength, 9);
});

test('ADTS header: truncated, no sync, reserved rate, PCE layout, impossible length -> typed errors', () => {
  const good = adtsHeader(parseAudioSpecificConfig(Buffer.from('1190', 'hex')), 10);
  for (let n = 0; n < 7; n++) assert.throws(() => readAdtsHeader(good.subarray(0, n), 0), (e) => isOnAirError(e, 'ONAIR_ERR_TRUNCATED'));
  assert.throws(() => readAdtsHeader(Buffer.from('fe f1 50 80 02 1f fc'.replace(/ /g, ''), 'hex'), 0), (e) => isOnAirError(e, 'ONAIR_ERR_MALFORMED'));
  const rate15 = Buffer.from(good);
  rate15[2] = (rate15[2]! & ~0x3c) | (15 << 2);
  assert.throws(() => readAdtsHeader(rate15, 0), (e) => isOnAirError(e, 'ONAIR_ERR_MALFORMED'));
  const pce = Buffer.from(good);
  pce[2] = pce[2]! & ~1;
  pce[3] = pce[3]! & 0x3f;
  assert.throws(() => readAdtsHeader(pce, 0), (e) => isOnAirError(e, 'ONAIR_ERR_UNSUPPORTED'));
  const short = Buffer.from(good);
  short[3] = short[3]! & ~3;
  short[4] = 0;
  short[5] = short[5]! & 0x1f;
  assert.throws(() => readAdtsHeader(short, 0), (e) => isOnAirError(e, 'ONAIR_ERR_MALFORMED'), 'frame_length 0');
});
