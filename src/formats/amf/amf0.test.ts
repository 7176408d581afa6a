import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ByteReader } from '../../core/byte-reader.js';
import { isOnAirError } from '../../core/errors.js';
import { decodeAmf0, decodeAmf0Value, encodeAmf0, newAmf0DecodeContext } from './index.js';
import { AMF0_GOLDEN, hex } from './testing/amf-golden.js';
import { type AmfValue, amfClassName, amfObject, isEcmaArray } from './types.js';


const str = (s: string): string => Buffer.from(s).toString('hex');
const testdata = (name: string): Buffer => readFileSync(new URL(`testdata/${name}`, import.meta.url));

for (const c of AMF0_GOLDEN) {
  test(`AMF0 golden ${c.name}: decode`, () => {
    const [v, ...rest] = decodeAmf0(c.bytes);
    assert.equal(rest.length, 0);
    assert.deepStrictEqual(v, c.value);
    // Markers (ECMA, class name) are not visible to deepStrictEqual; re-encoding checks them.
    assert.deepStrictEqual(encodeAmf0(v), c.bytes);
  });
  test(`AMF0 golden ${c.name}: encode`, () => {
    assert.deepStrictEqual(encodeAmf0(c.value), c.bytes);
  });
}

test('AMF0 decodes markers that have no encoder counterpart', () => {
  assert.deepStrictEqual(decodeAmf0(hex('0f 00000004 3c612f3e')), ['<a/>']); // xml-document as string
  assert.deepStrictEqual(decodeAmf0(hex('0d')), [undefined]); // unsupported marker stands for a value
  assert.deepStrictEqual(decodeAmf0(hex('11 04 05')), [5]); // avmplus switch: next value is AMF3
  assert.deepStrictEqual(decodeAmf0(hex('0c 00000002 6869')), ['hi']); // short long-string
  assert.deepStrictEqual(decodeAmf0(hex('01 02')), [true]); // any non-zero boolean byte
});

test('AMF0 typed object keeps its class name', () => {
  const [v] = decodeAmf0(hex('10 0003 466f6f 0001 61 01 01 0000 09'));
  assert.equal(amfClassName(v as object), 'Foo');
  assert.equal(Object.keys(v as object).length, 1, 'class name is not an enumerable key');
});

test('AMF0 reference resolves to the earlier object', () => {
  // strict array (ref 0) holding an object (ref 1) and a reference to it
  const [v] = decodeAmf0(hex('0a 00000002 03 0001 61 05 0000 09 07 0001'));
  assert.ok(Array.isArray(v));
  assert.deepStrictEqual(v[0], { a: null });
  assert.equal(v[1], v[0]);
  // Written inline again: ffmpeg and librtmp cannot read references.
  assert.deepStrictEqual(encodeAmf0(v), hex('0a 00000002 03 0001 61 05 0000 09 03 0001 61 05 0000 09'));
});

test('AMF0 reference to a missing entry is MALFORMED', () => {
  assert.throws(() => decodeAmf0(hex('07 0000')), (e) => isOnAirError(e, 'ONAIR_ERR_MALFORMED'));
  assert.throws(() => decodeAmf0(hex('03 0001 61 07 0001 0000 09')), (e) => isOnAirError(e, 'ONAIR_ERR_MALFORMED'));
});

test('AMF0 ECMA array count is a hint; object-end terminates', () => {
  const body = '0001 61 00 3ff0000000000000 0001 62 05 0000 09';
  for (const count of ['00000000', '00000001', '00000063', 'ffffffff']) {
    const [v] = decodeAmf0(hex(`08 ${count} ${body} 05`).subarray(0, -1));
    assert.deepStrictEqual(v, { a: 1, b: null }, `count ${count}`);
    assert.ok(isEcmaArray(v as object));
  }
  // Followed by another value: the object-end, not the count, decided where the array ended.
  assert.deepStrictEqual(decodeAmf0(hex(`08 00000000 ${body} 05`)), [{ a: 1, b: null }, null]);
});

test('AMF0 ECMA array missing object-end is accepted only at the end of the body after its count', () => {
  assert.deepStrictEqual(decodeAmf0(hex('08 00000001 0001 61 05')), [{ a: null }]);
  assert.throws(() => decodeAmf0(hex('08 00000002 0001 61 05')), (e) => isOnAirError(e, 'ONAIR_ERR_TRUNCATED'));
  assert.throws(() => decodeAmf0(hex('08 00000000 0001 61 05')), (e) => isOnAirError(e, 'ONAIR_ERR_TRUNCATED'));
  assert.throws(() => decodeAmf0(hex('03 0001 61 05')), (e) => isOnAirError(e, 'ONAIR_ERR_TRUNCATED'));
});

