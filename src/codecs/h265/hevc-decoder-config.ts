import { ByteReader } from '../../core/byte-reader.js';
import { OnAirError, checkLimit } from '../../core/errors.js';
import { MAX_HVCC_ARRAYS, MAX_PARAMETER_SETS } from '../limits.js';

/** H.265 nal_unit_type values of parameter sets (ITU-T H.265 Table 7-1). */
export const H265_NAL_VPS = 32;
export const H265_NAL_SPS = 33;
export const H265_NAL_PPS = 34;

export interface HevcNalArray {
  readonly completeness: boolean;
  readonly nalType: number;
  readonly nalus: readonly Buffer[];
}

/** HEVCDecoderConfigurationRecord (ISO/IEC 14496-15 8.3.3.1). NAL units are views into the input. */
export interface HevcDecoderConfig {
  readonly profileSpace: number;
  readonly tierFlag: number;
  readonly profileIdc: number;
  readonly profileCompatibilityFlags: number;
  /** The 6 bytes of general constraint indicator flags. */
  readonly constraintIndicatorFlags: Buffer;
  readonly levelIdc: number;
  readonly chromaFormat: number;
  readonly bitDepthLuma: number;
  readonly bitDepthChroma: number;
  readonly nalLengthSize: number;
  readonly arrays: readonly HevcNalArray[];
  readonly vps: readonly Buffer[];
  readonly sps: readonly Buffer[];
  readonly pps: readonly Buffer[];
}

export function parseHevcDecoderConfig(buf: Buffer): HevcDecoderConfig {
  const r = new ByteReader(buf);
  const version = r.u8('hvcC configurationVersion');
  // Version 0 was written by early muxers before the spec was final; the layout is the same.
  if (version > 1) throw new OnAirError('ONAIR_ERR_MALFORMED', `hvcC configurationVersion ${version}`);
  const b1 = r.u8('hvcC profile');
  const profileCompatibilityFlags = r.u32('hvcC compatibility');
  const constraintIndicatorFlags = r.bytes(6, 'hvcC constraint flags');
  const levelIdc = r.u8('hvcC level');
  r.skip(2, 'hvcC min_spatial_segmentation'); // + reserved
  r.skip(1, 'hvcC parallelismType');
  const chromaFormat = r.u8('hvcC chromaFormat') & 0x03;
  const bitDepthLuma = (r.u8('hvcC bitDepthLuma') & 0x07) + 8;
  const bitDepthChroma = (r.u8('hvcC bitDepthChroma') & 0x07) + 8;
  r.skip(2, 'hvcC avgFrameRate');
  const nalLengthSize = (r.u8('hvcC lengthSizeMinusOne') & 0x03) + 1;
  const numArrays = r.u8('hvcC numOfArrays');
  checkLimit('hvcC array count', numArrays, MAX_HVCC_ARRAYS);
  const arrays: HevcNalArray[] = [];
  const byType = new Map<number, Buffer[]>();
  for (let i = 0; i < numArrays; i++) {
    const head = r.u8('hvcC array header');
    const nalType = head & 0x3f;
    const count = r.u16('hvcC numNalus');
    checkLimit('hvcC NAL units per array', count, MAX_PARAMETER_SETS);
    const nalus: Buffer[] = [];
    for (let k = 0; k < count; k++) {
      const len = r.u16('hvcC nalUnitLength');
      if (len < 2) throw new OnAirError('ONAIR_ERR_MALFORMED', `hvcC NAL unit of ${len} bytes`);
      nalus.push(r.bytes(len, 'hvcC nalUnit'));
    }
    arrays.push({ completeness: (head & 0x80) !== 0, nalType, nalus });
    byType.set(nalType, [...(byType.get(nalType) ?? []), ...nalus]);
  }
  return {
    profileSpace: b1 >> 6,
    tierFlag: (b1 >> 5) & 1,
    profileIdc: b1 & 0x1f,
    profileCompatibilityFlags,
    constraintIndicatorFlags,
    levelIdc,
    chromaFormat,
    bitDepthLuma,
    bitDepthChroma,
    nalLengthSize,
    arrays,
    vps: byType.get(H265_NAL_VPS) ?? [],
    sps: byType.get(H265_NAL_SPS) ?? [],
    pps: byType.get(H265_NAL_PPS) ?? [],
  };
}
