import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type AlignmentSource, SourceAlignment } from './rendition-alignment.js';

/** A source with complete segments at 0-1300, 1300-3700 and an open one from 3700 (newest frame 4200). */
function source(opts: { openPart?: boolean } = {}): AlignmentSource {
  const seg = (msn: number, startMs: number, durationMs: number) => ({ msn, startMs, durationMs, programDateTime: 1_000_000 + startMs });
  const segments = [seg(7, 0, 1300), seg(8, 1300, 2400)];
  return {
    window: () => ({
      segments, lastCompleteMsn: 8, discontinuitySequence: 0,
      current: opts.openPart ? { msn: 9, parts: [], programDateTime: 1_003_700 } : undefined,
    }) as unknown as ReturnType<AlignmentSource['window']>,
    openSegment: { msn: 9, startMs: 3700 },
    lastFrameMs: 4200,
    anchor: 1_000_000.4,
  };
}

test('cuts, numbers and dates a rendition like the source, through the offset, within the snap distance', () => {
  // rendition dts + 10_000 - 40 = source dts (the encoder shifted the rendition by 40 ms)
  const a = new SourceAlignment(() => source({ openPart: true }), () => 10_000 - 40);
  const r = (sourceMs: number) => sourceMs - 10_000 + 40;
  assert.equal(a.msnAt(r(200)), 7, 'inside a segment: its number');
  assert.equal(a.cutAt(r(1300)), true);
  assert.equal(a.cutAt(r(2000)), false, 'inside source segment 8: no cut');
  assert.equal(a.cutAt(r(3700)), true, 'the open segment start counts');
  assert.equal(a.cutAt(r(4000)), false);
  assert.equal(a.cutAt(r(5000)), undefined, 'ahead of the source: unknown');
  assert.equal(a.cutAt(r(-2000)), undefined, 'before the window: unknown');
  assert.equal(a.msnAt(r(4100)), 9);
  assert.equal(a.pdtAt(r(1300)), 1_001_300, 'exactly the source segment PDT');
  assert.equal(a.pdtAt(r(3700)), 1_003_700);
  assert.equal(a.pdtAt(r(2000)), Math.round(1_000_000.4 + 2000), 'no source segment starts there: the source anchor');
});

test('after a transcoder restart, replayed media does not cut again at boundaries already followed', () => {
  let offset = 0;
  const a = new SourceAlignment(() => source(), () => offset);
  assert.equal(a.cutAt(1300), true);
  assert.equal(a.cutAt(3700), true);
  // The new run's rendition time 5000 is source time 1300 again (the GOP cache replayed).
  offset = 1300 - 5000;
  assert.equal(a.cutAt(5000), false, 'segment 8 was followed already');
  assert.equal(a.cutAt(5000 + 2400), false, 'nor 9');
});

test('the open source segment without a part yet is dated like the source will date it; no offset = unknown', () => {
  const a = new SourceAlignment(() => source(), () => 0);
  assert.equal(a.cutAt(3690), true);
  assert.equal(a.pdtAt(3690), Math.round(1_000_000.4 + 3700), 'round(anchor + source start)');
  const none = new SourceAlignment(() => source(), () => undefined);
  assert.deepEqual([none.cutAt(1300), none.msnAt(1300), none.pdtAt(1300)], [undefined, undefined, undefined]);
  const gone = new SourceAlignment(() => undefined, () => 0);
  assert.deepEqual([gone.cutAt(1300), gone.msnAt(1300), gone.pdtAt(1300)], [undefined, undefined, undefined]);
});
