import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isOnAirError, type ErrorCode } from '../../../core/errors.js';
import { ChunkReader } from './chunk-reader.js';
import { bytes, pat } from './testing/golden-bytes.js';

function throwsCode(fn: () => unknown, code: ErrorCode): void {
  assert.throws(fn, (e) => isOnAirError(e, code));
}

const setChunkSize = (n: number) => bytes('02 000000 000004 01 00000000', Buffer.from([n >>> 24, n >>> 16, n >>> 8, n].map((b) => b & 0xff)));

test('Set Chunk Size 0, 65537 and 0x7fffffff are refused; 1 and 65536 work', () => {
  for (const n of [0, 65537, 0x7fffffff, 0x80000080]) throwsCode(() => new ChunkReader().push(setChunkSize(n)), 'ONAIR_ERR_LIMIT');
  for (const n of [1, 65536]) {
    const reader = new ChunkReader();
    reader.push(setChunkSize(n));
    assert.equal(reader.peerChunkSize, n);
  }
});

test('chunk size 1: every body byte is its own chunk', () => {
  const reader = new ChunkReader();
  const msgs = reader.push(bytes(setChunkSize(1), '03 000000 000003 14 00000000 aa c3 bb c3 cc'));
  assert.deepEqual(msgs[1]!.payload, bytes('aabbcc'));
});

test('Set Chunk Size with a wrong body length is malformed', () => {
  throwsCode(() => new ChunkReader().push(bytes('02 000000 000003 01 00000000 000080')), 'ONAIR_ERR_MALFORMED');
});

test('message length 0xFFFFFF over an 8 MiB limit fails at the header, before any allocation', () => {
  const reader = new ChunkReader();
  const allocUnsafe = Buffer.allocUnsafe;
  const sizes: number[] = [];
  Buffer.allocUnsafe = ((n: number) => { sizes.push(n); return allocUnsafe(n); }) as typeof Buffer.allocUnsafe;
  try {
    throwsCode(() => reader.push(bytes('06 000000 ffffff 09 01000000')), 'ONAIR_ERR_LIMIT');
  } finally {
    Buffer.allocUnsafe = allocUnsafe;
  }
  assert.deepEqual(sizes.filter((n) => n >= 1024), []);
});

test('a message at exactly maxMessageSize is accepted, one byte more is not', () => {
  const reader = new ChunkReader({ maxMessageSize: 300 });
  const msgs = reader.push(bytes('06 000000 00012c 09 01000000', pat(128), 'c6', pat(128, 128), 'c6', pat(44, 0)));
  assert.equal(msgs[0]!.payload.length, 300);
  throwsCode(() => new ChunkReader({ maxMessageSize: 300 }).push(bytes('06 000000 00012d 09 01000000')), 'ONAIR_ERR_LIMIT');
});

test('65 chunk streams exceed the default limit of 64', () => {
  const reader = new ChunkReader();
  const header = (csid: number) => bytes('01', Buffer.from([(csid - 64) & 0xff, (csid - 64) >> 8]), '000000 000001 08 01000000 00');
  for (let i = 0; i < 64; i++) reader.push(header(400 + i));
  throwsCode(() => reader.push(header(1000)), 'ONAIR_ERR_LIMIT');
});

test('partial messages over maxPartialBytes are refused', () => {
  const reader = new ChunkReader({ maxPartialBytes: 1000 });
  reader.push(bytes('04 000000 0001f4 09 01000000', pat(128))); // 500 held
  reader.push(bytes('05 000000 0001f4 09 01000000', pat(128))); // 1000 held
  throwsCode(() => reader.push(bytes('06 000000 000002 09 01000000 00')), 'ONAIR_ERR_LIMIT');
});

test('a completed message frees its partial bytes', () => {
  const reader = new ChunkReader({ maxPartialBytes: 200 });
  for (let i = 0; i < 10; i++) reader.push(bytes('04 000000 0000c8 09 01000000', pat(128), 'c4', pat(72)));
  reader.push(bytes('04 000000 0000c8 09 01000000', pat(128))); // would fail if earlier bytes were still counted
});

test('Abort frees the partial bytes of the aborted message', () => {
  const reader = new ChunkReader({ maxPartialBytes: 200 });
  reader.push(bytes('04 000000 0000c8 09 01000000', pat(128)));
  reader.push(bytes('02 000000 000004 02 00000000 00000004'));
  reader.push(bytes('05 000000 0000c8 09 01000000', pat(128)));
});

