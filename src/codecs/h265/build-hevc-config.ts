import { OnAirError, checkLimit } from '../../core/errors.js';
import { removeEmulationPrevention } from '../emulation-prevention.js';
import { MAX_PARAMETER_SETS, MAX_PARAMETER_SET_SIZE } from '../limits.js';
import { H265_NAL_PPS, H265_NAL_SPS, H265_NAL_VPS } from './hevc-decoder-config.js';
import { parseH265Sps } from './sps.js';

/**
 * Builds an hvcC (HEVCDecoderConfigurationRecord, ISO/IEC 14496-15 8.3.3.1) from parameter sets, for
 * sources that send Annex-B with VPS/SPS/PPS in band (MPEG-TS, SRT). Profile, tier, level and the
 * compatibility/constraint flags are copied from the first SPS's profile_tier_level; the fields ffmpeg
 * derives from the VUI (min_spatial_segmentation, parallelism, frame rate) are written 0 = unknown, which
 * is what ffmpeg writes for libx265 streams too. NAL length size 4.
 */
export function buildHevcDecoderConfig(vps: readonly Buffer[], sps: readonly Buffer[], pps: readonly Buffer[]): Buffer {
  const first = sps[0];
  if (!first || vps.length === 0 || pps.length === 0) {
    throw new OnAirError('ONAIR_ERR_MALFORMED', 'hvcC needs a VPS, an SPS and a PPS');
  }
  const info = parseH265Sps(first); // validates the SPS (size, chroma, bit depth)
  // Byte-aligned head of the SPS RBSP: vps_id(4) max_sub_layers_minus1(3) nesting(1), then
  // profile_tier_level: space/tier/profile (1 byte), 32 compatibility flags, 48 constraint bits, level.
  const rbsp = removeEmulationPrevention(first.subarray(2, 2 + 1 + 12 + 8));
  if (rbsp.length < 13) throw new OnAirError('ONAIR_ERR_TRUNCATED', 'H.265 SPS shorter than its profile_tier_level');
  const subLayers = ((rbsp[0]! >> 1) & 0x07) + 1;
  const temporalIdNested = rbsp[0]! & 1;
  const head = Buffer.alloc(23);
  head[0] = 1; // configurationVersion
  rbsp.copy(head, 1, 1, 13); // general_profile_space..general_level_idc, as in the SPS
  head.writeUInt16BE(0xf000, 13); // reserved '1111' + min_spatial_segmentation_idc 0
  head[15] = 0xfc; // reserved + parallelismType 0 (unknown)
  head[16] = 0xfc | info.chromaFormatIdc;
  head[17] = 0xf8 | (info.bitDepthLuma - 8);
  head[18] = 0xf8 | (info.bitDepthChroma - 8);
  head.writeUInt16BE(0, 19); // avgFrameRate unknown
  head[21] = (subLayers << 3) | (temporalIdNested << 2) | 3; // constantFrameRate 0, lengthSizeMinusOne 3
  head[22] = 3; // numOfArrays
  return Buffer.concat([head, nalArray(H265_NAL_VPS, vps), nalArray(H265_NAL_SPS, sps), nalArray(H265_NAL_PPS, pps)]);
}

function nalArray(type: number, nalus: readonly Buffer[]): Buffer {
  checkLimit('hvcC NAL units per array', nalus.length, MAX_PARAMETER_SETS);
  const parts: Buffer[] = [Buffer.from([0x80 | type, nalus.length >> 8, nalus.length & 0xff])]; // array_completeness 1
  for (const n of nalus) {
    checkLimit('parameter set size', n.length, MAX_PARAMETER_SET_SIZE);
    const len = Buffer.allocUnsafe(2);
    len.writeUInt16BE(n.length, 0);
    parts.push(len, n);
  }
  return Buffer.concat(parts);
}
