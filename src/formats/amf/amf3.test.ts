import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ErrorCode, isOnAirError } from '../../core/errors.js';
import { decodeAmf0, decodeAmf3, encodeAmf3 } from './index.js';
import { AMF3_GOLDEN, hex } from './testing/amf-golden.js';
import { type AmfObject, type AmfValue, amfClassName, asEcmaArray, isEcmaArray } from './types.js';

const isCode = (code: ErrorCode) => (e: unknown) => isOnAirError(e, code);

for (const c of AMF3_GOLDEN) {
  test(`AMF3 golden ${c.name}: decode`, () => {
    const [v, ...rest] = decodeAmf3(c.bytes);
    assert.equal(rest.length, 0);
    assert.deepStrictEqual(v, c.value);
    assert.deepStrictEqual(encodeAmf3(v), c.bytes); // also checks the ECMA / class-name markers
  });
  test(`AMF3 golden ${c.name}: encode`, () => {
    assert.deepStrictEqual(encodeAmf3(c.value), c.bytes);
  });
}

test('AMF3 xml-doc and xml decode to strings', () => {
  assert.deepStrictEqual(decodeAmf3(hex('07 09 3c612f3e')), ['<a/>']);
  assert.deepStrictEqual(decodeAmf3(hex('0b 09 3c612f3e')), ['<a/>']);
});

test('AMF3 string reference table', () => {
  // ["ab", ref 0]; the empty string is never a table entry, so "" then a ref still points at "ab"
  assert.deepStrictEqual(decodeAmf3(hex('09 07 01 06 05 6162 06 01 06 00')), [['ab', '', 'ab']]);
  // keys and class names share the table with string values
  const [v] = decodeAmf3(hex('09 05 01 0a 0b 03 50 03 61 06 00 01 06 02'));
  assert.deepStrictEqual(v, [{ a: 'P' }, 'a']);
  assert.equal(amfClassName((v as AmfValue[])[0] as object), 'P');
});

test('AMF3 object, date and byte-array references resolve to the same object', () => {
  const [v] = decodeAmf3(hex('09 0d 01 0a 0b 01 01 0a 02 08 01 0000000000000000 08 04 0c 03 ff 0c 06'));
  const a = v as AmfValue[];
  assert.equal(a.length, 6);
  assert.deepStrictEqual(a[0], {});
  assert.equal(a[1], a[0]); // object ref 1 (ref 0 is the outer array)
  assert.equal(a[3], a[2]); // date ref 2
  assert.deepStrictEqual(a[4], Buffer.from([0xff]));
  assert.equal(a[5], a[4]); // byte-array ref 3
});

test('AMF3 sealed traits and trait references', () => {
  // class "P" sealed member x (U29O 0x13), then an object using traits ref 0 (U29O 0x01)
  const [v] = decodeAmf3(hex('09 05 01 0a 13 03 50 03 78 04 01 0a 01 04 02'));
  const [p, q] = v as AmfObject[];
  assert.deepStrictEqual(v, [{ x: 1 }, { x: 2 }]);
  assert.equal(amfClassName(p!), 'P');
  assert.equal(amfClassName(q!), 'P');
  // sealed + dynamic: sealed values first, then dynamic pairs
  assert.deepStrictEqual(decodeAmf3(hex('0a 1b 01 03 78 04 01 03 79 04 02 01')), [{ x: 1, y: 2 }]);
});

test('AMF3 array with associative and dense parts', () => {
  const [v] = decodeAmf3(hex('09 03 03 61 04 01 01 04 02'));
  assert.deepStrictEqual(v, { a: 1, 0: 2 });
  assert.ok(isEcmaArray(v as object));
});

test('AMF3 empty ECMA object encodes as an empty object (an empty associative array reads back as [])', () => {
  assert.deepStrictEqual(encodeAmf3(asEcmaArray({})), hex('0a 0b 01 01'));
  assert.deepStrictEqual(decodeAmf3(hex('09 01 01')), [[]]);
});

test('AMF3 vectors decode to arrays', () => {
  assert.deepStrictEqual(decodeAmf3(hex('0d 05 00 ffffffff 00000001')), [[-1, 1]]);
  assert.deepStrictEqual(decodeAmf3(hex('0e 03 00 ffffffff')), [[4294967295]]);
  assert.deepStrictEqual(decodeAmf3(hex('0f 03 01 3ff8000000000000')), [[1.5]]);
  assert.deepStrictEqual(decodeAmf3(hex('10 05 00 01 04 01 06 03 61')), [[1, 'a']]);
  assert.deepStrictEqual(decodeAmf3(hex('09 05 01 0d 03 00 00000007 0d 02')), [[[7], [7]]]);
});

