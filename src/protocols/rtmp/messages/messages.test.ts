import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isOnAirError } from '../../../core/errors.js';
import { decodeAbort, encodeAbort } from './abort.js';
import { decodeAcknowledgement, encodeAcknowledgement } from './acknowledgement.js';
import { decodeControlMessage } from './control-message.js';
import { decodeSetChunkSize, encodeSetChunkSize } from './set-chunk-size.js';
import { decodeSetPeerBandwidth, encodeSetPeerBandwidth } from './set-peer-bandwidth.js';
import { decodeUserControl, encodeUserControl, type UserControl } from './user-control.js';
import { decodeWindowAckSize, encodeWindowAckSize } from './window-ack-size.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

/** One golden table: each row decodes from its bytes and encodes back to them. */
const GOLDEN: { name: string; bytes: string; decode: (b: Buffer) => unknown; encode: (v: never) => Buffer; value: unknown }[] = [
  { name: 'SetChunkSize 4096', bytes: '00001000', decode: decodeSetChunkSize, encode: encodeSetChunkSize, value: { chunkSize: 4096 } },
  { name: 'SetChunkSize 65536', bytes: '00010000', decode: decodeSetChunkSize, encode: encodeSetChunkSize, value: { chunkSize: 65536 } },
  { name: 'Abort csid 4', bytes: '00000004', decode: decodeAbort, encode: encodeAbort, value: { csid: 4 } },
  { name: 'Acknowledgement', bytes: 'fffffffe', decode: decodeAcknowledgement, encode: encodeAcknowledgement, value: { sequenceNumber: 0xfffffffe } },
  { name: 'WindowAckSize 2500000', bytes: '002625a0', decode: decodeWindowAckSize, encode: encodeWindowAckSize, value: { size: 2500000 } },
  { name: 'SetPeerBandwidth dynamic', bytes: '004c4b40 02', decode: decodeSetPeerBandwidth, encode: encodeSetPeerBandwidth, value: { size: 5000000, limitType: 2 } },
  { name: 'SetPeerBandwidth hard', bytes: '00000400 00', decode: decodeSetPeerBandwidth, encode: encodeSetPeerBandwidth, value: { size: 1024, limitType: 0 } },
  ...([
    ['StreamBegin 1', '0000 00000001', { event: 'streamBegin', streamId: 1 }],
    ['StreamEOF 1', '0001 00000001', { event: 'streamEof', streamId: 1 }],
    ['StreamDry 1', '0002 00000001', { event: 'streamDry', streamId: 1 }],
    ['SetBufferLength 1 3000', '0003 00000001 00000bb8', { event: 'setBufferLength', streamId: 1, bufferLengthMs: 3000 }],
    ['StreamIsRecorded 1', '0004 00000001', { event: 'streamIsRecorded', streamId: 1 }],
    ['PingRequest', '0006 12345678', { event: 'pingRequest', timestamp: 0x12345678 }],
    ['PingResponse', '0007 12345678', { event: 'pingResponse', timestamp: 0x12345678 }],
    ['unknown event 0x1a', '001a 0102', { event: 'unknown', eventType: 0x1a, data: hex('0102') }],
  ] as [string, string, UserControl][]).map(([name, bytes, value]) => ({
    name: `UserControl ${name}`, bytes, decode: decodeUserControl, encode: encodeUserControl, value,
  })),
];

for (const c of GOLDEN) {
  test(`decode/encode: ${c.name}`, () => {
    assert.deepEqual(c.decode(hex(c.bytes)), c.value);
    assert.equal(c.encode(c.value as never).toString('hex'), hex(c.bytes).toString('hex'));
  });
}

test('wrong body lengths are malformed', () => {
  const cases: [(b: Buffer) => unknown, string][] = [
    [decodeSetChunkSize, '001000'], [decodeSetChunkSize, '0000100000'], [decodeAbort, ''], [decodeAcknowledgement, '01'],
    [decodeWindowAckSize, '0000000000'], [decodeSetPeerBandwidth, '00000400'], [decodeUserControl, '00'],
    [decodeUserControl, '0000 000001'], [decodeUserControl, '0003 00000001'], [decodeUserControl, '0006 0000000000'],
  ];
  for (const [decode, bytes] of cases) {
    assert.throws(() => decode(hex(bytes)), (e) => isOnAirError(e, 'ONAIR_ERR_MALFORMED'), bytes);
  }
});

test('SetChunkSize outside 1..65536 is a limit error; unknown peer bandwidth limit type is malformed', () => {
  for (const b of ['00000000', '00010001', '7fffffff', '80000080']) {
    assert.throws(() => decodeSetChunkSize(hex(b)), (e) => isOnAirError(e, 'ONAIR_ERR_LIMIT'), b);
  }
  assert.throws(() => encodeSetChunkSize({ chunkSize: 0 }), (e) => isOnAirError(e, 'ONAIR_ERR_LIMIT'));
  assert.throws(() => decodeSetPeerBandwidth(hex('00000400 03')), (e) => isOnAirError(e, 'ONAIR_ERR_MALFORMED'));
});

test('decodeControlMessage dispatches types 1-6 and ignores others', () => {
  assert.deepEqual(decodeControlMessage(5, hex('002625a0')), { kind: 'windowAckSize', size: 2500000 });
  assert.deepEqual(decodeControlMessage(4, hex('0000 00000001')), { kind: 'userControl', control: { event: 'streamBegin', streamId: 1 } });
  assert.equal(decodeControlMessage(20, hex('02')), null);
});
