export {
  parseHevcDecoderConfig, type HevcDecoderConfig, type HevcNalArray, H265_NAL_VPS, H265_NAL_SPS, H265_NAL_PPS,
} from './hevc-decoder-config.js';
export { parseH265Sps, type H265Sps } from './sps.js';
export { hevcCodecString } from './codec-string.js';
export { isH265Keyframe, h265NalType } from './nal-units.js';
