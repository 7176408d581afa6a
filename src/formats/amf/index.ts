/** AMF0 and AMF3 codecs (sans-IO). See types.ts for the JS mapping of each AMF type. */
export { decodeAmf0, decodeAmf0Value, newAmf0DecodeContext, type Amf0DecodeContext } from './amf0-decode.js';
export { encodeAmf0 } from './amf0-encode.js';
export { decodeAmf3, decodeAmf3Value, newAmf3DecodeContext, type Amf3DecodeContext } from './amf3-decode.js';
export { encodeAmf3 } from './amf3-encode.js';
export {
  AMF_CLASS_NAME,
  AMF_ECMA_ARRAY,
  amfClassName,
  amfObject,
  asEcmaArray,
  isEcmaArray,
  withClassName,
  type AmfDecodeOptions,
  type AmfDictionary,
  type AmfObject,
  type AmfValue,
} from './types.js';
export { AMF_MAX_DEPTH, AMF0_MAX_REFERENCES, AMF3_MAX_REFERENCES, AMF_MAX_ENCODED_BYTES } from './limits.js';
