export { parseVideoTagBody } from './video-tag.js';
export { parseAudioTagBody } from './audio-tag.js';
export { tagBodyHeader, videoTagBody, audioTagBody } from './tag-body-writer.js';
export {
  flvFileHeader, flvTag, flvTagParts, writeFlvTagHeader, FLV_TAG_AUDIO, FLV_TAG_VIDEO, FLV_TAG_SCRIPT, FLV_FILE_HEADER_SIZE,
  FLV_TAG_HEADER_SIZE, FLV_PREVIOUS_TAG_SIZE_BYTES, FLV_MAX_BODY_SIZE, type FlvTagType,
} from './flv-file.js';
export { FlvReader, type FlvReaderOptions, type FlvFileHeaderInfo, type FlvTag } from './flv-reader.js';
export { MAX_FLV_TAG_SIZE, MAX_FLV_HEADER_SIZE } from './limits.js';
