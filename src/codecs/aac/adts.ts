import { OnAirError } from '../../core/errors.js';
import { MAX_ADTS_FRAME_LENGTH } from '../limits.js';
import type { AudioSpecificConfig } from './audio-specific-config.js';

export const ADTS_HEADER_SIZE = 7;

/**
 * 7-byte ADTS header without CRC (ISO/IEC 13818-7 6.2) for one raw AAC frame of `payloadLength` bytes,
 * as MPEG-TS needs. ADTS carries only the core coder (profile 1-4, a tabled rate): HE-AAC goes out as
 * its AAC-LC core, which is how ADTS signals SBR implicitly.
 */
export function adtsHeader(
  config: Pick<AudioSpecificConfig, 'coreObjectType' | 'coreSamplingFrequencyIndex' | 'channelConfiguration'>,
  payloadLength: number,
): Buffer {
  const profile = config.coreObjectType - 1;
  if (profile < 0 || profile > 3) {
    throw new OnAirError('ONAIR_ERR_UNSUPPORTED', `ADTS cannot carry audioObjectType ${config.coreObjectType}`);
  }
  const freq = config.coreSamplingFrequencyIndex;
  if (freq > 12) throw new OnAirError('ONAIR_ERR_UNSUPPORTED', 'ADTS cannot carry an explicit sampling frequency');
  const ch = config.channelConfiguration;
  if (ch < 1 || ch > 7) throw new OnAirError('ONAIR_ERR_UNSUPPORTED', `ADTS channelConfiguration ${ch}`);
  const len = payloadLength + ADTS_HEADER_SIZE;
  if (len > MAX_ADTS_FRAME_LENGTH) {
    throw new OnAirError('ONAIR_ERR_LIMIT', `ADTS frame_length ${len} exceeds limit ${MAX_ADTS_FRAME_LENGTH}`);
  }
  const h = Buffer.allocUnsafe(ADTS_HEADER_SIZE);
  h[0] = 0xff;
  h[1] = 0xf1; // syncword low bits, MPEG-4, layer 0, protection_absent = 1
  h[2] = (profile << 6) | (freq << 2) | (ch >> 2);
  h[3] = ((ch & 3) << 6) | (len >> 11);
  h[4] = (len >> 3) & 0xff;
  h[5] = ((len & 7) << 5) | 0x1f; // buffer fullness 0x7FF (VBR)
  h[6] = 0xfc; // buffer fullness low bits, one raw data block
  return h;
}
