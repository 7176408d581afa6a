import { OnAirError } from '../../core/errors.js';
import { AAC_SAMPLE_RATES } from './audio-specific-config.js';

/** One ADTS frame header (ISO/IEC 13818-7 6.2 / 14496-3 1.A.2), as read from an MPEG-TS AAC stream. */
export interface AdtsFrameHeader {
  /** MPEG-4 audioObjectType = profile + 1 (2 = AAC-LC). */
  readonly objectType: number;
  readonly samplingFrequencyIndex: number;
  readonly sampleRate: number;
  /** 1..7; 0 (layout in a program_config_element) is refused. */
  readonly channelConfiguration: number;
  /** 7 bytes, or 9 with the CRC. */
  readonly headerLength: number;
  /** The whole frame, header included. */
  readonly frameLength: number;
  /** number_of_raw_data_blocks_in_frame + 1. */
  readonly rawDataBlocks: number;
}

export function isAdtsSync(buf: Buffer, at: number): boolean {
  return buf[at] === 0xff && (buf[at + 1]! & 0xf6) === 0xf0; // syncword 0xFFF, layer 00
}

/** Reads the header at `at`. Throws TRUNCATED when fewer than 7 bytes are left, MALFORMED on impossible fields. */
export function readAdtsHeader(buf: Buffer, at: number): AdtsFrameHeader {
  if (buf.length - at < 7) throw new OnAirError('ONAIR_ERR_TRUNCATED', `ADTS header of ${buf.length - at} bytes`);
  if (!isAdtsSync(buf, at)) throw new OnAirError('ONAIR_ERR_MALFORMED', 'ADTS syncword missing');
  const protectionAbsent = buf[at + 1]! & 1;
  const b2 = buf[at + 2]!;
  const samplingFrequencyIndex = (b2 >> 2) & 0x0f;
  const sampleRate = AAC_SAMPLE_RATES[samplingFrequencyIndex];
  if (sampleRate === undefined) throw new OnAirError('ONAIR_ERR_MALFORMED', `ADTS sampling_frequency_index ${samplingFrequencyIndex}`);
  const channelConfiguration = ((b2 & 1) << 2) | (buf[at + 3]! >> 6);
  if (channelConfiguration === 0) throw new OnAirError('ONAIR_ERR_UNSUPPORTED', 'ADTS channel layout in a program_config_element');
  const frameLength = ((buf[at + 3]! & 0x03) << 11) | (buf[at + 4]! << 3) | (buf[at + 5]! >> 5);
  const headerLength = protectionAbsent ? 7 : 9;
  if (frameLength <= headerLength) throw new OnAirError('ONAIR_ERR_MALFORMED', `ADTS frame_length ${frameLength}`);
  return {
    objectType: (b2 >> 6) + 1, samplingFrequencyIndex, sampleRate, channelConfiguration, headerLength, frameLength,
    rawDataBlocks: (buf[at + 6]! & 0x03) + 1,
  };
}
