export {
  parseAudioSpecificConfig, buildAudioSpecificConfig, aacCodecString, AAC_SAMPLE_RATES, type AudioSpecificConfig,
} from './audio-specific-config.js';
export { adtsHeader, ADTS_HEADER_SIZE } from './adts.js';
