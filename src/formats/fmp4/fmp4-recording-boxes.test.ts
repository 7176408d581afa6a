import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isOnAirError } from '../../core/errors.js';
import { box, serializeBoxes } from './box-tree.js';
import { findBox, readBoxHeader } from './box-reader.js';
import { buildInitSegment } from './init-segment.js';
import { encodeMehdDuration, mehdDurationOffset } from './mehd.js';
import { buildMfra } from './mfra.js';
import type { Fmp4Track } from './types.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const video: Fmp4Track = { id: 1, kind: 'video', timescale: 90_000, codec: 'avc1', config: hex('01640015ffe1000467640015'), width: 320, height: 240 };

test('box headers: 32-bit size, size 0 = to the end, 64-bit largesize', () => {
  assert.deepEqual(readBoxHeader(hex('0000000c 66726565 00000000'), 0), { type: 'free', offset: 0, size: 12, headerSize: 8 });
  assert.deepEqual(readBoxHeader(hex('00000000 6d646174 0102'), 0), { type: 'mdat', offset: 0, size: 10, headerSize: 8 });
  assert.deepEqual(readBoxHeader(hex('00000001 6d646174 00000001 00000010'), 0), { type: 'mdat', offset: 0, size: 0x1_0000_0010, headerSize: 16 });
});

test('box headers: cut short is TRUNCATED, sizes below the header are MALFORMED', () => {
  assert.throws(() => readBoxHeader(hex('0000000c 6672'), 0), (e) => isOnAirError(e, 'ONAIR_ERR_TRUNCATED'));
  assert.throws(() => readBoxHeader(hex('00000001 6d646174 0000'), 0), (e) => isOnAirError(e, 'ONAIR_ERR_TRUNCATED'));
  assert.throws(() => readBoxHeader(hex('00000007 66726565'), 0), (e) => isOnAirError(e, 'ONAIR_ERR_MALFORMED'));
  assert.throws(() => readBoxHeader(hex('00000001 6d646174 00000000 0000000f'), 0), (e) => isOnAirError(e, 'ONAIR_ERR_MALFORMED'));
});

test('findBox follows a path; a child overrunning its parent is MALFORMED; absent is undefined', () => {
  const buf = serializeBoxes([box('free'), box('moov', box('mvhd', Buffer.alloc(4)), box('mvex', box('mehd', Buffer.alloc(2))))]);
  assert.deepEqual(findBox(buf, ['moov', 'mvex', 'mehd']), { type: 'mehd', offset: 36, size: 10, headerSize: 8 });
  assert.equal(findBox(buf, ['moov', 'trak']), undefined);
  const bad = Buffer.from(buf);
  bad.writeUInt32BE(200, 16); // mvhd claims more than moov holds
  assert.throws(() => findBox(bad, ['moov', 'mvex']), (e) => isOnAirError(e, 'ONAIR_ERR_MALFORMED'));
});

test('findBox: any bytes give a box, undefined or a typed error', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), fc.array(fc.constantFrom('moov', 'mvex', 'mehd', 'free'), { minLength: 1, maxLength: 4 }), (bytes, path) => {
    try {
      const h = findBox(Buffer.from(bytes), path);
      if (h) assert.ok(h.offset + h.size <= bytes.length);
    } catch (e) {
      assert.ok(isOnAirError(e, 'ONAIR_ERR_TRUNCATED') || isOnAirError(e, 'ONAIR_ERR_MALFORMED'), String(e));
    }
  }));
});

test('init segment with a movie duration: mvex starts with a version 1 mehd, patchable in place', () => {
  const plain = buildInitSegment([video]);
  assert.equal(mehdDurationOffset(plain), undefined, 'live HLS init segments carry no mehd');
  const init = buildInitSegment([video], { fragmentDurationMs: 0 });
  assert.equal(init.length, plain.length + 20);
  const at = mehdDurationOffset(init)!;
  assert.deepEqual(init.subarray(at - 12, at + 8), hex('00000014 6d656864 01000000 0000000000000000'));
  encodeMehdDuration(3_600_123.4).copy(init, at);
  assert.deepEqual(init.subarray(at, at + 8), hex('00000000 0036EEFB'));
  assert.deepEqual(findBox(init, ['moov', 'mvex'])!.size, findBox(buildInitSegment([video], { fragmentDurationMs: 5 }), ['moov', 'mvex'])!.size);
});

test('mfra golden: tfra v1 per track with the narrowest number fields, mfro holding the mfra size', () => {
  const mfra = buildMfra([
    { trackId: 1, entries: [{ time: 0, moofOffset: 1133, trafNumber: 1, trunNumber: 1, sampleNumber: 1 }] },
    { trackId: 2, entries: [{ time: 0x1_0000_0000, moofOffset: 0x2_0000_0000, trafNumber: 2, trunNumber: 1, sampleNumber: 300 }] },
  ]);
  assert.deepEqual(mfra, hex(`0000006f 6d667261
    0000002b 74667261 01000000 00000001 00000000 00000001
      0000000000000000 000000000000046d 01 01 01
    0000002c 74667261 01000000 00000002 00000001 00000001
      0000000100000000 0000000200000000 02 01 012c
    00000010 6d66726f 00000000 0000006f`));
  assert.throws(() => buildMfra([{ trackId: 1, entries: [{ time: -1, moofOffset: 0, trafNumber: 1, trunNumber: 1, sampleNumber: 1 }] }]), (e) => isOnAirError(e, 'ONAIR_ERR_MALFORMED'));
  assert.throws(() => buildMfra([{ trackId: 1, entries: [{ time: 0, moofOffset: 0, trafNumber: 0, trunNumber: 1, sampleNumber: 1 }] }]), (e) => isOnAirError(e, 'ONAIR_ERR_MALFORMED'));
});
