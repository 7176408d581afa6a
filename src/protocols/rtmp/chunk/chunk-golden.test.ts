/**
 * One table of golden chunk-stream byte cases drives the decode test, the split test, the encode test
 * and the fuzz seeds (the gortmplib pkg/chunk/chunk_test.go pattern).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { isOnAirError } from '../../../core/errors.js';
import { ChunkReader } from './chunk-reader.js';
import { ChunkWriter } from './chunk-writer.js';
import type { RtmpMessage } from './rtmp-message.js';
import { bytes, pat } from './testing/golden-bytes.js';

function m(csid: number, typeId: number, streamId: number, timestamp: number, payload: Buffer): RtmpMessage {
  return { csid, typeId, streamId, timestamp, payload };
}

interface GoldenCase {
  name: string;
  bytes: Buffer;
  messages: RtmpMessage[];
  /** ChunkWriter (starting at chunk size 128, adopting each Set Chunk Size it writes) produces `bytes`. */
  encodes: boolean;
}

const P200 = pat(200, 7);
const P130 = pat(130, 3);

const GOLDEN: GoldenCase[] = [
  {
    name: 'fmt0, 1-byte csid 3',
    bytes: bytes('03 0003e8 000004 14 01000000 01020304'),
    messages: [m(3, 20, 1, 1000, bytes('01020304'))],
    encodes: true,
  },
  {
    name: 'csid 2 (lowest), 63 (largest 1-byte)',
    bytes: bytes('02 000000 000004 05 00000000 004c4b40', '3f 000001 000001 08 01000000 aa'),
    messages: [m(2, 5, 0, 0, bytes('004c4b40')), m(63, 8, 1, 1, bytes('aa'))],
    encodes: true,
  },
  {
    name: '2-byte csid 64 and 319',
    bytes: bytes('00 00 000010 000001 09 01000000 bb', '00 ff 000010 000001 09 01000000 cc'),
    messages: [m(64, 9, 1, 16, bytes('bb')), m(319, 9, 1, 16, bytes('cc'))],
    encodes: true,
  },
  {
    name: '3-byte csid 320 and 65599',
    bytes: bytes('01 00 01 000010 000001 09 01000000 bb', '01 ff ff 000010 000001 09 01000000 cc'),
    messages: [m(320, 9, 1, 16, bytes('bb')), m(65599, 9, 1, 16, bytes('cc'))],
    encodes: true,
  },
  {
    name: 'fmt1 (length+type change), fmt2 (new delta), fmt3 (same delta)',
    bytes: bytes(
      '04 000064 000002 08 01000000 a1a2', // ts 100
      '44 000014 000003 09 b1b2b3', // +20 -> 120, video
      '84 00001e c1c2c3', // +30 -> 150
      'c4 d1d2d3', // +30 -> 180
    ),
    messages: [
      m(4, 8, 1, 100, bytes('a1a2')), m(4, 9, 1, 120, bytes('b1b2b3')),
      m(4, 9, 1, 150, bytes('c1c2c3')), m(4, 9, 1, 180, bytes('d1d2d3')),
    ],
    encodes: true,
  },
  {
    name: 'fmt3 new message after fmt0 adds the fmt0 timestamp as delta (spec, ffmpeg)',
    bytes: bytes('06 000028 000001 09 01000000 01', 'c6 02'),
    messages: [m(6, 9, 1, 40, bytes('01')), m(6, 9, 1, 80, bytes('02'))],
    encodes: true,
  },
  {
    name: 'repeated absolute timestamp is fmt2 delta 0, not fmt3',
    bytes: bytes('06 000028 000001 09 01000000 01', '86 000000 02'),
    messages: [m(6, 9, 1, 40, bytes('01')), m(6, 9, 1, 40, bytes('02'))],
    encodes: true,
  },
  {
    name: 'timestamp going back and stream id change use fmt0',
    bytes: bytes('06 000028 000001 09 01000000 01', '06 000010 000001 09 01000000 02', '06 000010 000001 09 02000000 03'),
    messages: [m(6, 9, 1, 40, bytes('01')), m(6, 9, 1, 16, bytes('02')), m(6, 9, 2, 16, bytes('03'))],
    encodes: true,
  },
  {
    name: 'multi-chunk message at 128',
    bytes: bytes('06 000000 0000c8 09 01000000', P200.subarray(0, 128), 'c6', P200.subarray(128)),
    messages: [m(6, 9, 1, 0, P200)],
    encodes: true,
  },
  {
    name: 'extended timestamp on fmt0 and on the continuation',
    bytes: bytes('06 ffffff 000082 09 01000000 01000000', P130.subarray(0, 128), 'c6 01000000', P130.subarray(128)),
    messages: [m(6, 9, 1, 0x01000000, P130)],
    encodes: true,
  },
  {
    name: 'extended timestamp omitted on the continuation (GStreamer/old librtmp) is tolerated',
    bytes: bytes('06 ffffff 000082 09 01000000 01000000', P130.subarray(0, 128), 'c6', P130.subarray(128), '05 000000 000001 08 01000000 ee'),
    messages: [m(6, 9, 1, 0x01000000, P130), m(5, 8, 1, 0, bytes('ee'))],
    encodes: false,
  },
  {
    name: 'extended delta on fmt2 then fmt3 new message repeats it',
    bytes: bytes('04 000000 000001 08 01000000 aa', '84 ffffff 01000000 bb', 'c4 01000000 cc'),
    messages: [m(4, 8, 1, 0, bytes('aa')), m(4, 8, 1, 0x01000000, bytes('bb')), m(4, 8, 1, 0x02000000, bytes('cc'))],
    encodes: true,
  },
  {
    name: 'extended delta on fmt1',
    bytes: bytes('04 000000 000001 08 01000000 aa', '44 ffffff 000002 09 01000000 bbbb'),
    messages: [m(4, 8, 1, 0, bytes('aa')), m(4, 9, 1, 0x01000000, bytes('bbbb'))],
    encodes: true,
  },
  {
    name: 'delta wraps at 2^32',
    bytes: bytes('04 ffffff 000001 08 01000000 fffffff0 aa', '84 000020 bb'),
    messages: [m(4, 8, 1, 0xfffffff0, bytes('aa')), m(4, 8, 1, 0x10, bytes('bb'))],
    encodes: false, // a writer sees 0x10 < 0xfffffff0 and starts over with fmt0
  },
  {
    name: 'two chunk streams interleaved',
    bytes: bytes(
      '04 000000 0000c8 08 01000000', P200.subarray(0, 128),
      '06 000005 000003 09 01000000 010203',
      'c4', P200.subarray(128),
    ),
    messages: [m(6, 9, 1, 5, bytes('010203')), m(4, 8, 1, 0, P200)],
    encodes: false,
  },
  {
    name: 'Set Chunk Size mid-stream applies to the next chunk',
    bytes: bytes(
      '02 000000 000004 01 00000000 00000040', // 64
      '06 000000 000064 09 01000000', pat(64), 'c6', pat(36, 64),
    ),
    messages: [m(2, 1, 0, 0, bytes('00000040')), m(6, 9, 1, 0, pat(100))],
    encodes: true,
  },
  {
    name: 'Set Chunk Size while another chunk stream is mid-message',
    bytes: bytes(
      '04 000000 0000c8 08 01000000', P200.subarray(0, 128),
      '02 000000 000004 01 00000000 00000020', // 32
      'c4', P200.subarray(128, 160), 'c4', P200.subarray(160, 192), 'c4', P200.subarray(192),
    ),
    messages: [m(2, 1, 0, 0, bytes('00000020')), m(4, 8, 1, 0, P200)],
    encodes: false,
  },
  {
    name: 'Abort drops the partial message; the chunk stream then starts over',
    bytes: bytes(
      '04 000000 0000c8 08 01000000', P200.subarray(0, 128),
      '02 000000 000004 02 00000000 00000004',
      '04 000009 000002 08 01000000 abcd',
    ),
    messages: [m(2, 2, 0, 0, bytes('00000004')), m(4, 8, 1, 9, bytes('abcd'))],
    encodes: false,
  },
  {
    name: 'zero-length message',
    bytes: bytes('03 000000 000000 14 00000000', '03 000000 000001 14 00000000 05'),
    messages: [m(3, 20, 0, 0, Buffer.alloc(0)), m(3, 20, 0, 0, bytes('05'))],
    encodes: false, // a writer would compress the second header to fmt1
  },
];

