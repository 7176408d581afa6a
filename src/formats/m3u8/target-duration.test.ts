import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MAX_TARGET_DURATION_S, TARGET_DURATION_SCAN_BYTES } from './limits.js';
import { renderMediaPlaylist } from './render-media.js';
import { targetDurationOf } from './target-duration.js';

const b = (s: string): Buffer => Buffer.from(s);

/** What our packager writes (render-media.ts), LL-HLS tags and all. */
const ours = (targetDuration: number): Buffer => b(renderMediaPlaylist({
  version: 9, targetDuration, mediaSequence: 7, serverControl: { canBlockReload: true, partHoldBack: 0.6, canSkipUntil: 6 * targetDuration }, partTarget: 0.2,
  segments: [{ uri: 'seg-a-7.m4s', duration: targetDuration }], partialSegment: { parts: [{ uri: 'part-a-8-0.m4s', duration: 0.2, independent: true }] },
}));

test('the target duration of a playlist, as our packager writes it, LF or CRLF, tag anywhere within the bound', () => {
  assert.equal(targetDurationOf(ours(1)), 1);
  assert.equal(targetDurationOf(ours(4)), 4);
  assert.equal(targetDurationOf(b('#EXTM3U\r\n#EXT-X-TARGETDURATION:6\r\n#EXTINF:6,\r\na.ts\r\n')), 6);
  assert.equal(targetDurationOf(b('#EXT-X-TARGETDURATION:12\n')), 12, 'at the very start');
  const late = `#EXTM3U\n#EXT-X-X:${'y'.repeat(TARGET_DURATION_SCAN_BYTES - 60)}\n#EXT-X-TARGETDURATION:2\n`;
  assert.ok(late.length <= TARGET_DURATION_SCAN_BYTES);
  assert.equal(targetDurationOf(b(late)), 2);
});

test('every truncation of a playlist reads its target duration or 0 (unknown), never another number', () => {
  for (const td of [1, 4, 10, 86_400]) {
    const whole = ours(td);
    const full = targetDurationOf(whole);
    assert.equal(full, td);
    for (let cut = 0; cut <= whole.length; cut++) {
      const got = targetDurationOf(whole.subarray(0, cut));
      assert.ok(got === 0 || got === td, `cut at ${cut}: ${got}`);
    }
    // Cut just before the tag's line ends: the value may be incomplete ("1" of "10"), so it is not read.
    const end = whole.indexOf('\n', whole.indexOf('#EXT-X-TARGETDURATION:'));
    assert.equal(targetDurationOf(whole.subarray(0, end)), 0);
    assert.equal(targetDurationOf(whole.subarray(0, end + 1)), td);
  }
});

test('malformed or out-of-bound values, a tag not starting its line, or past the bound: unknown (0)', () => {
  for (const bad of [
    '#EXTM3U\n#EXT-X-TARGETDURATION:\n', '#EXTM3U\n#EXT-X-TARGETDURATION:4.5\n', '#EXTM3U\n#EXT-X-TARGETDURATION:-4\n',
    '#EXTM3U\n#EXT-X-TARGETDURATION: 4\n', '#EXTM3U\n#EXT-X-TARGETDURATION:4x\n', '#EXTM3U\n#EXT-X-TARGETDURATION:0\n',
    `#EXTM3U\n#EXT-X-TARGETDURATION:${MAX_TARGET_DURATION_S + 1}\n`, '#EXTM3U\n#EXT-X-TARGETDURATION:99999999999999999999999\n',
    '#EXTM3U\n #EXT-X-TARGETDURATION:4\n', '#EXTM3U\n#EXT-X-TARGETDURATIONS:4\n', '#EXTM3U\n#ext-x-targetduration:4\n',
    `#EXTM3U\n#EXT-X-X:${'y'.repeat(TARGET_DURATION_SCAN_BYTES)}\n#EXT-X-TARGETDURATION:4\n`, '', '#', 'not a playlist at all',
  ]) {
    assert.equal(targetDurationOf(b(bad)), 0, JSON.stringify(bad.slice(0, 60)));
  }
  assert.equal(targetDurationOf(b(`#EXTM3U\n#EXT-X-TARGETDURATION:${MAX_TARGET_DURATION_S}\n`)), MAX_TARGET_DURATION_S);
});

test('bytes that do not start with # are no playlist (media: fMP4, MPEG-TS): 0, whatever lines follow', () => {
  for (const lead of ['\n', ' ', 'x', '\u0000\u0000\u0000\u0018ftyp', 'G']) {
    assert.equal(targetDurationOf(b(`${lead}\n#EXT-X-TARGETDURATION:4\n`)), 0, JSON.stringify(lead));
  }
  assert.equal(targetDurationOf(b('#\n#EXT-X-TARGETDURATION:4\n')), 4);
});

test('any bytes: a whole number within bounds or 0, the same whatever follows the bound', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 2 * TARGET_DURATION_SCAN_BYTES }), (bytes) => {
    const got = targetDurationOf(bytes);
    assert.ok(Number.isInteger(got) && got >= 0 && got <= MAX_TARGET_DURATION_S);
    assert.equal(got, targetDurationOf(bytes.subarray(0, TARGET_DURATION_SCAN_BYTES)));
  }));
  // The tag after random bytes in a playlist (it starts with #EXTM3U), its value on a line of its own: read.
  fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), fc.integer({ min: 1, max: MAX_TARGET_DURATION_S }), (noise, td) => {
    const clean = Buffer.from(noise).toString('latin1').replace(/#EXT-X-TARGETDURATION:/g, '');
    assert.equal(targetDurationOf(Buffer.concat([b('#EXTM3U\n'), Buffer.from(clean, 'latin1'), b(`\n#EXT-X-TARGETDURATION:${td}\n`)])), td);
  }));
});
