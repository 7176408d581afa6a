import type { AmfValue } from '../types.js';
import { asEcmaArray, withClassName } from '../types.js';

/** Golden cases: bytes from the specs, built by hand. One table drives decode, encode and fuzz seeds. */
export interface GoldenCase {
  name: string;
  value: AmfValue;
  bytes: Buffer;
}

export const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

/** AMF0 ("AMF 0" spec section 2); each decodes to `value` and `value` encodes to the same bytes. */
export const AMF0_GOLDEN: GoldenCase[] = [
  { name: 'number', value: 1.5, bytes: hex('00 3ff8000000000000') },
  { name: 'negative zero', value: -0, bytes: hex('00 8000000000000000') },
  { name: 'true', value: true, bytes: hex('01 01') },
  { name: 'false', value: false, bytes: hex('01 00') },
  { name: 'string', value: 'hi', bytes: hex('02 0002 6869') },
  { name: 'empty string', value: '', bytes: hex('02 0000') },
  { name: 'utf-8 string', value: 'é', bytes: hex('02 0002 c3a9') },
  { name: 'object', value: { a: 1 }, bytes: hex('03 0001 61 00 3ff0000000000000 0000 09') },
  { name: 'empty object', value: {}, bytes: hex('03 0000 09') },
  { name: 'null', value: null, bytes: hex('05') },
  { name: 'undefined', value: undefined, bytes: hex('06') },
  { name: 'ECMA array', value: asEcmaArray({ a: 'b' }), bytes: hex('08 00000001 0001 61 02 0001 62 0000 09') },
  { name: 'strict array', value: [1, 'x'], bytes: hex('0a 00000002 00 3ff0000000000000 02 0001 78') },
  { name: 'date', value: new Date(1700000000000), bytes: hex('0b 4278bcfe56800000 0000') },
  {
    name: 'long string',
    value: 'x'.repeat(65536),
    bytes: Buffer.concat([hex('0c 00010000'), Buffer.alloc(65536, 'x')]),
  },
  { name: 'longest short string', value: 'y'.repeat(65535), bytes: Buffer.concat([hex('02 ffff'), Buffer.alloc(65535, 'y')]) },
  { name: 'typed object', value: withClassName({ a: true }, 'Foo'), bytes: hex('10 0003 466f6f 0001 61 01 01 0000 09') },
  { name: 'Buffer via avmplus', value: Buffer.from([1, 2, 3]), bytes: hex('11 0c 07 010203') },
  { name: 'Map via avmplus', value: new Map<AmfValue, AmfValue>([[1, 'a']]), bytes: hex('11 11 03 00 04 01 06 03 61') },
  { name: 'nested', value: { o: [null, { b: false }] }, bytes: hex('03 0001 6f 0a 00000002 05 03 0001 62 01 00 0000 09 0000 09') },
];


/** AMF3 ("AMF 3" spec section 3); each decodes to `value` and `value` encodes to the same bytes. */
export const AMF3_GOLDEN: GoldenCase[] = [
  { name: 'undefined', value: undefined, bytes: hex('00') },
  { name: 'null', value: null, bytes: hex('01') },
  { name: 'false', value: false, bytes: hex('02') },
  { name: 'true', value: true, bytes: hex('03') },
  { name: 'integer 0', value: 0, bytes: hex('04 00') },
  { name: 'integer 127 (1-byte U29)', value: 127, bytes: hex('04 7f') },
  { name: 'integer 128 (2-byte U29)', value: 128, bytes: hex('04 8100') },
  { name: 'integer 16383', value: 16383, bytes: hex('04 ff7f') },
  { name: 'integer 16384 (3-byte U29)', value: 16384, bytes: hex('04 818000') },
  { name: 'integer 2097151', value: 2097151, bytes: hex('04 ffff7f') },
  { name: 'integer 2097152 (4-byte U29)', value: 2097152, bytes: hex('04 80c08000') },
  { name: 'integer max 2^28-1', value: 0x0fffffff, bytes: hex('04 bfffffff') },
  { name: 'integer -1', value: -1, bytes: hex('04 ffffffff') },
  { name: 'integer min -2^28', value: -0x10000000, bytes: hex('04 c0808000') },
  { name: '2^28 goes out as double', value: 0x10000000, bytes: hex('05 41b0000000000000') },
  { name: 'double', value: 1.5, bytes: hex('05 3ff8000000000000') },
  { name: '-0 goes out as double', value: -0, bytes: hex('05 8000000000000000') },
  { name: 'string', value: 'hi', bytes: hex('06 05 6869') },
  { name: 'empty string', value: '', bytes: hex('06 01') },
  { name: 'date', value: new Date(0), bytes: hex('08 01 0000000000000000') },
  { name: 'dense array', value: [1, 'a'], bytes: hex('09 05 01 04 01 06 03 61') },
  { name: 'associative array', value: asEcmaArray({ a: 1 }), bytes: hex('09 01 03 61 04 01 01') },
  { name: 'anonymous object', value: { a: 1 }, bytes: hex('0a 0b 01 03 61 04 01 01') },
  { name: 'typed dynamic object', value: withClassName({}, 'Foo'), bytes: hex('0a 0b 07 466f6f 01') },
  { name: 'byte array', value: Buffer.from([1, 2, 3]), bytes: hex('0c 07 010203') },
  { name: 'dictionary', value: new Map<AmfValue, AmfValue>([[1, 'a']]), bytes: hex('11 03 00 04 01 06 03 61') },
];
