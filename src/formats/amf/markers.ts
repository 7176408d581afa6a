/** AMF0 type markers ("Action Message Format -- AMF 0", section 2.1). */
export const Amf0Marker = {
  number: 0x00,
  boolean: 0x01,
  string: 0x02,
  object: 0x03,
  movieclip: 0x04, // reserved, not supported
  null: 0x05,
  undefined: 0x06,
  reference: 0x07,
  ecmaArray: 0x08,
  objectEnd: 0x09,
  strictArray: 0x0a,
  date: 0x0b,
  longString: 0x0c,
  unsupported: 0x0d,
  recordset: 0x0e, // reserved, not supported
  xmlDocument: 0x0f,
  typedObject: 0x10,
  avmplusObject: 0x11,
} as const;

/** AMF3 type markers ("AMF 3 Specification", section 3.1). */
export const Amf3Marker = {
  undefined: 0x00,
  null: 0x01,
  false: 0x02,
  true: 0x03,
  integer: 0x04,
  double: 0x05,
  string: 0x06,
  xmlDoc: 0x07,
  date: 0x08,
  array: 0x09,
  object: 0x0a,
  xml: 0x0b,
  byteArray: 0x0c,
  vectorInt: 0x0d,
  vectorUint: 0x0e,
  vectorDouble: 0x0f,
  vectorObject: 0x10,
  dictionary: 0x11,
} as const;
