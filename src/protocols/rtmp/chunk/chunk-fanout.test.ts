import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { chunkBody } from './chunk-body.js';
import { ChunkReader } from './chunk-reader.js';
import { ChunkWriter } from './chunk-writer.js';
import { fmt0Header } from './fmt0-header.js';
import type { OutgoingMessage } from './rtmp-message.js';

const CSIDS = [3, 4, 6, 63, 64, 319, 320, 65599];

/** Message sequences with the awkward cases: ts going back, repeated ts, deltas around 0xFFFFFF, wrap. */
const messageArb = fc.record({
  csid: fc.constantFrom(...CSIDS),
  typeId: fc.constantFrom(8, 9, 18),
  streamId: fc.constantFrom(1, 1, 1, 2),
  step: fc.oneof(
    fc.constant(0), fc.integer({ min: 0, max: 100 }), fc.constant(40), fc.integer({ min: -50, max: -1 }),
    fc.constantFrom(0xfffffe, 0xffffff, 0x1000000), fc.integer({ min: 0, max: 0xffffffff }),
  ),
  length: fc.oneof(fc.integer({ min: 0, max: 300 }), fc.constantFrom(0, 1, 128, 129, 4096, 4097)),
});

const caseArb = fc.record({
  chunkSize: fc.constantFrom(1, 7, 128, 4096),
  msgs: fc.array(messageArb, { minLength: 1, maxLength: 40 }),
});

type MessageSpec = { csid: number; typeId: number; streamId: number; step: number; length: number };

function materialise(spec: { msgs: MessageSpec[] }): OutgoingMessage[] {
  let ts = 0;
  return spec.msgs.map((s, i) => {
    ts = (ts + s.step) >>> 0;
    return { csid: s.csid, typeId: s.typeId, streamId: s.streamId, timestamp: ts, payload: Buffer.alloc(s.length, i) };
  });
}

let fastTotal = 0;
let slowTotal = 0;

test('a shared fmt0 header + shared chunkBody equals write() of the same fmt0 message, byte for byte, and decodes back', () => {
  fc.assert(
    fc.property(caseArb, ({ chunkSize, msgs: specs }) => {
      const msgs = materialise({ msgs: specs });
      const writer = new ChunkWriter({ chunkSize: 128 });
      const setSize = { csid: 2, typeId: 1, streamId: 0, timestamp: 0, payload: Buffer.from([0, 0, chunkSize >> 8, chunkSize & 0xff]) };
      const wire: Buffer[] = [writer.write(setSize)];
      writer.setChunkSize(chunkSize);
      for (const msg of msgs) {
        const head = fmt0Header(msg.csid, msg.typeId, msg.streamId, msg.timestamp, msg.payload.length);
        writer.reset(msg.csid); // the reference: what this writer sends as a fmt0 message
        const expected = writer.write(msg);
        if (head) {
          fastTotal++;
          assert.equal(Buffer.concat([head, chunkBody(msg.payload, msg.csid, chunkSize)]).toString('hex'), expected.toString('hex'));
        } else slowTotal++;
        wire.push(expected);
      }
      const decoded = new ChunkReader().push(Buffer.concat(wire)).slice(1);
      assert.deepEqual(decoded.map((d) => ({ ...d })), msgs.map((m) => ({ ...m, timestamp: m.timestamp >>> 0 })));
    }),
    { numRuns: 500 },
  );
  assert.ok(fastTotal > 300 && slowTotal > 10, `both paths exercised (${fastTotal} shared, ${slowTotal} extended)`);
});

test('chunkBody: one-chunk payloads are returned as is; others get fmt3 basic headers', () => {
  const p = Buffer.from('abcdefg');
  assert.equal(chunkBody(p, 6, 7), p);
  assert.equal(chunkBody(p, 6, 3).toString('hex'), Buffer.from('abc\xc6def\xc6g', 'latin1').toString('hex'));
  assert.equal(chunkBody(p, 64, 4).toString('hex'), Buffer.from('abcd\xc0\x00efg', 'latin1').toString('hex'));
  assert.equal(chunkBody(p, 320, 4).toString('hex'), Buffer.from('abcd\xc1\x00\x01efg', 'latin1').toString('hex'));
});
