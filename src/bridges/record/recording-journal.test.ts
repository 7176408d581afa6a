import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isOnAirError } from '../../core/errors.js';
import { journalHeader, journalLine, readJournal } from './recording-journal.js';
import type { FragmentEntry } from './recording-index.js';

const frag = (offset: number, length: number, startMs: number, extra: Partial<FragmentEntry> = {}): FragmentEntry => ({
  offset, length, startMs, durationMs: 1000, segmentStart: false, discontinuity: false, ...extra,
});

const JOURNAL = journalHeader(100)
  + journalLine(frag(100, 50, 0, { segmentStart: true, trafs: [[1, 0], [2, 0]] }))
  + journalLine(frag(150, 60, 1000))
  + journalLine(frag(210, 40, 2000, { segmentStart: true, discontinuity: true, trafs: [[1, 180_000]] }));

test('journal round trip: segments, byte ranges, discontinuity, random access points', () => {
  const index = readJournal(JOURNAL)!;
  index.closeSegment();
  assert.equal(index.bytes, 250);
  assert.equal(index.durationMs, 3000);
  assert.equal(index.spanMs, 3000);
  const pl = index.playlist('r.mp4', true);
  assert.deepEqual(pl.segments.map((s) => [s.byteRange, s.duration, s.discontinuity ?? false]), [
    [{ length: 110, offset: 100 }, 2, false], [{ length: 40, offset: 210 }, 1, true],
  ]);
  assert.deepEqual(pl.map, { uri: 'r.mp4', byteRange: { length: 100, offset: 0 } });
  assert.equal(pl.targetDuration, 2);
  assert.deepEqual(index.randomAccess(), [
    { trackId: 1, entries: [{ time: 0, moofOffset: 100, trafNumber: 1, trunNumber: 1, sampleNumber: 1 }, { time: 180_000, moofOffset: 210, trafNumber: 1, trunNumber: 1, sampleNumber: 1 }] },
    { trackId: 2, entries: [{ time: 0, moofOffset: 100, trafNumber: 2, trunNumber: 1, sampleNumber: 1 }] },
  ]);
});

test('journal: a torn last line, a line out of place and anything after it are ignored', () => {
  assert.equal(readJournal(JOURNAL.slice(0, -5))!.bytes, 210, 'torn last line');
  const gap = journalHeader(100) + journalLine(frag(100, 50, 0, { segmentStart: true })) + journalLine(frag(170, 10, 1000)) + journalLine(frag(180, 10, 2000));
  assert.equal(readJournal(gap)!.bytes, 150, 'a fragment not where the previous one ended stops the read');
  assert.equal(readJournal(''), undefined);
  assert.equal(readJournal('{"v":1,"in'), undefined, 'nothing complete');
  assert.throws(() => readJournal('{"v":2,"init":10}\n'), (e) => isOnAirError(e, 'ONAIR_ERR_MALFORMED'));
  assert.throws(() => readJournal('garbage\n'), (e) => isOnAirError(e, 'ONAIR_ERR_MALFORMED'));
});

test('journal: any text gives an index, undefined or a typed error', () => {
  fc.assert(fc.property(fc.string({ maxLength: 300 }), fc.nat(JOURNAL.length), (junk, cut) => {
    for (const text of [junk, JOURNAL.slice(0, cut) + junk]) {
      try {
        const index = readJournal(text);
        if (index) assert.ok(index.bytes >= index.initBytes);
      } catch (e) {
        assert.ok(isOnAirError(e, 'ONAIR_ERR_MALFORMED'), String(e));
      }
    }
  }));
});
