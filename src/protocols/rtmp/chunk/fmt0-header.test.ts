import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ChunkReader } from './chunk-reader.js';
import { ChunkWriter } from './chunk-writer.js';
import { chunkBody } from './chunk-body.js';
import { fmt0Header } from './fmt0-header.js';

test('golden: fmt0 header on csid 6, ts 0x010203, length 300, video, stream 1', () => {
  assert.equal(fmt0Header(6, 9, 1, 0x010203, 300)!.toString('hex'), '06010203' + '00012c' + '09' + '01000000');
  assert.equal(fmt0Header(6, 9, 1, 0xffffff, 1), null, 'extended timestamps are not shareable');
});

test('property: fmt0 header + shared chunked body decodes to the message, after any other traffic on the csid', () => {
  fc.assert(fc.property(
    fc.array(fc.record({ ts: fc.integer({ min: 0, max: 0xfffffe }), len: fc.integer({ min: 0, max: 9000 }), shared: fc.boolean() }), { minLength: 1, maxLength: 12 }),
    (msgs) => {
      const writer = new ChunkWriter({ chunkSize: 4096 });
      const reader = new ChunkReader();
      reader.push(Buffer.from([0x02, 0, 0, 0, 0, 0, 4, 1, 0, 0, 0, 0, 0, 0, 0x10, 0])); // peer announces 4096
      const out: Buffer[] = [];
      for (const m of msgs) {
        const payload = Buffer.alloc(m.len, m.ts & 0xff);
        const h = m.shared ? fmt0Header(6, 9, 1, m.ts, m.len) : null;
        if (h) {
          out.push(h, chunkBody(payload, 6, 4096));
          writer.reset(6); // what the peer last saw on csid 6 is a fmt0 header the writer did not write
        } else out.push(writer.write({ csid: 6, typeId: 9, streamId: 1, timestamp: m.ts, payload }));
      }
      const got = reader.push(Buffer.concat(out));
      assert.deepEqual(got.map((g) => [g.timestamp, g.payload.length]), msgs.map((m) => [m.ts, m.len]));
    },
  ), { numRuns: 300 });
});
