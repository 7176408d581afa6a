import { ByteReader } from '../../core/byte-reader.js';
import { OnAirError, checkLimit } from '../../core/errors.js';
import { AMF3_MAX_REFERENCES, AMF_MAX_DEPTH } from './limits.js';
import { Amf3Marker } from './markers.js';
import {
  type AmfDecodeOptions,
  type AmfObject,
  type AmfValue,
  asEcmaArray,
  setAmfProperty,
  withClassName,
} from './types.js';

/** Traits of an AMF3 object (spec 3.12): shared between objects through the traits table. */
interface Amf3Traits {
  readonly className: string;
  readonly dynamic: boolean;
  readonly sealed: readonly string[];
}

/** The three AMF3 reference tables (spec 2.2), scoped to one message body. */
export interface Amf3DecodeContext {
  readonly maxDepth: number;
  readonly strings: string[];
  readonly objects: AmfValue[];
  readonly traits: Amf3Traits[];
}

export function newAmf3DecodeContext(maxDepth = AMF_MAX_DEPTH): Amf3DecodeContext {
  return { maxDepth, strings: [], objects: [], traits: [] };
}

/** Decodes every AMF3 value in `buf`; the reference tables span the whole body. */
export function decodeAmf3(buf: Buffer, opts: AmfDecodeOptions = {}): AmfValue[] {
  const reader = new ByteReader(buf);
  const ctx = newAmf3DecodeContext(opts.maxDepth);
  const values: AmfValue[] = [];
  while (reader.remaining > 0) values.push(decodeAmf3Value(reader, ctx));
  return values;
}

/** Decodes one AMF3 value; `depth` is the nesting level of this value (0 at the top). */
export function decodeAmf3Value(reader: ByteReader, ctx: Amf3DecodeContext, depth = 0): AmfValue {
  const marker = reader.u8('AMF3 marker');
  switch (marker) {
    case Amf3Marker.undefined:
      return undefined;
    case Amf3Marker.null:
      return null;
    case Amf3Marker.false:
      return false;
    case Amf3Marker.true:
      return true;
    case Amf3Marker.integer: {
      const u = readU29(reader);
      return u & 0x10000000 ? u - 0x20000000 : u; // signed 29-bit two's complement (spec 3.6)
    }
    case Amf3Marker.double:
      return reader.f64('AMF3 double');
    case Amf3Marker.string:
      return readAmf3String(reader, ctx);
    case Amf3Marker.xmlDoc:
    case Amf3Marker.xml:
      return readXml(reader, ctx);
    case Amf3Marker.date:
      return readDate(reader, ctx);
    case Amf3Marker.array:
      return readArray(reader, ctx, depth);
    case Amf3Marker.object:
      return readObject(reader, ctx, depth);
    case Amf3Marker.byteArray:
      return readByteArray(reader, ctx);
    case Amf3Marker.vectorInt:
    case Amf3Marker.vectorUint:
    case Amf3Marker.vectorDouble:
      return readNumberVector(reader, ctx, marker);
    case Amf3Marker.vectorObject:
      return readObjectVector(reader, ctx, depth);
    case Amf3Marker.dictionary:
      return readDictionary(reader, ctx, depth);
    default:
      throw new OnAirError('ONAIR_ERR_MALFORMED', `unknown AMF3 marker 0x${marker.toString(16)}`);
  }
}

/** U29 (spec 1.3.1): 7 bits per byte with a continuation bit for three bytes, the fourth carries 8. */
export function readU29(reader: ByteReader): number {
  let v = 0;
  for (let i = 0; i < 3; i++) {
    const b = reader.u8('AMF3 U29');
    v = (v << 7) | (b & 0x7f);
    if ((b & 0x80) === 0) return v;
  }
  return (v << 8) | reader.u8('AMF3 U29');
}

function checkDepth(ctx: Amf3DecodeContext, depth: number): void {
  if (depth >= ctx.maxDepth) throw new OnAirError('ONAIR_ERR_LIMIT', `AMF3 nesting deeper than ${ctx.maxDepth}`);
}

