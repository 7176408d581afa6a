import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { OnAirError } from '../../core/errors.js';
import { decodeAmf0, decodeAmf3, encodeAmf0, encodeAmf3 } from './index.js';
import { AMF0_GOLDEN, AMF3_GOLDEN } from './testing/amf-golden.js';
import { type AmfObject, type AmfValue, asEcmaArray, withClassName } from './types.js';

// Strings without lone surrogates (UTF-8 cannot carry them); keys non-empty (empty = object-end).
const text = fc.string({ unit: 'binary', maxLength: 12 });
const key = fc.string({ unit: 'binary', minLength: 1, maxLength: 8 });

const leaf: fc.Arbitrary<AmfValue> = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.boolean(),
  fc.double(),
  fc.integer({ min: -0x20000000, max: 0x20000000 }), // around the AMF3 integer range edges
  text,
  fc.date({ noInvalidDate: true }),
  fc.uint8Array({ maxLength: 8 }).map((u) => Buffer.from(u)),
  fc
    .array(fc.tuple(fc.oneof(text, fc.integer()), fc.oneof(text, fc.double(), fc.constant(null))), { maxLength: 3 })
    .map((entries) => new Map<AmfValue, AmfValue>(entries)),
);

const { value: amfValue } = fc.letrec<{ value: AmfValue; object: AmfObject }>((tie) => ({
  value: fc.oneof({ maxDepth: 5, depthIdentifier: 'amf' }, leaf, fc.array(tie('value'), { maxLength: 4 }), tie('object')),
  object: fc
    .tuple(
      fc.dictionary(key, tie('value'), { maxKeys: 4, noNullPrototype: true }),
      fc.constantFrom('plain', 'ecma', 'typed'),
      key,
    )
    .map(([obj, kind, className]) =>
      kind === 'ecma' ? asEcmaArray(obj) : kind === 'typed' ? withClassName(obj, className) : obj,
    ),
}));

test('AMF0: any AmfValue round-trips (value and bytes)', () => {
  fc.assert(
    fc.property(fc.array(amfValue, { maxLength: 3 }), (values) => {
      const bytes = encodeAmf0(...values);
      const decoded = decodeAmf0(bytes);
      assert.deepStrictEqual(decoded, values);
      assert.deepStrictEqual(encodeAmf0(...decoded), bytes); // markers (ECMA, class name) survive too
    }),
    { numRuns: 500 },
  );
});

test('AMF3: any AmfValue round-trips (value and bytes)', () => {
  fc.assert(
    fc.property(amfValue, (value) => {
      const bytes = encodeAmf3(value);
      const [decoded, ...rest] = decodeAmf3(bytes);
      assert.equal(rest.length, 0);
      assert.deepStrictEqual(decoded, value);
      assert.deepStrictEqual(encodeAmf3(decoded), bytes);
    }),
    { numRuns: 500 },
  );
});

/** Random bytes, and golden messages with random byte flips and cuts (reach deeper than pure noise). */
function hostileBytes(golden: Buffer[]): fc.Arbitrary<Buffer> {
  const noise = fc.uint8Array({ maxLength: 64 }).map((u) => Buffer.from(u));
  const mutated = fc
    .tuple(fc.constantFrom(...golden), fc.array(fc.tuple(fc.nat(), fc.nat(255)), { maxLength: 4 }), fc.nat())
    .map(([base, flips, cut]) => {
      const b = Buffer.from(base.subarray(0, Math.min(base.length, 200)));
      for (const [at, v] of flips) if (b.length > 0) b[at % b.length] = v;
      return b.subarray(0, b.length === 0 ? 0 : cut % (b.length + 1));
    });
  return fc.oneof(noise, mutated);
}

/** "If it parses, it re-encodes": decode gives values or an OnAirError; so does re-encoding. */
function checkHostile(decode: (b: Buffer) => AmfValue[], encode: (v: AmfValue[]) => Buffer) {
  return (bytes: Buffer): void => {
    let values: AmfValue[];
    try {
      values = decode(bytes);
    } catch (e) {
      assert.ok(e instanceof OnAirError, `not an OnAirError: ${String(e)}`);
      return;
    }
    let again: Buffer;
    try {
      again = encode(values); // may refuse: cycles from references, "" sealed member names
    } catch (e) {
      assert.ok(e instanceof OnAirError, `encode threw ${String(e)}`);
      return;
    }
    assert.equal(decode(again).length, values.length);
  };
}

test('AMF0: any bytes decode to values or throw an OnAirError, never another error', () => {
  const seeds = [...AMF0_GOLDEN.map((c) => c.bytes), ...AMF3_GOLDEN.map((c) => Buffer.concat([Buffer.from([0x11]), c.bytes]))];
  fc.assert(
    fc.property(hostileBytes(seeds), checkHostile(decodeAmf0, (v) => encodeAmf0(...v))),
    { numRuns: 3000 },
  );
});

test('AMF3: any bytes decode to values or throw an OnAirError, never another error', () => {
  const encodeAll = (vs: AmfValue[]): Buffer => Buffer.concat(vs.map((v) => encodeAmf3(v)));
  fc.assert(
    fc.property(hostileBytes(AMF3_GOLDEN.map((c) => c.bytes)), checkHostile(decodeAmf3, encodeAll)),
    { numRuns: 3000 },
  );
});
