import { BitReader } from '../../core/bit-reader.js';
import { OnAirError } from '../../core/errors.js';

/** samplingFrequencyIndex table (ISO/IEC 14496-3 1.6.3.4, Table 1.18); 13, 14 reserved, 15 explicit. */
export const AAC_SAMPLE_RATES = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];

/** channelConfiguration -> output channels (14496-3 Table 1.19, plus the 23003-3 additions 11-14). */
const CHANNELS_BY_CONFIG: Record<number, number> = { 1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 6: 6, 7: 8, 11: 7, 12: 8, 13: 24, 14: 8 };

const AOT_SBR = 5;
const AOT_PS = 29;

export interface AudioSpecificConfig {
  /** As signalled: 2 = AAC-LC, 5 = SBR (HE-AAC), 29 = PS (HE-AACv2), ... (14496-3 Table 1.17). */
  readonly objectType: number;
  /** Output sample rate (the SBR extension rate for explicitly signalled HE-AAC). */
  readonly sampleRate: number;
  /** Output channels; 0 when channelConfiguration is 0 (layout in a program_config_element). */
  readonly channels: number;
  readonly channelConfiguration: number;
  /** Core coder values, what an ADTS header carries (ADTS cannot signal SBR/PS explicitly). */
  readonly coreObjectType: number;
  readonly coreSamplingFrequencyIndex: number;
  readonly coreSampleRate: number;
}

export function parseAudioSpecificConfig(buf: Buffer): AudioSpecificConfig {
  const r = new BitReader(buf);
  const objectType = readObjectType(r);
  if (objectType === 0) throw new OnAirError('ONAIR_ERR_MALFORMED', 'AAC audioObjectType 0 (null)');
  const core = readSampleRate(r);
  const channelConfiguration = r.bits(4);
  let channels = CHANNELS_BY_CONFIG[channelConfiguration] ?? 0;
  if (channelConfiguration !== 0 && channels === 0) {
    throw new OnAirError('ONAIR_ERR_MALFORMED', `AAC channelConfiguration ${channelConfiguration}`);
  }
  let sampleRate = core.rate;
  let coreObjectType = objectType;
  if (objectType === AOT_SBR || objectType === AOT_PS) {
    // Explicit hierarchical signalling (14496-3 1.6.2.1): extension rate, then the core object type.
    sampleRate = readSampleRate(r).rate;
    coreObjectType = readObjectType(r);
    if (objectType === AOT_PS && channelConfiguration === 1) channels = 2;
  }
  if (coreObjectType === 0) throw new OnAirError('ONAIR_ERR_MALFORMED', 'AAC core audioObjectType 0');
  return {
    objectType, sampleRate, channels, channelConfiguration, coreObjectType,
    coreSamplingFrequencyIndex: core.index, coreSampleRate: core.rate,
  };
}

function readObjectType(r: BitReader): number {
  const t = r.bits(5);
  return t === 31 ? 32 + r.bits(6) : t;
}

function readSampleRate(r: BitReader): { index: number; rate: number } {
  const index = r.bits(4);
  if (index === 15) {
    const rate = r.bits(24);
    if (rate === 0) throw new OnAirError('ONAIR_ERR_MALFORMED', 'AAC explicit sampling frequency 0');
    return { index, rate };
  }
  const rate = AAC_SAMPLE_RATES[index];
  if (rate === undefined) throw new OnAirError('ONAIR_ERR_MALFORMED', `AAC samplingFrequencyIndex ${index}`);
  return { index, rate };
}

/**
 * Builds an AudioSpecificConfig for a plain (non-SBR) object type: 2 bytes for a tabled rate, 5 with an
 * explicit 24-bit rate. Channels 1-6 and 8 map to a channelConfiguration.
 */
export function buildAudioSpecificConfig(opts: { sampleRate: number; channels: number; objectType?: number }): Buffer {
  const objectType = opts.objectType ?? 2;
  if (objectType < 1 || objectType > 30) throw new OnAirError('ONAIR_ERR_UNSUPPORTED', `AAC objectType ${objectType}`);
  const channelConfig = opts.channels === 8 ? 7 : opts.channels;
  if (!Number.isInteger(channelConfig) || channelConfig < 1 || channelConfig > 7) {
    throw new OnAirError('ONAIR_ERR_UNSUPPORTED', `AAC with ${opts.channels} channels`);
  }
  const index = AAC_SAMPLE_RATES.indexOf(opts.sampleRate);
  if (index >= 0) {
    return Buffer.from([(objectType << 3) | (index >> 1), ((index & 1) << 7) | (channelConfig << 3)]);
  }
  if (!Number.isInteger(opts.sampleRate) || opts.sampleRate <= 0 || opts.sampleRate >= 2 ** 24) {
    throw new OnAirError('ONAIR_ERR_UNSUPPORTED', `AAC sample rate ${opts.sampleRate}`);
  }
  // 5 bits type, 4 bits index 15, 24 bits rate, 4 bits channels, 3 bits GASpecificConfig zeros = 40 bits.
  const bits = BigInt(objectType) << 35n | 15n << 31n | BigInt(opts.sampleRate) << 7n | BigInt(channelConfig) << 3n;
  const out = Buffer.alloc(5);
  for (let i = 0; i < 5; i++) out[i] = Number((bits >> BigInt(8 * (4 - i))) & 0xffn);
  return out;
}

/** RFC 6381 'mp4a.40.<audioObjectType>'. */
export function aacCodecString(c: Pick<AudioSpecificConfig, 'objectType'>): string {
  return `mp4a.40.${c.objectType}`;
}