test('AMF0 empty key not followed by object-end is MALFORMED; stray object-end is MALFORMED', () => {
  assert.throws(() => decodeAmf0(hex('03 0000 05')), (e) => isOnAirError(e, 'ONAIR_ERR_MALFORMED'));
  assert.throws(() => decodeAmf0(hex('09')), (e) => isOnAirError(e, 'ONAIR_ERR_MALFORMED'));
  assert.throws(() => decodeAmf0(hex('0a 00000001 09')), (e) => isOnAirError(e, 'ONAIR_ERR_MALFORMED'));
  assert.throws(() => encodeAmf0({ '': 1 }), (e) => isOnAirError(e, 'ONAIR_ERR_UNSUPPORTED'));
});

test('AMF0 unknown and reserved markers', () => {
  for (const m of ['12', '20', 'ff']) {
    assert.throws(() => decodeAmf0(hex(m)), (e) => isOnAirError(e, 'ONAIR_ERR_MALFORMED'), m);
  }
  for (const m of ['04', '0e']) {
    assert.throws(() => decodeAmf0(hex(m)), (e) => isOnAirError(e, 'ONAIR_ERR_UNSUPPORTED'), m);
  }
});

test('AMF0 __proto__ key becomes an own property, not a prototype', () => {
  const [v] = decodeAmf0(hex(`03 0009 ${str('__proto__')} 03 0001 78 01 01 0000 09 0000 09`));
  const obj = amfObject(v)!;
  assert.equal(Object.getPrototypeOf(obj), Object.prototype);
  assert.deepStrictEqual(Object.keys(obj), ['__proto__']);
  assert.equal(({} as Record<string, unknown>).x, undefined);
  assert.deepStrictEqual(decodeAmf0(encodeAmf0(v)), [v]);
});

const CONNECT_VALUES: AmfValue[] = [
  'connect',
  1,
  {
    app: 'live',
    type: 'nonprivate',
    flashVer: 'FMLE/3.0 (compatible; Lavf59.27.100)',
    tcUrl: 'rtmp://127.0.0.1:19350/live',
  },
];

test('ffmpeg 5.1 connect body (captured) decodes and re-encodes byte for byte', () => {
  const body = testdata('ffmpeg-connect.bin');
  const values = decodeAmf0(body);
  assert.deepStrictEqual(values, CONNECT_VALUES);
  assert.equal(amfObject(values[2])?.app, 'live');
  assert.equal(amfObject(values[0]), undefined);
  assert.deepStrictEqual(encodeAmf0(...CONNECT_VALUES), body);
});

const METADATA = {
  duration: 1.08,
  width: 320,
  height: 240,
  videodatarate: 0,
  framerate: 25,
  videocodecid: 7,
  encoder: 'Lavf59.27.100',
  filesize: 8447,
};

test('ffmpeg onMetaData script tag (captured) round-trips as an ECMA array', () => {
  const body = testdata('ffmpeg-onmetadata.bin');
  const values = decodeAmf0(body);
  assert.deepStrictEqual(values, ['onMetaData', METADATA]);
  assert.ok(isEcmaArray(values[1] as object));
  assert.deepStrictEqual(encodeAmf0(...values), body);
  // The RTMP form ffmpeg publishes: "@setDataFrame" before the same values.
  const rtmpBody = Buffer.concat([hex(`02 000d ${str('@setDataFrame')}`), body]);
  assert.deepStrictEqual(decodeAmf0(rtmpBody), ['@setDataFrame', 'onMetaData', METADATA]);
  assert.deepStrictEqual(encodeAmf0('@setDataFrame', ...values), rtmpBody);
});

/** Offsets where a top-level value ends: a body cut there is a shorter valid body. */
function valueBoundaries(body: Buffer): number[] {
  const reader = new ByteReader(body);
  const ctx = newAmf0DecodeContext();
  const ends = [0];
  while (reader.remaining > 0) {
    decodeAmf0Value(reader, ctx);
    ends.push(reader.offset);
  }
  return ends;
}

for (const name of ['ffmpeg-connect.bin', 'ffmpeg-onmetadata.bin']) {
  test(`${name} cut at every byte: a shorter body or ONAIR_ERR_TRUNCATED`, () => {
    const body = testdata(name);
    const full = decodeAmf0(body);
    const ends = valueBoundaries(body);
    const lastIsEcma = isEcmaArray((full.at(-1) ?? {}) as object);
    for (let cut = 0; cut < body.length; cut++) {
      const part = body.subarray(0, cut);
      const k = ends.indexOf(cut);
      if (k >= 0) {
        assert.deepStrictEqual(decodeAmf0(part), full.slice(0, k), `cut ${cut}`);
      } else if (lastIsEcma && cut === body.length - 3) {
        // Only the tolerated missing object-end (declared count reached at the end of the body).
        assert.deepStrictEqual(decodeAmf0(part), full, `cut ${cut}`);
      } else {
        assert.throws(() => decodeAmf0(part), (e) => isOnAirError(e, 'ONAIR_ERR_TRUNCATED'), `cut ${cut}`);
      }
    }
  });
}