function addRef<T>(table: T[], entry: T, what: string): void {
  checkLimit(`AMF3 ${what} reference table size`, table.length + 1, AMF3_MAX_REFERENCES);
  table.push(entry);
}

function getRef<T>(table: readonly T[], index: number, what: string): T {
  if (index >= table.length) {
    throw new OnAirError('ONAIR_ERR_MALFORMED', `AMF3 ${what} reference ${index} of ${table.length}`);
  }
  return table[index]!;
}

/** UTF-8-vr (spec 1.3.2): low bit 0 = string table reference; the empty string is never a table entry. */
function readAmf3String(reader: ByteReader, ctx: Amf3DecodeContext): string {
  const h = readU29(reader);
  if ((h & 1) === 0) return getRef(ctx.strings, h >>> 1, 'string');
  const len = h >>> 1;
  if (len === 0) return '';
  const s = reader.bytes(len, 'AMF3 string').toString('utf8');
  addRef(ctx.strings, s, 'string');
  return s;
}

function readXml(reader: ByteReader, ctx: Amf3DecodeContext): AmfValue {
  const h = readU29(reader);
  if ((h & 1) === 0) return getRef(ctx.objects, h >>> 1, 'object');
  const s = reader.bytes(h >>> 1, 'AMF3 xml').toString('utf8');
  addRef(ctx.objects, s, 'object');
  return s;
}

function readDate(reader: ByteReader, ctx: Amf3DecodeContext): AmfValue {
  const h = readU29(reader);
  if ((h & 1) === 0) return getRef(ctx.objects, h >>> 1, 'object');
  const d = new Date(reader.f64('AMF3 date'));
  addRef(ctx.objects, d, 'object');
  return d;
}

function readByteArray(reader: ByteReader, ctx: Amf3DecodeContext): AmfValue {
  const h = readU29(reader);
  if ((h & 1) === 0) return getRef(ctx.objects, h >>> 1, 'object');
  const bytes = reader.bytes(h >>> 1, 'AMF3 byte array'); // zero-copy view of the input
  addRef(ctx.objects, bytes, 'object');
  return bytes;
}

/**
 * Array (spec 3.11): dense count, then associative key/value pairs up to an empty key, then the dense
 * values. Without associative pairs it is a JS array; with them, an ECMA-marked object whose dense
 * items sit under "0", "1", ... (the object is registered before its members, so the shape is decided
 * from the first key).
 */
function readArray(reader: ByteReader, ctx: Amf3DecodeContext, depth: number): AmfValue {
  const h = readU29(reader);
  if ((h & 1) === 0) return getRef(ctx.objects, h >>> 1, 'object');
  checkDepth(ctx, depth);
  const dense = h >>> 1;
  checkLimit('AMF3 array dense count', dense, reader.remaining);
  let key = readAmf3String(reader, ctx);
  if (key === '') {
    const arr: AmfValue[] = [];
    addRef(ctx.objects, arr, 'object');
    for (let i = 0; i < dense; i++) arr.push(decodeAmf3Value(reader, ctx, depth + 1));
    return arr;
  }
  const obj = asEcmaArray<AmfObject>({});
  addRef(ctx.objects, obj, 'object');
  for (; key !== ''; key = readAmf3String(reader, ctx)) {
    setAmfProperty(obj, key, decodeAmf3Value(reader, ctx, depth + 1));
  }
  for (let i = 0; i < dense; i++) setAmfProperty(obj, String(i), decodeAmf3Value(reader, ctx, depth + 1));
  return obj;
}

/** U29O (spec 3.12): bit 0 object ref, bit 1 traits ref, bit 2 externalizable, bit 3 dynamic, rest sealed count. */
function readObject(reader: ByteReader, ctx: Amf3DecodeContext, depth: number): AmfValue {
  const h = readU29(reader);
  if ((h & 1) === 0) return getRef(ctx.objects, h >>> 1, 'object');
  checkDepth(ctx, depth);
  const traits = readTraits(reader, ctx, h);
  const obj: AmfObject = {};
  if (traits.className !== '') withClassName(obj, traits.className);
  addRef(ctx.objects, obj, 'object');
  for (const name of traits.sealed) setAmfProperty(obj, name, decodeAmf3Value(reader, ctx, depth + 1));
  if (traits.dynamic) {
    for (let key = readAmf3String(reader, ctx); key !== ''; key = readAmf3String(reader, ctx)) {
      setAmfProperty(obj, key, decodeAmf3Value(reader, ctx, depth + 1));
    }
  }
  return obj;
}

