import { OnAirError } from '../../core/errors.js';
import { AmfWriter } from './amf-writer.js';
import { writeAmf3Value } from './amf3-encode.js';
import { AMF0_MAX_SHORT_STRING, AMF_MAX_DEPTH, AMF_MAX_ENCODED_BYTES } from './limits.js';
import { Amf0Marker } from './markers.js';
import { type AmfObject, type AmfValue, amfClassName, isEcmaArray } from './types.js';

/**
 * Encodes `values` as one AMF0 body into a single growable buffer.
 *
 * Objects shared between places are written inline each time, never as 0x07 references: ffmpeg and
 * librtmp cannot read references ("AMF_REFERENCE not supported"). A Buffer or Map has no AMF0 type and
 * goes out through the avmplus switch (0x11) as an AMF3 byte array / dictionary.
 */
export function encodeAmf0(...values: AmfValue[]): Buffer {
  const w = new AmfWriter(AMF_MAX_ENCODED_BYTES);
  for (const v of values) writeAmf0Value(w, v, 0);
  return w.finish();
}

/** Writes one AMF0 value at nesting level `depth` (cycles end at the depth cap with ONAIR_ERR_LIMIT). */
export function writeAmf0Value(w: AmfWriter, value: AmfValue, depth: number): void {
  switch (typeof value) {
    case 'number':
      w.u8(Amf0Marker.number);
      return w.f64(value);
    case 'boolean':
      w.u8(Amf0Marker.boolean);
      return w.u8(value ? 1 : 0);
    case 'string':
      return writeString(w, value);
    case 'undefined':
      return w.u8(Amf0Marker.undefined);
    case 'object':
      break;
    default:
      throw new OnAirError('ONAIR_ERR_UNSUPPORTED', `cannot encode a ${typeof value} as AMF0`);
  }
  if (value === null) return w.u8(Amf0Marker.null);
  if (value instanceof Date) {
    w.u8(Amf0Marker.date);
    w.f64(value.getTime());
    return w.i16(0); // spec 2.13: time-zone reserved, 0
  }
  if (value instanceof Uint8Array || value instanceof Map) {
    w.u8(Amf0Marker.avmplusObject);
    return writeAmf3Value(w, value, depth);
  }
  if (depth >= AMF_MAX_DEPTH) throw new OnAirError('ONAIR_ERR_LIMIT', `AMF0 nesting deeper than ${AMF_MAX_DEPTH}`);
  if (Array.isArray(value)) {
    w.u8(Amf0Marker.strictArray);
    w.u32(value.length);
    for (let i = 0; i < value.length; i++) writeAmf0Value(w, value[i], depth + 1);
    return;
  }
  const className = amfClassName(value);
  if (isEcmaArray(value)) {
    w.u8(Amf0Marker.ecmaArray);
    w.u32(Object.keys(value).length);
  } else if (className !== undefined) {
    w.u8(Amf0Marker.typedObject);
    writeKey(w, className);
  } else {
    w.u8(Amf0Marker.object);
  }
  writeProperties(w, value, depth);
}

/** Spec 2.4 / 2.14: strings over 65535 UTF-8 bytes need the long-string form. */
function writeString(w: AmfWriter, s: string): void {
  const len = Buffer.byteLength(s, 'utf8');
  if (len > AMF0_MAX_SHORT_STRING) {
    w.u8(Amf0Marker.longString);
    w.u32(len);
  } else {
    w.u8(Amf0Marker.string);
    w.u16(len);
  }
  w.utf8(s, len);
}

/** A key or class name: UTF-8 with a U16 length and no marker. */
function writeKey(w: AmfWriter, s: string): void {
  const len = Buffer.byteLength(s, 'utf8');
  if (len > AMF0_MAX_SHORT_STRING) {
    throw new OnAirError('ONAIR_ERR_LIMIT', `AMF0 key of ${len} bytes exceeds ${AMF0_MAX_SHORT_STRING}`);
  }
  w.u16(len);
  w.utf8(s, len);
}

/** Members then object-end (empty key + 0x09), which is why an empty key cannot be written. */
function writeProperties(w: AmfWriter, obj: AmfObject, depth: number): void {
  for (const key of Object.keys(obj)) {
    if (key === '') throw new OnAirError('ONAIR_ERR_UNSUPPORTED', 'AMF0 cannot encode an empty key');
    writeKey(w, key);
    writeAmf0Value(w, obj[key], depth + 1);
  }
  w.u16(0);
  w.u8(Amf0Marker.objectEnd);
}
