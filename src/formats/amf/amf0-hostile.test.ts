import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isOnAirError } from '../../core/errors.js';
import { AMF_MAX_DEPTH, decodeAmf0, encodeAmf0 } from './index.js';
import type { AmfObject, AmfValue } from './types.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const isCode = (code: Parameters<typeof isOnAirError>[1]) => (e: unknown) => isOnAirError(e, code);

const NEST = 10_000;
const bombs: Record<string, Buffer> = {
  objects: Buffer.concat(Array.from({ length: NEST }, () => hex('03 0001 61'))),
  'typed objects': Buffer.concat(Array.from({ length: NEST }, () => hex('10 0001 54 0001 61'))),
  'ECMA arrays': Buffer.concat(Array.from({ length: NEST }, () => hex('08 00000001 0001 61'))),
  'strict arrays': Buffer.concat([...Array.from({ length: NEST }, () => hex('0a 00000001')), hex('05')]),
  'AMF3 arrays after avmplus': Buffer.concat([hex('11'), ...Array.from({ length: NEST }, () => hex('09 03 01'))]),
  'alternating AMF0/AMF3': Buffer.concat([
    ...Array.from({ length: 10 }, () => hex('0a 00000001')),
    hex('11'),
    ...Array.from({ length: NEST }, () => hex('09 03 01')),
  ]),
};

for (const [name, bytes] of Object.entries(bombs)) {
  test(`AMF0 depth bomb of ${NEST} nested ${name}: ONAIR_ERR_LIMIT, no stack overflow`, () => {
    assert.throws(() => decodeAmf0(bytes), isCode('ONAIR_ERR_LIMIT'));
  });
}

/** Builds `levels` nested strict arrays around null. */
function nestedArrays(levels: number): AmfValue {
  let v: AmfValue = null;
  for (let i = 0; i < levels; i++) v = [v];
  return v;
}

test('AMF0 depth cap: exactly maxDepth levels pass, one more fails, both ways', () => {
  const ok = encodeAmf0(nestedArrays(AMF_MAX_DEPTH));
  assert.deepStrictEqual(decodeAmf0(ok), [nestedArrays(AMF_MAX_DEPTH)]);
  assert.throws(() => encodeAmf0(nestedArrays(AMF_MAX_DEPTH + 1)), isCode('ONAIR_ERR_LIMIT'));
  const tooDeep = Buffer.concat([hex('0a 00000001'), ok]);
  assert.throws(() => decodeAmf0(tooDeep), isCode('ONAIR_ERR_LIMIT'));
  assert.throws(() => decodeAmf0(ok, { maxDepth: 4 }), isCode('ONAIR_ERR_LIMIT'));
});

test('AMF0 encoding a 10k-deep or cyclic value: ONAIR_ERR_LIMIT', () => {
  assert.throws(() => encodeAmf0(nestedArrays(NEST)), isCode('ONAIR_ERR_LIMIT'));
  const cyclic: AmfObject = {};
  cyclic.self = cyclic;
  assert.throws(() => encodeAmf0(cyclic), isCode('ONAIR_ERR_LIMIT'));
});

test('AMF0 self-reference decodes to a cycle (not infinite work) and refuses to re-encode', () => {
  const [v] = decodeAmf0(hex('03 0001 73 07 0000 0000 09'));
  const obj = v as AmfObject;
  assert.equal(obj.s, obj);
  assert.throws(() => encodeAmf0(v), isCode('ONAIR_ERR_LIMIT'));
});

test('AMF0 shared-reference DAG cannot blow up re-encoding beyond the size cap', () => {
  // A_0 = []; A_k = [A_(k-1), reference to A_(k-1)]. The outermost array is table entry 0, so A_(k-1)
  // is entry N-k+1. ~200 bytes of input expand to ~2^30 leaves: decoding shares the objects,
  // re-encoding writes them inline and must stop at AMF_MAX_ENCODED_BYTES.
  const N = 30;
  const build = (k: number): Buffer => {
    if (k === 0) return hex('0a 00000000');
    const ref = Buffer.alloc(3);
    ref[0] = 0x07;
    ref.writeUInt16BE(N - k + 1, 1);
    return Buffer.concat([hex('0a 00000002'), build(k - 1), ref]);
  };
  const body = build(N);
  assert.ok(body.length < 300);
  const [v] = decodeAmf0(body);
  assert.ok(Array.isArray(v) && v[0] === v[1]);
  assert.throws(() => encodeAmf0(v), isCode('ONAIR_ERR_LIMIT'));
});

test('AMF0 lying strict array count: ONAIR_ERR_LIMIT before any allocation', () => {
  assert.throws(() => decodeAmf0(hex('0a ffffffff 05 05 05')), isCode('ONAIR_ERR_LIMIT'));
  assert.throws(() => decodeAmf0(hex('0a 00000004 05 05 05')), isCode('ONAIR_ERR_LIMIT'));
  assert.deepStrictEqual(decodeAmf0(hex('0a 00000003 05 05 05')), [[null, null, null]]);
});

test('AMF0 lying string lengths: ONAIR_ERR_TRUNCATED, capped by the bytes left', () => {
  for (const bytes of ['02 ffff 6869', '0c ffffffff 6869', '0f ffffffff 6869', '03 ffff 61', '10 ffff 61']) {
    assert.throws(() => decodeAmf0(hex(bytes)), isCode('ONAIR_ERR_TRUNCATED'), bytes);
  }
});