test('AMF3 externalizable object is ONAIR_ERR_UNSUPPORTED', () => {
  assert.throws(() => decodeAmf3(hex('0a 07 07 466f6f 00')), isCode('ONAIR_ERR_UNSUPPORTED'));
});

test('AMF3 reference to a non-existent entry is ONAIR_ERR_MALFORMED', () => {
  const cases = [
    '06 00', // string ref 0, empty table
    '0a 00', // object ref 0
    '0a 01', // inline object, traits ref 0
    '08 00', // date ref
    '09 02', // array ref 1
    '0c 00', // byte-array ref
    '07 00', // xml-doc ref
    '11 00', // dictionary ref
    '0d 00', // vector ref
    '09 03 01 09 02', // [ref 1] where only the outer array (0) exists
  ];
  for (const c of cases) assert.throws(() => decodeAmf3(hex(c)), isCode('ONAIR_ERR_MALFORMED'), c);
});

test('AMF3 unknown marker is ONAIR_ERR_MALFORMED', () => {
  for (const m of ['12', '7f', 'ff']) assert.throws(() => decodeAmf3(hex(m)), isCode('ONAIR_ERR_MALFORMED'), m);
});

test('AMF3 lying counts: ONAIR_ERR_LIMIT before any allocation; lying lengths: TRUNCATED', () => {
  const limit = [
    '09 ffffffff 01 01 01', // dense count 2^28-1, 3 bytes left
    '0d ffffffff 00 010203', // vector<int>
    '0f 0b 00 0000000000000000', // vector<double>, 5 declared, 1 present
    '10 ffffffff 00 01 01', // vector<Object>
    '11 ffffffff 00 01 01', // dictionary
    '0a fffffff3 01 01 01', // sealed member count 2^25-1
  ];
  for (const c of limit) assert.throws(() => decodeAmf3(hex(c)), isCode('ONAIR_ERR_LIMIT'), c);
  for (const c of ['06 ffffffff 61', '0c ffffffff 61', '07 ffffffff 61', '05 00', '04 ff']) {
    assert.throws(() => decodeAmf3(hex(c)), isCode('ONAIR_ERR_TRUNCATED'), c);
  }
});

test('AMF3 depth bombs of 10k: ONAIR_ERR_LIMIT, no stack overflow', () => {
  const n = 10_000;
  const bombs = {
    arrays: Buffer.concat(Array.from({ length: n }, () => hex('09 03 01'))),
    objects: Buffer.concat(Array.from({ length: n }, () => hex('0a 0b 01 03 61'))),
    'associative arrays': Buffer.concat(Array.from({ length: n }, () => hex('09 01 03 61'))),
    'object vectors': Buffer.concat(Array.from({ length: n }, () => hex('10 03 00 01'))),
    dictionaries: Buffer.concat(Array.from({ length: n }, () => hex('11 03 00 01'))),
  };
  for (const [name, bytes] of Object.entries(bombs)) {
    assert.throws(() => decodeAmf3(bytes), isCode('ONAIR_ERR_LIMIT'), name);
  }
  let deep: AmfValue = null;
  for (let i = 0; i < n; i++) deep = { a: deep };
  assert.throws(() => encodeAmf3(deep), isCode('ONAIR_ERR_LIMIT'));
});

test('AMF3 encodes what AMF3 cannot carry as typed errors', () => {
  assert.throws(() => encodeAmf3({ '': 1 }), isCode('ONAIR_ERR_UNSUPPORTED'));
  assert.throws(() => encodeAmf3(10n as unknown as AmfValue), isCode('ONAIR_ERR_UNSUPPORTED'));
});

test('AMF3 tables are shared across avmplus switches within one AMF0 body', () => {
  assert.deepStrictEqual(decodeAmf0(hex('11 06 05 6869 11 06 00')), ['hi', 'hi']);
});

test('AMF3 cut at every byte of a nested message: TRUNCATED, or LIMIT where a count outruns the bytes left', () => {
  const body = encodeAmf3({ a: [1, 'xyz', { b: new Date(5), c: Buffer.from([9, 9]) }], d: 1.25 });
  for (let cut = 0; cut < body.length; cut++) {
    const part = body.subarray(0, cut);
    if (cut === 0) assert.deepStrictEqual(decodeAmf3(part), []);
    else {
      assert.throws(
        () => decodeAmf3(part),
        (e) => isOnAirError(e, 'ONAIR_ERR_TRUNCATED') || isOnAirError(e, 'ONAIR_ERR_LIMIT'),
        `cut ${cut}`,
      );
    }
  }
});
