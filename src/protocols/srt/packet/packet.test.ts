import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isOnAirError } from '../../../core/errors.js';
import { ControlType, decodePacket, encodeControl, encodeDataHeader, setRetransmitted, type DataPacket } from './packet.js';
import { MSGNO_MAX, SEQ_MAX } from '../limits.js';

/** One table of golden datagrams drives decode, encode and the fuzz seeds (gortmplib chunk_test style). */
const DATA_GOLDEN = [
  {
    name: 'solo, even key, retransmitted, msgNo 1',
    hex: '00000005' + 'c8000001'.replace('c8', 'cc') + '00000064' + '12345678' + 'aabb',
    fields: { seq: 5, position: 3, inOrder: false, keyFlag: 1, retransmitted: true, msgNo: 1, timestamp: 100, dstSocketId: 0x12345678 },
  },
  {
    name: 'every field at its maximum (odd key, in order)',
    hex: '7fffffff' + 'f7ffffff' + 'ffffffff' + 'ffffffff',
    fields: { seq: SEQ_MAX, position: 3, inOrder: true, keyFlag: 2, retransmitted: true, msgNo: MSGNO_MAX, timestamp: 0xffffffff, dstSocketId: 0xffffffff },
  },
  {
    name: 'every field at zero (middle of a message)',
    hex: '00000000' + '00000000' + '00000000' + '00000000',
    fields: { seq: 0, position: 0, inOrder: false, keyFlag: 0, retransmitted: false, msgNo: 0, timestamp: 0, dstSocketId: 0 },
  },
] as const;

test('data packets decode from golden bytes and encode back to them', () => {
  for (const g of DATA_GOLDEN) {
    const bytes = Buffer.from(g.hex, 'hex');
    const p = decodePacket(bytes) as DataPacket;
    assert.equal(p.isControl, false, g.name);
    const { payload, isControl: _c, ...fields } = p;
    assert.deepEqual(fields, g.fields, g.name);
    assert.deepEqual(payload, bytes.subarray(16), g.name);
    assert.deepEqual(Buffer.concat([encodeDataHeader(g.fields), payload]), bytes, g.name);
  }
});

test('control packets: type, subtype, type-specific word and CIF', () => {
  const bytes = Buffer.from('ffff0004' + '00000007' + '00000010' + '00000020' + 'deadbeef', 'hex');
  const p = decodePacket(bytes);
  assert.ok(p.isControl);
  assert.equal(p.type, ControlType.ext);
  assert.equal(p.subtype, 4);
  assert.equal(p.typeSpecific, 7);
  assert.equal(p.timestamp, 16);
  assert.equal(p.dstSocketId, 32);
  assert.deepEqual(p.cif, Buffer.from('deadbeef', 'hex'));
  assert.deepEqual(encodeControl({ type: ControlType.ext, subtype: 4, typeSpecific: 7, timestamp: 16, dstSocketId: 32 }, p.cif), bytes);
  const ack = encodeControl({ type: ControlType.ack, typeSpecific: 0xffffffff, timestamp: 0xffffffff, dstSocketId: 0xffffffff });
  assert.equal(ack.toString('hex'), '80020000ffffffffffffffffffffffff');
});

test('every length below the 16-byte header is a typed truncation error', () => {
  for (let n = 0; n < 16; n++) {
    assert.throws(() => decodePacket(Buffer.alloc(n)), (e) => isOnAirError(e, 'ONAIR_ERR_TRUNCATED'), `length ${n}`);
  }
  assert.equal(decodePacket(Buffer.alloc(16)).isControl, false);
});

test('a data packet with both key flags is malformed', () => {
  const bytes = Buffer.from('00000001' + '18000001' + '00000000' + '00000000', 'hex');
  assert.throws(() => decodePacket(bytes), (e) => isOnAirError(e, 'ONAIR_ERR_MALFORMED'));
});

test('encoders refuse fields beyond their width', () => {
  const base = { seq: 0, msgNo: 1, timestamp: 0, dstSocketId: 0 };
  assert.throws(() => encodeDataHeader({ ...base, seq: SEQ_MAX + 1 }), (e) => isOnAirError(e, 'ONAIR_ERR_LIMIT'));
  assert.throws(() => encodeDataHeader({ ...base, msgNo: MSGNO_MAX + 1 }), (e) => isOnAirError(e, 'ONAIR_ERR_LIMIT'));
  assert.throws(() => encodeDataHeader({ ...base, seq: -1 }), (e) => isOnAirError(e, 'ONAIR_ERR_LIMIT'));
  assert.throws(() => encodeControl({ type: 0x8000, timestamp: 0, dstSocketId: 0 }), (e) => isOnAirError(e, 'ONAIR_ERR_LIMIT'));
  assert.throws(() => encodeControl({ type: 1, subtype: 0x10000, timestamp: 0, dstSocketId: 0 }), (e) => isOnAirError(e, 'ONAIR_ERR_LIMIT'));
});

test('the R flag flips in place without touching the other fields', () => {
  const h = encodeDataHeader({ seq: 9, msgNo: MSGNO_MAX, keyFlag: 2, timestamp: 1, dstSocketId: 2 });
  setRetransmitted(h, true);
  assert.equal((decodePacket(h) as DataPacket).retransmitted, true);
  assert.equal((decodePacket(h) as DataPacket).msgNo, MSGNO_MAX);
  assert.equal((decodePacket(h) as DataPacket).keyFlag, 2);
  setRetransmitted(h, false);
  assert.equal((decodePacket(h) as DataPacket).retransmitted, false);
});

test('fuzz: any datagram decodes or throws a typed error; what decodes re-encodes byte for byte', () => {
  const seeds = DATA_GOLDEN.map((g) => Buffer.from(g.hex, 'hex'));
  fc.assert(fc.property(fc.oneof(fc.uint8Array({ maxLength: 64 }), fc.constantFrom(...seeds.map((s) => new Uint8Array(s)))), (raw) => {
    const bytes = Buffer.from(raw);
    let p;
    try {
      p = decodePacket(bytes);
    } catch (err) {
      assert.ok(isOnAirError(err), String(err));
      return;
    }
    const again = p.isControl
      ? encodeControl(p, p.cif)
      : Buffer.concat([encodeDataHeader(p), p.payload]);
    assert.deepEqual(again, bytes);
  }), { numRuns: 2000 });
});
