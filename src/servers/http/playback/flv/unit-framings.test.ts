import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Writable } from 'node:stream';
import * as wsModule from 'ws';
import { framed, SharedFlvBatches } from '../../../../bridges/flv/index.js';
import { HTTP_CHUNK_FRAMING, WS_BINARY_FRAMING } from './unit-framings.js';

/** ws's frame parser: exported at run time, not in its type declarations. */
const { Receiver } = wsModule as unknown as { Receiver: new (o: { isServer: boolean; binaryType: string }) => Writable };

/** What the ws library's own frame parser (the one its clients use) makes of `bytes`, fed in any split. */
function wsMessages(bytes: Buffer, split: number): Buffer[] {
  const messages: Buffer[] = [];
  const receiver = new Receiver({ isServer: false, binaryType: 'nodebuffer' });
  receiver.on('message', (m: Buffer) => messages.push(m));
  receiver.on('error', (e: Error) => assert.fail(e));
  for (let at = 0; at < bytes.length; at += split) receiver.write(bytes.subarray(at, at + split));
  return messages;
}

test('WebSocket framing: one binary message per unit at every length-encoding boundary, as ws reads it', () => {
  for (const length of [1, 125, 126, 127, 65535, 65536, 70000]) {
    const parts = [Buffer.alloc(Math.floor(length / 2), 1), Buffer.alloc(length - Math.floor(length / 2), 2)];
    const wire = Buffer.concat(framed(parts, WS_BINARY_FRAMING));
    for (const split of [1, 7, wire.length]) {
      if (split === 1 && length > 1000) continue; // byte-by-byte is covered by the short lengths
      const got = wsMessages(wire, split);
      assert.equal(got.length, 1, `length ${length}, split ${split}`);
      assert.deepEqual(got[0], Buffer.concat(parts));
    }
  }
});

test('HTTP chunk framing: hex size, CRLF, the bytes, CRLF', () => {
  const wire = Buffer.concat(framed([Buffer.from('FLV'), Buffer.alloc(0x1a2b - 3, 0x41)], HTTP_CHUNK_FRAMING));
  assert.equal(wire.subarray(0, 6).toString('latin1'), '1a2b\r\n');
  assert.equal(wire.subarray(6, 9).toString('latin1'), 'FLV');
  assert.equal(wire.length, 6 + 0x1a2b + 2);
  assert.equal(wire.subarray(-2).toString('latin1'), '\r\n');
});

test('a batch is framed once per round for every viewer queueing the same buffers, per framing', () => {
  const batches = new SharedFlvBatches();
  const tagA = Buffer.from('tag a');
  const tagB = Buffer.from('tag b');
  const one = batches.combine([tagA, tagB], HTTP_CHUNK_FRAMING);
  assert.equal(batches.combine([tagA, tagB], HTTP_CHUNK_FRAMING), one, 'shared, not rebuilt');
  assert.notEqual(batches.combine([tagA, tagB], WS_BINARY_FRAMING), one, 'another carrier frames its own');
  assert.notEqual(batches.combine([tagA, Buffer.from('tag b')], HTTP_CHUNK_FRAMING), one, 'matched by identity, not content');
  assert.equal(one.toString('latin1'), 'a\r\ntag atag b\r\n');
  batches.endRound();
  assert.notEqual(batches.combine([tagA, tagB], HTTP_CHUNK_FRAMING), one, 'a new round builds afresh');
});
