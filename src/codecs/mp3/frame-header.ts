import { OnAirError } from '../../core/errors.js';

/** MPEG audio frame header (ISO/IEC 11172-3 2.4.1.3, 13818-3 for MPEG-2, MPEG-2.5 extension). */
export interface Mp3FrameHeader {
  readonly version: 1 | 2 | 2.5;
  readonly layer: 1 | 2 | 3;
  /** kbit/s. */
  readonly bitrate: number;
  readonly sampleRate: number;
  readonly channels: 1 | 2;
  readonly padding: boolean;
  /** Whole frame in bytes, header included. */
  readonly frameLength: number;
  readonly samplesPerFrame: number;
}

// Bitrates in kbit/s by index 1..14.
const V1_L1 = [32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448];
const V1_L2 = [32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384];
const V1_L3 = [32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320];
const V2_L1 = [32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256];
const V2_L23 = [8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];
const RATES_V1 = [44100, 48000, 32000];

export function parseMp3FrameHeader(buf: Uint8Array): Mp3FrameHeader {
  if (buf.length < 4) throw new OnAirError('ONAIR_ERR_TRUNCATED', `MPEG audio header of ${buf.length} bytes`);
  const b1 = buf[1]!;
  const b2 = buf[2]!;
  if (buf[0] !== 0xff || (b1 & 0xe0) !== 0xe0) throw new OnAirError('ONAIR_ERR_MALFORMED', 'MPEG audio frame sync missing');
  const versionBits = (b1 >> 3) & 3;
  const layerBits = (b1 >> 1) & 3;
  if (versionBits === 1) throw new OnAirError('ONAIR_ERR_MALFORMED', 'MPEG audio version reserved');
  if (layerBits === 0) throw new OnAirError('ONAIR_ERR_MALFORMED', 'MPEG audio layer reserved');
  const version = versionBits === 3 ? 1 : versionBits === 2 ? 2 : 2.5;
  const layer = (4 - layerBits) as 1 | 2 | 3;
  const bitrateIndex = b2 >> 4;
  const rateIndex = (b2 >> 2) & 3;
  if (bitrateIndex === 15) throw new OnAirError('ONAIR_ERR_MALFORMED', 'MPEG audio bitrate index 15');
  if (bitrateIndex === 0) throw new OnAirError('ONAIR_ERR_UNSUPPORTED', 'MPEG audio free-format bitrate');
  if (rateIndex === 3) throw new OnAirError('ONAIR_ERR_MALFORMED', 'MPEG audio sample rate reserved');
  const table = version === 1 ? [V1_L1, V1_L2, V1_L3][layer - 1]! : layer === 1 ? V2_L1 : V2_L23;
  const bitrate = table[bitrateIndex - 1]!;
  const sampleRate = RATES_V1[rateIndex]! / (version === 1 ? 1 : version === 2 ? 2 : 4);
  const padding = ((b2 >> 1) & 1) === 1;
  const channels = (buf[3]! >> 6) === 3 ? 1 : 2;
  let samplesPerFrame: number;
  let frameLength: number;
  if (layer === 1) {
    samplesPerFrame = 384;
    frameLength = (Math.floor((12 * bitrate * 1000) / sampleRate) + (padding ? 1 : 0)) * 4;
  } else {
    // Layer III in MPEG-2/2.5 has half the samples per frame (576), hence 72 instead of 144.
    samplesPerFrame = layer === 3 && version !== 1 ? 576 : 1152;
    frameLength = Math.floor(((samplesPerFrame / 8) * bitrate * 1000) / sampleRate) + (padding ? 1 : 0);
  }
  return { version, layer, bitrate, sampleRate, channels, padding, frameLength, samplesPerFrame };
}