function readTraits(reader: ByteReader, ctx: Amf3DecodeContext, h: number): Amf3Traits {
  if ((h & 2) === 0) return getRef(ctx.traits, h >>> 2, 'traits');
  if ((h & 4) !== 0) {
    // The body format of an externalizable class is private to that class: nothing can skip it.
    const className = readAmf3String(reader, ctx);
    throw new OnAirError('ONAIR_ERR_UNSUPPORTED', `AMF3 externalizable object "${className}"`);
  }
  const dynamic = (h & 8) !== 0;
  const count = h >>> 4;
  const className = readAmf3String(reader, ctx);
  checkLimit('AMF3 sealed member count', count, reader.remaining);
  const sealed: string[] = [];
  for (let i = 0; i < count; i++) sealed.push(readAmf3String(reader, ctx));
  const traits: Amf3Traits = { className, dynamic, sealed };
  addRef(ctx.traits, traits, 'traits');
  return traits;
}

/** Vector.<int|uint|Number> (spec 3.15): count, fixed flag, then packed 4- or 8-byte items. */
function readNumberVector(reader: ByteReader, ctx: Amf3DecodeContext, marker: number): AmfValue {
  const h = readU29(reader);
  if ((h & 1) === 0) return getRef(ctx.objects, h >>> 1, 'object');
  const count = h >>> 1;
  reader.u8('AMF3 vector fixed flag');
  const size = marker === Amf3Marker.vectorDouble ? 8 : 4;
  checkLimit('AMF3 vector count', count, Math.floor(reader.remaining / size));
  const arr: number[] = [];
  addRef(ctx.objects, arr, 'object');
  for (let i = 0; i < count; i++) {
    if (marker === Amf3Marker.vectorInt) arr.push(reader.u32('AMF3 vector int') | 0);
    else if (marker === Amf3Marker.vectorUint) arr.push(reader.u32('AMF3 vector uint'));
    else arr.push(reader.f64('AMF3 vector double'));
  }
  return arr;
}

/** Vector.<Object>: count, fixed flag, element type name (dropped), then values. */
function readObjectVector(reader: ByteReader, ctx: Amf3DecodeContext, depth: number): AmfValue {
  const h = readU29(reader);
  if ((h & 1) === 0) return getRef(ctx.objects, h >>> 1, 'object');
  checkDepth(ctx, depth);
  const count = h >>> 1;
  reader.u8('AMF3 vector fixed flag');
  readAmf3String(reader, ctx);
  checkLimit('AMF3 vector count', count, reader.remaining);
  const arr: AmfValue[] = [];
  addRef(ctx.objects, arr, 'object');
  for (let i = 0; i < count; i++) arr.push(decodeAmf3Value(reader, ctx, depth + 1));
  return arr;
}

/** Dictionary (spec 3.16): count, weak-keys flag, then key/value pairs of any type. */
function readDictionary(reader: ByteReader, ctx: Amf3DecodeContext, depth: number): AmfValue {
  const h = readU29(reader);
  if ((h & 1) === 0) return getRef(ctx.objects, h >>> 1, 'object');
  checkDepth(ctx, depth);
  const count = h >>> 1;
  reader.u8('AMF3 dictionary weak-keys flag');
  checkLimit('AMF3 dictionary count', count, Math.floor(reader.remaining / 2));
  const map = new Map<AmfValue, AmfValue>();
  addRef(ctx.objects, map, 'object');
  for (let i = 0; i < count; i++) {
    const key = decodeAmf3Value(reader, ctx, depth + 1);
    map.set(key, decodeAmf3Value(reader, ctx, depth + 1));
  }
  return map;
}
