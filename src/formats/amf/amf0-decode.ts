import { ByteReader } from '../../core/byte-reader.js';
import { OnAirError, checkLimit } from '../../core/errors.js';
import { type Amf3DecodeContext, decodeAmf3Value, newAmf3DecodeContext } from './amf3-decode.js';
import { AMF0_MAX_REFERENCES, AMF_MAX_DEPTH } from './limits.js';
import { Amf0Marker } from './markers.js';
import {
  type AmfDecodeOptions,
  type AmfObject,
  type AmfValue,
  asEcmaArray,
  setAmfProperty,
  withClassName,
} from './types.js';

/**
 * State of one AMF0 message body: the reference table (spec 2.9) and the AMF3 tables used after an
 * avmplus-object switch (spec 3.1), both shared by every value of the body.
 */
export interface Amf0DecodeContext {
  readonly maxDepth: number;
  readonly refs: AmfValue[];
  readonly amf3: Amf3DecodeContext;
}

export function newAmf0DecodeContext(opts: AmfDecodeOptions = {}): Amf0DecodeContext {
  const maxDepth = opts.maxDepth ?? AMF_MAX_DEPTH;
  return { maxDepth, refs: [], amf3: newAmf3DecodeContext(maxDepth) };
}

/** Decodes every value of an AMF0 body (an RTMP command or data message, an FLV script tag). */
export function decodeAmf0(buf: Buffer, opts: AmfDecodeOptions = {}): AmfValue[] {
  const reader = new ByteReader(buf);
  const ctx = newAmf0DecodeContext(opts);
  const values: AmfValue[] = [];
  while (reader.remaining > 0) values.push(decodeAmf0Value(reader, ctx));
  return values;
}

/**
 * Decodes one AMF0 value; `depth` is its nesting level (0 at the top). A reference (0x07) resolves to
 * the earlier object itself, so a decoded value may share sub-objects or even be cyclic.
 */
export function decodeAmf0Value(reader: ByteReader, ctx: Amf0DecodeContext, depth = 0): AmfValue {
  const marker = reader.u8('AMF0 marker');
  switch (marker) {
    case Amf0Marker.number:
      return reader.f64('AMF0 number');
    case Amf0Marker.boolean:
      return reader.u8('AMF0 boolean') !== 0;
    case Amf0Marker.string:
      return readUtf8(reader, reader.u16('AMF0 string length'), 'AMF0 string');
    case Amf0Marker.longString:
      return readUtf8(reader, reader.u32('AMF0 long string length'), 'AMF0 long string');
    case Amf0Marker.xmlDocument:
      return readUtf8(reader, reader.u32('AMF0 xml length'), 'AMF0 xml document');
    case Amf0Marker.null:
      return null;
    case Amf0Marker.undefined:
    case Amf0Marker.unsupported: // spec 2.14: stands in for a value the sender could not serialise
      return undefined;
    case Amf0Marker.date: {
      const ms = reader.f64('AMF0 date');
      reader.skip(2, 'AMF0 date time-zone'); // spec 2.13: reserved, should be 0
      return new Date(ms);
    }
    case Amf0Marker.reference: {
      const index = reader.u16('AMF0 reference');
      if (index >= ctx.refs.length) {
        throw new OnAirError('ONAIR_ERR_MALFORMED', `AMF0 reference ${index} of ${ctx.refs.length}`);
      }
      return ctx.refs[index]!;
    }
    case Amf0Marker.object:
      return readProperties(reader, ctx, depth, register(ctx, depth, {}));
    case Amf0Marker.typedObject: {
      const className = readUtf8(reader, reader.u16('AMF0 class name length'), 'AMF0 class name');
      return readProperties(reader, ctx, depth, register(ctx, depth, withClassName({}, className)));
    }
    case Amf0Marker.ecmaArray:
      return readEcmaArray(reader, ctx, depth);
    case Amf0Marker.strictArray:
      return readStrictArray(reader, ctx, depth);
    case Amf0Marker.avmplusObject:
      return decodeAmf3Value(reader, ctx.amf3, depth);
    case Amf0Marker.objectEnd:
      throw new OnAirError('ONAIR_ERR_MALFORMED', 'AMF0 object-end marker outside an object');
    case Amf0Marker.movieclip:
    case Amf0Marker.recordset:
      throw new OnAirError('ONAIR_ERR_UNSUPPORTED', `AMF0 reserved marker 0x${marker.toString(16)}`);
    default:
      throw new OnAirError('ONAIR_ERR_MALFORMED', `unknown AMF0 marker 0x${marker.toString(16)}`);
  }
}

/** `len` comes from the peer: ByteReader.bytes checks it against the bytes left before any copy. */
function readUtf8(reader: ByteReader, len: number, what: string): string {
  return reader.bytes(len, what).toString('utf8');
}

/** Complex values enter the reference table before their members are read (spec 2.9 numbering). */
function register<T extends AmfValue>(ctx: Amf0DecodeContext, depth: number, value: T): T {
  if (depth >= ctx.maxDepth) throw new OnAirError('ONAIR_ERR_LIMIT', `AMF0 nesting deeper than ${ctx.maxDepth}`);
  // Indices are U16: past 65536 entries nothing can refer to them, so they are not kept.
  if (ctx.refs.length < AMF0_MAX_REFERENCES) ctx.refs.push(value);
  return value;
}

/**
 * Key/value pairs up to object-end, which is an empty key followed by the bare 0x09 marker (spec 2.11).
 * An empty key followed by anything else is malformed: an encoder cannot write an empty key.
 * `minEntries` > 0 is an ECMA array's declared count, used only by the missing-end tolerance below.
 */
function readProperties(
  reader: ByteReader,
  ctx: Amf0DecodeContext,
  depth: number,
  obj: AmfObject,
  minEntries = 0,
): AmfObject {
  let entries = 0;
  for (;;) {
    // Interop: some encoders (older FMS, hardware encoders) end an ECMA array after its declared
    // count with no object-end; accept that only when the body ends exactly there.
    if (minEntries > 0 && entries >= minEntries && reader.remaining === 0) return obj;
    const key = readUtf8(reader, reader.u16('AMF0 key length'), 'AMF0 key');
    if (key === '') {
      const marker = reader.u8('AMF0 object-end');
      if (marker === Amf0Marker.objectEnd) return obj;
      throw new OnAirError('ONAIR_ERR_MALFORMED', `AMF0 empty key followed by marker 0x${marker.toString(16)}`);
    }
    setAmfProperty(obj, key, decodeAmf0Value(reader, ctx, depth + 1));
    entries++;
  }
}

/**
 * ECMA array (spec 2.10): the declared count is only a hint. Encoders write 0 or a wrong count
 * (FMLE, Wowza relays), so the object-end marker terminates, as in ffmpeg's flvdec.
 */
function readEcmaArray(reader: ByteReader, ctx: Amf0DecodeContext, depth: number): AmfObject {
  const countHint = reader.u32('AMF0 ECMA array count');
  return readProperties(reader, ctx, depth, register(ctx, depth, asEcmaArray({})), countHint);
}

/** Strict array (spec 2.12): the count is checked against the bytes left (>= 1 byte per value). */
function readStrictArray(reader: ByteReader, ctx: Amf0DecodeContext, depth: number): AmfValue[] {
  const count = reader.u32('AMF0 strict array count');
  checkLimit('AMF0 strict array count', count, reader.remaining);
  const arr = register<AmfValue[]>(ctx, depth, []);
  for (let i = 0; i < count; i++) arr.push(decodeAmf0Value(reader, ctx, depth + 1));
  return arr;
}
