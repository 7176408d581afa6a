import { OnAirError } from '../../core/errors.js';
import { OPUS_SAMPLE_RATE } from './opus-packet.js';

/**
 * Vorbis channel order (RFC 7845 §5.1.1.2) as stream count, coupled count and mapping for 1..8 channels,
 * the layouts the Opus-in-TS channel_config_code 1..8 stands for.
 */
const STREAMS = [1, 1, 2, 2, 3, 4, 4, 5];
const COUPLED = [0, 1, 1, 2, 2, 2, 3, 3];
const MAPPING = [[0], [0, 1], [0, 2, 1], [0, 1, 2, 3], [0, 4, 1, 2, 3], [0, 4, 1, 2, 3, 5], [0, 4, 1, 2, 3, 5, 6], [0, 6, 1, 2, 3, 4, 5, 7]];

/**
 * The OpusHead identification header (RFC 7845 §5.1: 'OpusHead', version 1, little-endian fields), the
 * Opus config the hub carries (as Enhanced RTMP does), for an Opus-in-MPEG-TS channel_config_code:
 * 1..8 = that many channels in Vorbis order (family 0 for 1-2, 1 above), 0 = two mono streams (family 255).
 */
export function opusHeadForChannelConfig(channelConfigCode: number, preSkip = 0): Buffer {
  if (!Number.isInteger(channelConfigCode) || channelConfigCode < 0 || channelConfigCode > 8) {
    throw new OnAirError('ONAIR_ERR_UNSUPPORTED', `Opus channel_config_code ${channelConfigCode}`);
  }
  const channels = channelConfigCode === 0 ? 2 : channelConfigCode;
  const family = channelConfigCode === 0 ? 255 : channels > 2 ? 1 : 0;
  const table = family === 0 ? [] : family === 255 ? [2, 0, 0, 1] : [STREAMS[channels - 1]!, COUPLED[channels - 1]!, ...MAPPING[channels - 1]!];
  const head = Buffer.alloc(19 + table.length);
  head.write('OpusHead', 0, 'latin1');
  head[8] = 1;
  head[9] = channels;
  head.writeUInt16LE(preSkip & 0xffff, 10);
  head.writeUInt32LE(OPUS_SAMPLE_RATE, 12);
  head.writeInt16LE(0, 16); // output gain
  head[18] = family;
  Buffer.from(table).copy(head, 19);
  return head;
}

/** The channel count of an OpusHead (RFC 7845 §5.1), or undefined when `head` is not one. */
export function opusHeadChannels(head: Buffer): number | undefined {
  return head.length >= 19 && head.toString('latin1', 0, 8) === 'OpusHead' && head[9]! > 0 ? head[9] : undefined;
}