function decodeAll(chunks: Buffer[]): RtmpMessage[] {
  const reader = new ChunkReader();
  return chunks.flatMap((c) => reader.push(c));
}

for (const c of GOLDEN) {
  test(`decode: ${c.name}`, () => {
    assert.deepEqual(decodeAll([c.bytes]), c.messages);
  });

  test(`decode split at every byte: ${c.name}`, () => {
    for (let i = 0; i <= c.bytes.length; i++) {
      assert.deepEqual(decodeAll([c.bytes.subarray(0, i), c.bytes.subarray(i)]), c.messages, `split at ${i}`);
    }
    const single = Array.from({ length: c.bytes.length }, (_, i) => c.bytes.subarray(i, i + 1));
    assert.deepEqual(decodeAll(single), c.messages, 'byte by byte');
  });

  if (c.encodes) {
    test(`encode: ${c.name}`, () => {
      const writer = new ChunkWriter({ chunkSize: 128 });
      const out: Buffer[] = [];
      for (const msg of c.messages) {
        out.push(writer.write(msg));
        if (msg.typeId === 1) writer.setChunkSize(msg.payload.readUInt32BE(0));
      }
      assert.deepEqual(Buffer.concat(out).toString('hex'), c.bytes.toString('hex'));
    });
  }
}

test('all golden cases back to back, split at every byte', () => {
  // Chunk-size changes leak from case to case, so only the cases that leave it at 128 are chained.
  const chain = GOLDEN.filter((c) => !c.messages.some((msg) => msg.typeId === 1));
  const input = Buffer.concat(chain.map((c) => c.bytes));
  const reference = decodeAll([input]);
  assert.ok(reference.length > 10);
  for (let i = 0; i <= input.length; i++) {
    assert.deepEqual(decodeAll([input.subarray(0, i), input.subarray(i)]), reference, `split at ${i}`);
  }
});

test('fuzz: golden cases with random mutations give messages or an OnAirError, nothing else', () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...GOLDEN.map((c) => c.bytes)),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
      fc.nat(),
      (seed, edits, split) => {
        const input = Buffer.from(seed);
        for (const [at, v] of edits) input[at % input.length] = v;
        const cut = split % (input.length + 1);
        try {
          decodeAll([input.subarray(0, cut), input.subarray(cut)]);
        } catch (err) {
          if (!isOnAirError(err)) throw err;
        }
      },
    ),
    { numRuns: 3000 },
  );
});

test('fuzz: any bytes give messages or an OnAirError, nothing else', () => {
  fc.assert(
    fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 5 }), (pieces) => {
      try {
        decodeAll(pieces.map((p) => Buffer.from(p)));
      } catch (err) {
        if (!isOnAirError(err)) throw err;
      }
    }),
    { numRuns: 3000 },
  );
});