test('fmt1/2/3 on a chunk stream with no previous header are malformed', () => {
  for (const h of ['c5', '85 000000', '45 000000 000001 08', '41 00 10 000000 000001 08']) {
    throwsCode(() => new ChunkReader().push(bytes(h, '00')), 'ONAIR_ERR_MALFORMED');
  }
});

test('a header changing the length mid-message is malformed; the same length continues (as ffmpeg)', () => {
  const start = bytes('04 000000 0000c8 09 01000000', pat(128));
  throwsCode(() => new ChunkReader().push(bytes(start, '44 000000 0000c9 09')), 'ONAIR_ERR_MALFORMED');
  throwsCode(() => new ChunkReader().push(bytes(start, '04 000000 000010 09 01000000')), 'ONAIR_ERR_MALFORMED');
  const msgs = new ChunkReader().push(bytes(start, '44 000000 0000c8 09', pat(72, 128)));
  assert.deepEqual(msgs[0]!.payload, pat(200));
});

test('after an error every push fails with ONAIR_ERR_STATE', () => {
  const reader = new ChunkReader();
  throwsCode(() => reader.push(bytes('c5 00')), 'ONAIR_ERR_MALFORMED');
  throwsCode(() => reader.push(bytes('03 000000 000000 14 00000000')), 'ONAIR_ERR_STATE');
});

test('a single-chunk message is a zero-copy view of the input; a multi-chunk one is its own buffer', () => {
  const input = bytes('03 000000 000004 14 00000000 01020304', '06 000000 0000c8 09 01000000', pat(128), 'c6', pat(72));
  const [one, multi] = new ChunkReader().push(input);
  input.fill(0xee);
  assert.deepEqual(one!.payload, bytes('eeeeeeee'), 'shares the input bytes');
  assert.deepEqual(multi!.payload, Buffer.concat([pat(128), pat(72)]), 'assembled into its own buffer');
});

test('bytesReceived counts every pushed byte, partial headers included', () => {
  const reader = new ChunkReader();
  reader.push(bytes('03 0000'));
  reader.push(bytes('00 000001 14 00000000 aa 03'));
  assert.equal(reader.bytesReceived, 14);
});

test('the reader holds at most a header between pushes (input that ends mid-header)', () => {
  const reader = new ChunkReader();
  assert.deepEqual(reader.push(bytes('01 ff')), []);
  assert.deepEqual(reader.push(bytes('ff 000000 000001 08 01000000')), []);
  assert.deepEqual(reader.push(bytes('77'))[0]!.csid, 65599);
});

test('each push returns its own messages: a later push (or an error) does not change an earlier result', () => {
  const reader = new ChunkReader({ inputIsReused: true });
  const input = bytes('03 000000 000004 14 00000000 01020304', '03 000000 000002 14 00000000 0506');
  const first = reader.push(input);
  input.fill(0xee); // a shared read buffer being reused
  const none = reader.push(bytes('03 0000'));
  const second = reader.push(bytes('00 000001 14 00000000 07'));
  assert.deepEqual(none, []);
  assert.deepEqual(first.map((m) => [...m.payload]), [[1, 2, 3, 4], [5, 6]], 'copied out of the reused input');
  assert.deepEqual(second.map((m) => [...m.payload]), [[7]]);
  throwsCode(() => reader.push(bytes('c5 00')), 'ONAIR_ERR_MALFORMED');
  assert.equal(first.length, 2);
  assert.equal(second.length, 1);
});

test('multi-chunk messages (over Node\'s 4 KiB pool limit) share backing stores and keep their bytes across reused input', () => {
  const reader = new ChunkReader({ inputIsReused: true });
  reader.push(setChunkSize(4096));
  const frame = (fill: number) => bytes('06 000000 001388 09 01000000', Buffer.alloc(4096, fill), 'c6', Buffer.alloc(904, fill)); // 5000 bytes
  const got = [];
  for (let i = 1; i <= 6; i++) {
    const input = frame(i);
    got.push(...reader.push(input));
    input.fill(0xee); // a shared read buffer being reused
  }
  assert.equal(got.length, 6);
  got.forEach((m, i) => assert.ok(m.payload.length === 5000 && m.payload.every((x) => x === i + 1), `message ${i + 1} intact`));
  assert.ok(new Set(got.map((m) => m.payload.buffer)).size < got.length, 'frames share blocks instead of one backing store each');
});
