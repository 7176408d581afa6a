export { parseAvcDecoderConfig, buildAvcDecoderConfig, type AvcDecoderConfig } from './avc-decoder-config.js';
export { parseH264Sps, type H264Sps } from './sps.js';
export { h264CodecString } from './codec-string.js';
export {
  isH264Keyframe, avccToAnnexB, annexBToAvcc, h264NalType,
  H264_NAL_IDR, H264_NAL_SPS, H264_NAL_PPS, H264_NAL_AUD,
} from './nal-units.js';
export { forEachNalu, splitAvccNalus, joinAvccNalus, splitAnnexBNalus, joinAnnexBNalus } from '../nal-units.js';
export { removeEmulationPrevention } from '../emulation-prevention.js';
