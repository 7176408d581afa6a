import { OnAirError, checkLimit } from '../../core/errors.js';
import { AmfWriter } from './amf-writer.js';
import { AMF3_INT_MAX, AMF3_INT_MIN, AMF3_MAX_U28, AMF_MAX_DEPTH, AMF_MAX_ENCODED_BYTES } from './limits.js';
import { Amf3Marker } from './markers.js';
import { type AmfObject, type AmfValue, amfClassName, isEcmaArray } from './types.js';

/**
 * Encodes one AMF3 value. No reference tables are used: every string and object is written inline,
 * which every decoder accepts. Vectors decoded earlier go out as dense arrays, XML as strings.
 */
export function encodeAmf3(value: AmfValue): Buffer {
  const w = new AmfWriter(AMF_MAX_ENCODED_BYTES);
  writeAmf3Value(w, value, 0);
  return w.finish();
}

/** U29 (spec 1.3.1); `v` must be in [0, 2^29). */
export function writeU29(w: AmfWriter, v: number): void {
  if (v < 0x80) {
    w.u8(v);
  } else if (v < 0x4000) {
    w.u8((v >>> 7) | 0x80);
    w.u8(v & 0x7f);
  } else if (v < 0x200000) {
    w.u8((v >>> 14) | 0x80);
    w.u8(((v >>> 7) & 0x7f) | 0x80);
    w.u8(v & 0x7f);
  } else {
    w.u8((v >>> 22) | 0x80);
    w.u8(((v >>> 15) & 0x7f) | 0x80);
    w.u8(((v >>> 8) & 0x7f) | 0x80);
    w.u8(v & 0xff);
  }
}

/** Length or count with the "inline, not a reference" low bit set. */
function writeInlineHeader(w: AmfWriter, n: number, what: string): void {
  checkLimit(`AMF3 ${what}`, n, AMF3_MAX_U28);
  writeU29(w, n * 2 + 1);
}

function writeString(w: AmfWriter, s: string): void {
  const len = Buffer.byteLength(s, 'utf8');
  writeInlineHeader(w, len, 'string length');
  w.utf8(s, len);
}

function checkDepth(depth: number): void {
  if (depth >= AMF_MAX_DEPTH) throw new OnAirError('ONAIR_ERR_LIMIT', `AMF3 nesting deeper than ${AMF_MAX_DEPTH}`);
}

/** Writes one AMF3 value at nesting level `depth` (cycles end at the depth cap with ONAIR_ERR_LIMIT). */
export function writeAmf3Value(w: AmfWriter, value: AmfValue, depth: number): void {
  switch (typeof value) {
    case 'undefined':
      return w.u8(Amf3Marker.undefined);
    case 'boolean':
      return w.u8(value ? Amf3Marker.true : Amf3Marker.false);
    case 'number':
      if (Number.isInteger(value) && value >= AMF3_INT_MIN && value <= AMF3_INT_MAX && !Object.is(value, -0)) {
        w.u8(Amf3Marker.integer);
        return writeU29(w, value & 0x1fffffff);
      }
      w.u8(Amf3Marker.double);
      return w.f64(value);
    case 'string':
      w.u8(Amf3Marker.string);
      return writeString(w, value);
    case 'object':
      break;
    default:
      throw new OnAirError('ONAIR_ERR_UNSUPPORTED', `cannot encode a ${typeof value} as AMF3`);
  }
  if (value === null) return w.u8(Amf3Marker.null);
  if (value instanceof Date) {
    w.u8(Amf3Marker.date);
    writeU29(w, 1);
    return w.f64(value.getTime());
  }
  if (value instanceof Uint8Array) {
    w.u8(Amf3Marker.byteArray);
    writeInlineHeader(w, value.length, 'byte array length');
    return w.bytes(value);
  }
  checkDepth(depth);
  if (Array.isArray(value)) {
    w.u8(Amf3Marker.array);
    writeInlineHeader(w, value.length, 'array count');
    w.u8(0x01); // empty associative part
    for (let i = 0; i < value.length; i++) writeAmf3Value(w, value[i], depth + 1);
    return;
  }
  if (value instanceof Map) {
    w.u8(Amf3Marker.dictionary);
    writeInlineHeader(w, value.size, 'dictionary count');
    w.u8(0); // strong keys
    for (const [k, v] of value) {
      writeAmf3Value(w, k, depth + 1);
      writeAmf3Value(w, v, depth + 1);
    }
    return;
  }
  // An associative array with no keys reads back as [] (the shape is decided by the first key), so an
  // empty ECMA object goes out as an empty anonymous object, which reads back as {}.
  if (isEcmaArray(value) && Object.keys(value).length > 0) {
    w.u8(Amf3Marker.array);
    writeU29(w, 1); // no dense part: every key goes in the associative part
  } else {
    w.u8(Amf3Marker.object);
    writeU29(w, 0x0b); // inline object, inline traits, not externalizable, dynamic, 0 sealed members
    writeString(w, amfClassName(value) ?? '');
  }
  writeMembers(w, value, depth);
}

/** Dynamic members up to the empty-key terminator, which is why an empty key cannot be written. */
function writeMembers(w: AmfWriter, obj: AmfObject, depth: number): void {
  for (const key of Object.keys(obj)) {
    if (key === '') throw new OnAirError('ONAIR_ERR_UNSUPPORTED', 'AMF3 cannot encode an empty key');
    writeString(w, key);
    writeAmf3Value(w, obj[key], depth + 1);
  }
  w.u8(0x01);
}
