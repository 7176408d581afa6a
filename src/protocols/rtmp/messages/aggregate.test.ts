import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { isOnAirError } from '../../../core/errors.js';
import { encodeAggregate, splitAggregate } from './aggregate.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

// Two tags: video at tag ts 0x01000010 (extension byte 0x01), audio at +5 ms.
const GOLDEN = hex(
  '09 000002 000010 01 000000 1701 0000000d' +
  '08 000001 000015 01 000000 af 0000000c',
);

test('golden aggregate: split, timestamps re-based on the aggregate timestamp, back pointers', () => {
  const subs = splitAggregate(GOLDEN, 1000, 1);
  assert.deepEqual(subs, [
    { typeId: 9, streamId: 1, timestamp: 1000, payload: hex('1701') },
    { typeId: 8, streamId: 1, timestamp: 1005, payload: hex('af') },
  ]);
  assert.equal(encodeAggregate([
    { typeId: 9, timestamp: 0x01000010, payload: hex('1701') },
    { typeId: 8, timestamp: 0x01000015, payload: hex('af') },
  ]).toString('hex'), GOLDEN.toString('hex'));
});

test('re-based timestamps wrap at 2^32; empty aggregate gives nothing', () => {
  const agg = encodeAggregate([{ typeId: 9, timestamp: 0, payload: hex('00') }, { typeId: 9, timestamp: 20, payload: hex('01') }]);
  assert.deepEqual(splitAggregate(agg, 0xfffffff0, 1).map((s) => s.timestamp), [0xfffffff0, 4]);
  assert.deepEqual(splitAggregate(Buffer.alloc(0), 0, 1), []);
});

test('lying aggregates are malformed', () => {
  const bad = [
    GOLDEN.subarray(0, 5), // truncated header
    GOLDEN.subarray(0, GOLDEN.length - 1), // truncated back pointer
    hex('09 ffffff 000000 00 000000'), // size past the end
    Buffer.concat([GOLDEN.subarray(0, 17), hex('0000000c')]), // wrong back pointer
    encodeAggregate([{ typeId: 22, timestamp: 0, payload: hex('00') }]), // nested aggregate
    encodeAggregate([{ typeId: 20, timestamp: 0, payload: hex('00') }]), // command smuggled in
  ];
  for (const b of bad) assert.throws(() => splitAggregate(b, 0, 1), (e) => isOnAirError(e, 'ONAIR_ERR_MALFORMED'), b.toString('hex'));
});

test('fuzz: any bytes give sub-messages inside the payload or an OnAirError', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (arr) => {
    const buf = Buffer.from(arr);
    try {
      const subs = splitAggregate(buf, 0, 1);
      assert.ok(subs.reduce((n, s) => n + s.payload.length + 15, 0) === buf.length);
    } catch (err) {
      if (!isOnAirError(err)) throw err;
    }
  }), { numRuns: 2000 });
});
