import { BitReader } from '../../core/bit-reader.js';
import { OnAirError } from '../../core/errors.js';
import { checkDimensions } from '../dimensions.js';
import { removeEmulationPrevention } from '../emulation-prevention.js';
import { H265_NAL_SPS } from './hevc-decoder-config.js';

/** The fields of an H.265 SPS (ITU-T H.265 7.3.2.2) up to the bit depths. */
export interface H265Sps {
  readonly profileSpace: number;
  readonly tierFlag: number;
  readonly profileIdc: number;
  readonly levelIdc: number;
  readonly chromaFormatIdc: number;
  /** Display size after the conformance window. */
  readonly width: number;
  readonly height: number;
  readonly bitDepthLuma: number;
  readonly bitDepthChroma: number;
}

/** Parses an SPS NAL unit (2-byte header included, emulation prevention still in place). */
export function parseH265Sps(nal: Uint8Array): H265Sps {
  if (nal.length < 3) throw new OnAirError('ONAIR_ERR_TRUNCATED', `H.265 SPS of ${nal.length} bytes`);
  const type = (nal[0]! >> 1) & 0x3f;
  if (type !== H265_NAL_SPS) throw new OnAirError('ONAIR_ERR_MALFORMED', `H.265 NAL type ${type} is not an SPS`);
  const r = new BitReader(removeEmulationPrevention(nal.subarray(2)));
  r.skip(4); // sps_video_parameter_set_id
  const maxSubLayersMinus1 = r.bits(3);
  if (maxSubLayersMinus1 > 6) throw new OnAirError('ONAIR_ERR_MALFORMED', 'H.265 sps_max_sub_layers_minus1 over 6');
  r.skip(1); // sps_temporal_id_nesting_flag

  // profile_tier_level(1, maxSubLayersMinus1), H.265 7.3.3
  const profileSpace = r.bits(2);
  const tierFlag = r.bit();
  const profileIdc = r.bits(5);
  r.skip(32 + 48); // general_profile_compatibility_flags, progressive..general_inbld/reserved flags
  const levelIdc = r.bits(8);
  const subProfile: boolean[] = [];
  const subLevel: boolean[] = [];
  for (let i = 0; i < maxSubLayersMinus1; i++) {
    subProfile.push(r.bit() === 1);
    subLevel.push(r.bit() === 1);
  }
  if (maxSubLayersMinus1 > 0) r.skip(2 * (8 - maxSubLayersMinus1)); // reserved_zero_2bits
  for (let i = 0; i < maxSubLayersMinus1; i++) {
    if (subProfile[i]) r.skip(88);
    if (subLevel[i]) r.skip(8);
  }

  if (r.ue() > 15) throw new OnAirError('ONAIR_ERR_MALFORMED', 'H.265 sps_seq_parameter_set_id over 15');
  const chromaFormatIdc = r.ue();
  if (chromaFormatIdc > 3) throw new OnAirError('ONAIR_ERR_MALFORMED', `H.265 chroma_format_idc ${chromaFormatIdc}`);
  const separateColourPlane = chromaFormatIdc === 3 && r.bit() === 1;
  let width = r.ue();
  let height = r.ue();
  if (r.bit()) {
    // Conformance window offsets are in chroma units (H.265 7.4.3.2.1, Table 6-1).
    const chroma = separateColourPlane ? 0 : chromaFormatIdc;
    const subWidthC = chroma === 1 || chroma === 2 ? 2 : 1;
    const subHeightC = chroma === 1 ? 2 : 1;
    const left = r.ue();
    const right = r.ue();
    const top = r.ue();
    const bottom = r.ue();
    width -= subWidthC * (left + right);
    height -= subHeightC * (top + bottom);
  }
  checkDimensions('H.265 SPS', width, height);
  const bitDepthLuma = r.ue() + 8;
  const bitDepthChroma = r.ue() + 8;
  if (bitDepthLuma > 16 || bitDepthChroma > 16) throw new OnAirError('ONAIR_ERR_MALFORMED', 'H.265 bit depth over 16');
  return { profileSpace, tierFlag, profileIdc, levelIdc, chromaFormatIdc, width, height, bitDepthLuma, bitDepthChroma };
}
