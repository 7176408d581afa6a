import { BitReader } from '../../core/bit-reader.js';
import { OnAirError, isOnAirError } from '../../core/errors.js';
import { removeEmulationPrevention } from '../emulation-prevention.js';
import { checkDimensions } from '../dimensions.js';

/** The fields of an H.264 sequence parameter set (ITU-T H.264 7.3.2.1.1) that a server needs. */
export interface H264Sps {
  readonly profile: number;
  /** constraint_set0..5 flags and the two reserved bits: the "CC" of avc1.PPCCLL. */
  readonly compatibility: number;
  readonly level: number;
  readonly chromaFormatIdc: number;
  readonly bitDepthLuma: number;
  readonly bitDepthChroma: number;
  readonly frameMbsOnly: boolean;
  /** Display size after frame cropping. */
  readonly width: number;
  readonly height: number;
  /** From VUI timing (time_scale / 2 / num_units_in_tick), when present and sane. */
  readonly fps?: number;
}

/** Profiles with chroma_format_idc, bit depths and scaling lists in the SPS (H.264 7.3.2.1.1). */
const HIGH_PROFILES = new Set([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]);

/** num_ref_frames_in_pic_order_cnt_cycle is 0..255 (H.264 7.4.2.1.1). */
const MAX_POC_CYCLE = 255;

/** Parses an SPS NAL unit (header byte included, emulation prevention still in place). */
export function parseH264Sps(nal: Uint8Array): H264Sps {
  if (nal.length < 4) throw new OnAirError('ONAIR_ERR_TRUNCATED', `H.264 SPS of ${nal.length} bytes`);
  const type = nal[0]! & 0x1f;
  if (type !== 7) throw new OnAirError('ONAIR_ERR_MALFORMED', `H.264 NAL type ${type} is not an SPS`);
  const r = new BitReader(removeEmulationPrevention(nal.subarray(1)));
  const profile = r.bits(8);
  const compatibility = r.bits(8);
  const level = r.bits(8);
  if (r.ue() > 31) throw new OnAirError('ONAIR_ERR_MALFORMED', 'H.264 seq_parameter_set_id over 31');

  let chromaFormatIdc = 1;
  let separateColourPlane = false;
  let bitDepthLuma = 8;
  let bitDepthChroma = 8;
  if (HIGH_PROFILES.has(profile)) {
    chromaFormatIdc = r.ue();
    if (chromaFormatIdc > 3) throw new OnAirError('ONAIR_ERR_MALFORMED', `H.264 chroma_format_idc ${chromaFormatIdc}`);
    if (chromaFormatIdc === 3) separateColourPlane = r.bit() === 1;
    bitDepthLuma = r.ue() + 8;
    bitDepthChroma = r.ue() + 8;
    if (bitDepthLuma > 14 || bitDepthChroma > 14) throw new OnAirError('ONAIR_ERR_MALFORMED', 'H.264 bit depth over 14');
    r.skip(1); // qpprime_y_zero_transform_bypass_flag
    if (r.bit()) skipScalingMatrix(r, chromaFormatIdc === 3 ? 12 : 8);
  }
  r.ue(); // log2_max_frame_num_minus4
  const pocType = r.ue();
  if (pocType === 0) {
    r.ue(); // log2_max_pic_order_cnt_lsb_minus4
  } else if (pocType === 1) {
    r.skip(1); // delta_pic_order_always_zero_flag
    r.se(); // offset_for_non_ref_pic
    r.se(); // offset_for_top_to_bottom_field
    const cycle = r.ue();
    if (cycle > MAX_POC_CYCLE) throw new OnAirError('ONAIR_ERR_MALFORMED', `H.264 POC cycle ${cycle}`);
    for (let i = 0; i < cycle; i++) r.se();
  } else if (pocType !== 2) {
    throw new OnAirError('ONAIR_ERR_MALFORMED', `H.264 pic_order_cnt_type ${pocType}`);
  }
  r.ue(); // max_num_ref_frames
  r.skip(1); // gaps_in_frame_num_value_allowed_flag
  const widthMbs = r.ue() + 1;
  const heightMapUnits = r.ue() + 1;
  const frameMbsOnly = r.bit() === 1;
  if (!frameMbsOnly) r.skip(1); // mb_adaptive_frame_field_flag
  r.skip(1); // direct_8x8_inference_flag

  let width = widthMbs * 16;
  let height = (frameMbsOnly ? 1 : 2) * heightMapUnits * 16;
  if (r.bit()) {
    // Crop units (H.264 7.4.2.1.1, Table 6-1): in chroma samples unless monochrome/separate planes.
    const chromaArrayType = separateColourPlane ? 0 : chromaFormatIdc;
    const subWidthC = chromaArrayType === 3 ? 1 : 2;
    const subHeightC = chromaArrayType === 1 ? 2 : 1;
    const cropUnitX = chromaArrayType === 0 ? 1 : subWidthC;
    const cropUnitY = (chromaArrayType === 0 ? 1 : subHeightC) * (frameMbsOnly ? 1 : 2);
    const left = r.ue();
    const right = r.ue();
    const top = r.ue();
    const bottom = r.ue();
    width -= (left + right) * cropUnitX;
    height -= (top + bottom) * cropUnitY;
  }
  checkDimensions('H.264 SPS', width, height);
  const fps = r.bit() ? readVuiFps(r) : undefined;
  return {
    profile, compatibility, level, chromaFormatIdc, bitDepthLuma, bitDepthChroma, frameMbsOnly, width, height,
    ...(fps !== undefined ? { fps } : {}),
  };
}

/** scaling_list() (H.264 7.3.2.1.1.1): only walked, the values do not matter here. */
function skipScalingMatrix(r: BitReader, lists: number): void {
  for (let i = 0; i < lists; i++) {
    if (!r.bit()) continue;
    const size = i < 6 ? 16 : 64;
    let last = 8;
    let next = 8;
    for (let j = 0; j < size; j++) {
      if (next !== 0) {
        const delta = r.se();
        if (delta < -128 || delta > 127) throw new OnAirError('ONAIR_ERR_MALFORMED', 'H.264 delta_scale out of range');
        next = (last + delta + 256) % 256;
      }
      last = next === 0 ? last : next;
    }
  }
}

/**
 * VUI up to timing_info (H.264 E.1.1). Some encoders end the VUI early; a short VUI only loses the
 * frame rate, it does not invalidate the size already read.
 */
function readVuiFps(r: BitReader): number | undefined {
  try {
    if (r.bit()) {
      if (r.bits(8) === 255) r.skip(32); // aspect_ratio_idc Extended_SAR: sar_width, sar_height
    }
    if (r.bit()) r.skip(1); // overscan_appropriate_flag
    if (r.bit()) {
      r.skip(4); // video_format, video_full_range_flag
      if (r.bit()) r.skip(24); // colour_primaries, transfer_characteristics, matrix_coefficients
    }
    if (r.bit()) {
      r.ue(); // chroma_sample_loc_type_top_field
      r.ue(); // chroma_sample_loc_type_bottom_field
    }
    if (!r.bit()) return undefined;
    const unitsInTick = r.bits(32);
    const timeScale = r.bits(32);
    if (unitsInTick === 0 || timeScale === 0) return undefined;
    const fps = timeScale / (2 * unitsInTick);
    return fps > 0 && fps <= 1000 ? Math.round(fps * 1000) / 1000 : undefined;
  } catch (err) {
    if (isOnAirError(err, 'ONAIR_ERR_TRUNCATED')) return undefined;
    throw err;
  }
}
