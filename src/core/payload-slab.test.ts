import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PayloadSlab } from './payload-slab.js';

test('buffers under maxCarve share one block, do not overlap and start 8-byte aligned', () => {
  const slab = new PayloadSlab(1024, 256);
  const sizes = [5, 100, 256, 3];
  const bufs = sizes.map((n, i) => slab.alloc(n).fill(i + 1));
  assert.deepEqual(bufs.map((b) => b.length), sizes);
  for (const b of bufs) {
    assert.equal(b.buffer, bufs[0]!.buffer, 'one backing store');
    assert.equal(b.byteOffset % 8, 0);
  }
  bufs.forEach((b, i) => assert.ok(b.every((x) => x === i + 1), `buffer ${i} kept its bytes`));
});

test('a buffer over maxCarve gets its own backing store; one that does not fit starts a new block', () => {
  const slab = new PayloadSlab(1024, 256);
  const first = slab.alloc(256);
  const big = slab.alloc(257);
  assert.notEqual(big.buffer, first.buffer);
  assert.equal(big.byteLength, 257);
  slab.alloc(256);
  slab.alloc(256);
  const fourth = slab.alloc(256); // 4 x 256 = the whole block
  assert.equal(fourth.buffer, first.buffer);
  const next = slab.alloc(1);
  assert.notEqual(next.buffer, first.buffer, 'a full block is left to the buffers carved from it');
});
