/**
 * The JS shape of AMF values, shared by the AMF0 and AMF3 codecs.
 *
 * Mapping: number, boolean, string, null, undefined and Date map to themselves; a JS array is an AMF0
 * strict array / AMF3 dense array; a plain object is an anonymous object. What JS cannot tell apart
 * is kept as non-enumerable symbol markers, so a decoded value re-encodes to the same AMF type:
 * - `AMF_ECMA_ARRAY`: the object came from (or should become) an AMF0 ECMA array / AMF3 associative array.
 *   onMetaData is an ECMA array and some players (ffmpeg's flvdec) only read it in that form.
 * - `AMF_CLASS_NAME`: the class name of an AMF0 typed object or an AMF3 typed object.
 * XML documents decode to strings; AMF3 byte arrays to Buffer views of the input (zero-copy: copy them
 * if the input buffer is reused); AMF3 vectors to arrays; AMF3 dictionaries to Maps.
 */
export type AmfValue =
  | number
  | boolean
  | string
  | null
  | undefined
  | Date
  | Buffer
  | AmfValue[]
  | AmfObject
  | AmfDictionary;

export interface AmfObject {
  [key: string]: AmfValue;
}

export type AmfDictionary = Map<AmfValue, AmfValue>;

export const AMF_ECMA_ARRAY: unique symbol = Symbol('onair.amf.ecmaArray');
export const AMF_CLASS_NAME: unique symbol = Symbol('onair.amf.className');

export interface AmfDecodeOptions {
  /** Deepest nesting of objects/arrays accepted; deeper input is ONAIR_ERR_LIMIT. Default AMF_MAX_DEPTH. */
  maxDepth?: number;
}

/** Marks `obj` so the encoders write it as an ECMA array (AMF0) / associative array (AMF3). Returns `obj`. */
export function asEcmaArray<T extends AmfObject>(obj: T): T {
  Object.defineProperty(obj, AMF_ECMA_ARRAY, { value: true, enumerable: false, configurable: true });
  return obj;
}

export function isEcmaArray(obj: object): boolean {
  return (obj as { [AMF_ECMA_ARRAY]?: boolean })[AMF_ECMA_ARRAY] === true;
}

/** Gives `obj` a class name so the encoders write it as a typed object. Returns `obj`. */
export function withClassName<T extends AmfObject>(obj: T, className: string): T {
  Object.defineProperty(obj, AMF_CLASS_NAME, { value: className, enumerable: false, configurable: true });
  return obj;
}

/** The class name of a decoded typed object, or undefined for anonymous objects. */
export function amfClassName(obj: object): string | undefined {
  const name = (obj as { [AMF_CLASS_NAME]?: unknown })[AMF_CLASS_NAME];
  return typeof name === 'string' && name !== '' ? name : undefined;
}

/** True for the AmfObject branch of AmfValue (not an array, Date, Buffer/Uint8Array or Map). */
export function isAmfObject(value: unknown): value is AmfObject {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Date) &&
    !(value instanceof Uint8Array) &&
    !(value instanceof Map)
  );
}

/** For callers: `value` as an object (command object, onStatus info, onMetaData), else undefined. */
export function amfObject(value: AmfValue): Record<string, AmfValue> | undefined {
  return isAmfObject(value) ? value : undefined;
}

/**
 * Sets a peer-supplied key without invoking the `__proto__` setter: a key named `__proto__` becomes an
 * own property instead of replacing the object's prototype (prototype pollution through AMF keys).
 * Callers should read peer keys with `Object.hasOwn` or plain property access on known names.
 */
export function setAmfProperty(obj: AmfObject, key: string, value: AmfValue): void {
  if (key === '__proto__') {
    Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    obj[key] = value;
  }
}
