import { ByteReader } from '../../core/byte-reader.js';
import { OnAirError } from '../../core/errors.js';

/** VPCodecConfigurationRecord (VP Codec ISO Media File Format Binding, vpcC version 1). */
export interface VpcConfig {
  readonly profile: number;
  readonly level: number;
  readonly bitDepth: number;
  readonly chromaSubsampling: number;
  readonly videoFullRange: boolean;
  readonly colourPrimaries: number;
  readonly transferCharacteristics: number;
  readonly matrixCoefficients: number;
}

/**
 * Accepts the record with or without the 4-byte FullBox version/flags header: the vpcC box payload has
 * it, while E-RTMP only says "VPCodecConfigurationRecord" (which framing each E-FLV muxer writes is
 * unconfirmed). Version 1 is 0x01 followed by three zero flag bytes; a bare record cannot start that way
 * because level 0 is not a VP9 level.
 */
export function parseVpcC(buf: Buffer): VpcConfig {
  const fullBox = buf.length >= 12 && buf[0] === 1 && buf[1] === 0 && buf[2] === 0 && buf[3] === 0;
  const r = new ByteReader(buf, fullBox ? 4 : 0);
  const profile = r.u8('vpcC profile');
  const level = r.u8('vpcC level');
  const b = r.u8('vpcC bitDepth');
  const colourPrimaries = r.u8('vpcC colourPrimaries');
  const transferCharacteristics = r.u8('vpcC transferCharacteristics');
  const matrixCoefficients = r.u8('vpcC matrixCoefficients');
  const bitDepth = b >> 4;
  if (profile > 3) throw new OnAirError('ONAIR_ERR_MALFORMED', `vpcC profile ${profile}`);
  if (bitDepth !== 8 && bitDepth !== 10 && bitDepth !== 12) {
    throw new OnAirError('ONAIR_ERR_MALFORMED', `vpcC bitDepth ${bitDepth}`);
  }
  return {
    profile, level, bitDepth, chromaSubsampling: (b >> 1) & 0x07, videoFullRange: (b & 1) === 1,
    colourPrimaries, transferCharacteristics, matrixCoefficients,
  };
}

/** Short form of the VP9 codecs parameter: vp09.PP.LL.DD. */
export function vp9CodecString(c: Pick<VpcConfig, 'profile' | 'level' | 'bitDepth'>): string {
  const two = (v: number): string => String(v).padStart(2, '0');
  return `vp09.${two(c.profile)}.${two(c.level)}.${two(c.bitDepth)}`;
}
