import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isOnAirError } from '../../core/errors.js';
import { opusHeadChannels, opusHeadForChannelConfig, opusPacketSamples } from './index.js';

test('Opus packet duration from the TOC: configs, frame counts, code 3', () => {
  assert.equal(opusPacketSamples(Buffer.from([0xfc])), 960); // CELT FB 20 ms, one frame
  assert.equal(opusPacketSamples(Buffer.from([0xfd, 0, 0])), 1920); // code 1: two frames
  assert.equal(opusPacketSamples(Buffer.from([0x0b << 3 | 3, 2])), 2 * 2880); // SILK 60 ms, code 3 x2 = 120 ms, the longest
  assert.equal(opusPacketSamples(Buffer.from([16 << 3])), 120); // CELT 2.5 ms
  assert.throws(() => opusPacketSamples(Buffer.alloc(0)), (e) => isOnAirError(e, 'ONAIR_ERR_TRUNCATED'));
  assert.throws(() => opusPacketSamples(Buffer.from([0xff])), (e) => isOnAirError(e, 'ONAIR_ERR_TRUNCATED'));
  assert.throws(() => opusPacketSamples(Buffer.from([0xff, 0])), (e) => isOnAirError(e, 'ONAIR_ERR_MALFORMED'));
  assert.throws(() => opusPacketSamples(Buffer.from([0x0b << 3 | 3, 3 | 0x40, 0])), (e) => isOnAirError(e, 'ONAIR_ERR_MALFORMED'), '> 120 ms');
});

test('OpusHead golden for channel_config_code 1, 2, 6 and 0 (dual mono)', () => {
  // Mono with pre-skip 312: what the TS demuxer builds for ffmpeg's libopus mono stream.
  assert.equal(opusHeadForChannelConfig(1, 312).toString('hex'), '4f707573486561640101380180bb0000000000');
  assert.equal(opusHeadForChannelConfig(2).toString('hex'), '4f707573486561640102000080bb0000000000');
  const six = opusHeadForChannelConfig(6);
  assert.deepEqual([...six.subarray(18)], [1, 4, 2, 0, 4, 1, 2, 3, 5], 'family 1, 4 streams, 2 coupled, 5.1 Vorbis order');
  assert.deepEqual([...opusHeadForChannelConfig(0).subarray(18)], [255, 2, 0, 0, 1]);
  assert.equal(opusHeadChannels(six), 6);
  assert.equal(opusHeadChannels(Buffer.from('OpusTags')), undefined);
  assert.throws(() => opusHeadForChannelConfig(9), (e) => isOnAirError(e, 'ONAIR_ERR_UNSUPPORTED'));
});
