import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isOnAirError } from '../../../core/errors.js';
import {
  decodeAck, decodeDropRequest, decodeLossReport, encodeDropRequest, encodeFullAck, encodeLightAck, encodeLossReport, FULL_ACK_SIZE,
} from './feedback.js';
import { decodeKeyMaterial, decodeKmState, encodeKeyMaterial, encodeKmState, KmState } from './key-material.js';
import { MAX_LOSS_ENTRIES, SEQ_MAX } from '../limits.js';

test('light and full ACKs: golden bytes and limits', () => {
  assert.equal(encodeLightAck(SEQ_MAX).toString('hex'), '7fffffff');
  assert.deepEqual(decodeAck(Buffer.from('7fffffff', 'hex')), { ackSeq: SEQ_MAX });
  const full = { ackSeq: 1, rttUs: 100_000, rttVarUs: 50_000, availableBuffer: 8192, packetsPerSecond: 1000, linkCapacity: 1000, bytesPerSecond: 1_316_000 };
  const bytes = encodeFullAck(full);
  assert.equal(bytes.length, FULL_ACK_SIZE);
  assert.equal(bytes.toString('hex'), '00000001' + '000186a0' + '0000c350' + '00002000' + '000003e8' + '000003e8' + '001414a0');
  assert.deepEqual(decodeAck(bytes), full);
  // The 4-word small ACK some peers send.
  assert.deepEqual(decodeAck(bytes.subarray(0, 16)), { ackSeq: 1, rttUs: 100_000, rttVarUs: 50_000, availableBuffer: 8192 });
  // Out-of-range values are clamped on encode, a 32-bit sequence is refused on decode.
  assert.equal(encodeFullAck({ ...full, availableBuffer: -5, rttUs: 2 ** 40 }).readUInt32BE(4), 0xffffffff);
  assert.throws(() => decodeAck(Buffer.from('80000000', 'hex')), (e) => isOnAirError(e, 'ONAIR_ERR_MALFORMED'));
  for (let n = 0; n < 4; n++) assert.throws(() => decodeAck(Buffer.alloc(n)), (e) => isOnAirError(e, 'ONAIR_ERR_TRUNCATED'));
});

test('loss reports: singles and ranges, golden bytes, the 31-bit edge', () => {
  const ranges = [{ from: 5, to: 5 }, { from: 7, to: 9 }, { from: SEQ_MAX - 1, to: SEQ_MAX }];
  const bytes = encodeLossReport(ranges);
  assert.equal(bytes.toString('hex'), '00000005' + '80000007' + '00000009' + 'fffffffe' + '7fffffff');
  assert.deepEqual(decodeLossReport(bytes), ranges);
});

test('loss reports: hostile bodies are typed errors; the encoder stops at one MSS of entries', () => {
  assert.throws(() => decodeLossReport(Buffer.alloc(0)), (e) => isOnAirError(e, 'ONAIR_ERR_TRUNCATED'));
  assert.throws(() => decodeLossReport(Buffer.from('80000001', 'hex')), (e) => isOnAirError(e, 'ONAIR_ERR_TRUNCATED'));
  assert.throws(() => decodeLossReport(Buffer.from('8000000180000002', 'hex')), (e) => isOnAirError(e, 'ONAIR_ERR_MALFORMED'));
  assert.throws(() => decodeLossReport(Buffer.alloc((MAX_LOSS_ENTRIES + 1) * 4)), (e) => isOnAirError(e, 'ONAIR_ERR_LIMIT'));
  const many = Array.from({ length: 1000 }, (_, i) => ({ from: i * 10, to: i * 10 + 1 }));
  const capped = encodeLossReport(many);
  assert.ok(capped.length <= MAX_LOSS_ENTRIES * 4);
  assert.equal(decodeLossReport(capped).length, Math.floor(MAX_LOSS_ENTRIES / 2));
});

test('fuzz: loss reports round-trip', () => {
  const seq = fc.integer({ min: 0, max: SEQ_MAX });
  fc.assert(fc.property(fc.array(fc.tuple(seq, fc.nat(1000)), { minLength: 1, maxLength: 100 }), (pairs) => {
    const ranges = pairs.map(([from, n]) => ({ from, to: Math.min(SEQ_MAX, from + n) }));
    assert.deepEqual(decodeLossReport(encodeLossReport(ranges)), ranges);
  }));
});

test('drop requests and KM states', () => {
  assert.deepEqual(decodeDropRequest(encodeDropRequest({ from: 0, to: SEQ_MAX })), { from: 0, to: SEQ_MAX });
  assert.throws(() => decodeDropRequest(Buffer.alloc(7)), (e) => isOnAirError(e, 'ONAIR_ERR_TRUNCATED'));
  // libsrt's one-word KMRSP failure status is little-endian on the wire.
  assert.equal(encodeKmState(KmState.badSecret).toString('hex'), '04000000');
  assert.equal(decodeKmState(Buffer.from('03000000', 'hex')), KmState.noSecret);
});

test('key material: both keys, AES-GCM unsupported, every header check', () => {
  const km = { keyFlags: 3 as const, cipher: 2, salt: Buffer.alloc(16, 1), keyLength: 32 as const, wrap: Buffer.alloc(72, 2) };
  const bytes = encodeKeyMaterial(km);
  assert.equal(bytes.subarray(0, 16).toString('hex'), '12202903' + '00000000' + '02000200' + '00000408');
  assert.deepEqual(decodeKeyMaterial(bytes), km);
  const mutate = (i: number, v: number) => {
    const b = Buffer.from(bytes);
    b[i] = v;
    return b;
  };
  assert.throws(() => decodeKeyMaterial(mutate(8, 4)), (e) => isOnAirError(e, 'ONAIR_ERR_UNSUPPORTED'), 'GCM');
  assert.throws(() => decodeKeyMaterial(mutate(0, 0x22)), (e) => isOnAirError(e, 'ONAIR_ERR_MALFORMED'), 'version');
  assert.throws(() => decodeKeyMaterial(mutate(1, 0)), (e) => isOnAirError(e, 'ONAIR_ERR_MALFORMED'), 'signature');
  assert.throws(() => decodeKeyMaterial(mutate(3, 0)), (e) => isOnAirError(e, 'ONAIR_ERR_MALFORMED'), 'no key');
  assert.throws(() => decodeKeyMaterial(mutate(7, 1)), (e) => isOnAirError(e, 'ONAIR_ERR_UNSUPPORTED'), 'KEK index');
  assert.throws(() => decodeKeyMaterial(mutate(15, 5)), (e) => isOnAirError(e, 'ONAIR_ERR_MALFORMED'), 'key length 20');
  assert.throws(() => decodeKeyMaterial(mutate(14, 2)), (e) => isOnAirError(e, 'ONAIR_ERR_MALFORMED'), 'salt length');
  assert.throws(() => decodeKeyMaterial(bytes.subarray(0, bytes.length - 1)), (e) => isOnAirError(e, 'ONAIR_ERR_TRUNCATED'));
});
