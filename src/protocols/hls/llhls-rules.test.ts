import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeTestMedia, hasFfmpeg } from '../../formats/fmp4/testing/ffmpeg-media.js';
import { findBox } from '../../formats/fmp4/box-reader.js';
import { parseMediaPlaylist, type MediaPlaylist } from '../../formats/m3u8/index.js';
import { HlsRendition } from './hls-rendition.js';
import { hlsTrack } from './hls-tracks.js';
import type { HlsUriScheme } from './playlist-builder.js';
import { Segmenter, type HlsPart } from './segmenter.js';
import { ManualTimers, configPackets, framePackets } from './testing/media-feed.js';

/** rfc8216bis LL-HLS rules checked on what the packager produces: the preload hint and part durations. */
const skip = hasFfmpeg() ? false : 'ffmpeg/ffprobe not installed';
const uris: HlsUriScheme = {
  init: (n) => `init-${n}.mp4`, segment: (m) => `seg-${m}.m4s`, part: (m, i) => `part-${m}-${i}.m4s`, tsSegment: (m) => `seg-${m}.ts`,
};
const low = { segmentMs: 1000, partMs: 200, windowSegments: 6, reconnectWindowMs: 60_000 };

async function playlist(r: HlsRendition): Promise<MediaPlaylist> {
  const a = await r.playlist('fmp4', {}, uris);
  assert.equal(a.status, 200, JSON.stringify(a));
  return parseMediaPlaylist((a as { body: string }).body);
}

function hintOf(p: MediaPlaylist): string | undefined {
  return p.preloadHints?.find((h) => h.type === 'PART')?.uri;
}

/** Every part listed in the playlist (complete segments' and the open segment's), in order. */
function listedParts(p: MediaPlaylist): string[] {
  return [...p.segments.flatMap((s) => s.parts ?? []), ...(p.partialSegment?.parts ?? [])].map((x) => x.uri);
}

test('the preload hint names the next part produced at every position of a segment (first, middle, last, boundary)', { skip }, async () => {
  const media = encodeTestMedia(5, 25);
  const r = new HlsRendition('src', { settings: low, timers: new ManualTimers(), now: () => 1_700_000_000_000 });
  r.publisherStart();
  for (const p of configPackets(media)) r.packet(p);
  let hint: string | undefined;
  let known = new Set<string>();
  const positions = new Set<string>();
  for (const frame of framePackets(media)) {
    r.packet(frame);
    const p = await playlist(r);
    const parts = listedParts(p);
    const fresh = parts.filter((u) => !known.has(u));
    if (hint !== undefined && fresh.length > 0) {
      // The hint of the previous playlist is exactly the part that appeared: never one of a later segment.
      assert.deepEqual(fresh, [hint], `after hint ${hint} the playlist added ${fresh.join(', ')}`);
      if (p.segments.at(-1)?.parts?.at(-1)?.uri === hint) positions.add('last');
    }
    known = new Set(parts);
    hint = hintOf(p);
    assert.ok(hint, 'a live LL-HLS playlist always hints the next part');
    const open = p.partialSegment?.parts ?? [];
    const lastMsn = p.mediaSequence + p.segments.length - 1;
    if (open.length === 0) {
      // Boundary: the open segment has no part yet; the hint names its part 0, not one of the segment after it.
      assert.equal(hint, `part-${lastMsn + 1}-0.m4s`);
      positions.add('boundary');
    } else {
      assert.equal(hint, `part-${lastMsn + 1}-${open.length}.m4s`, 'the open segment\'s next index');
      positions.add(open.length === 1 ? 'first' : 'middle');
    }
  }
  assert.deepEqual([...positions].sort(), ['boundary', 'first', 'last', 'middle']);
  r.close();
});

test('a request for the hinted part is held until the part is complete, a far one is refused, a held one ends by its deadline', { skip }, async () => {
  const media = encodeTestMedia(6, 25);
  const timers = new ManualTimers();
  const r = new HlsRendition('src', { settings: low, timers, now: () => 1_700_000_000_000 });
  r.publisherStart();
  for (const p of configPackets(media)) r.packet(p);
  const frames = framePackets(media);
  let i = 0;
  while (!r.hasSegments) r.packet(frames[i++]!);
  // Push until a boundary: the open segment has no part yet (the case that used to answer 404 at once).
  const atBoundary = async () => (await playlist(r)).partialSegment === undefined;
  while (!(await atBoundary())) r.packet(frames[i++]!);
  const hint = hintOf(await playlist(r))!;
  const [, msn, index] = /part-(\d+)-(\d+)/.exec(hint)!.map(Number);
  const held = r.awaitPart(msn!, index!);
  let answered: readonly Buffer[] | undefined | 'pending' = 'pending';
  void held.then((b) => (answered = b));
  await Promise.resolve();
  assert.equal(answered, 'pending', 'held, not 404');
  while (r.part(msn!, index!) === undefined) r.packet(frames[i++]!);
  const bytes = await held;
  assert.ok(bytes && bytes.length > 0, 'answered with the part once complete');
  assert.deepEqual(bytes, r.part(msn!, index!));
  assert.equal(await r.awaitPart(msn! + 5, 0), undefined, 'a part far past the hint is 404 at once');
  const next = /part-(\d+)-(\d+)/.exec(hintOf(await playlist(r))!)!.map(Number);
  const late = r.awaitPart(next[1]!, next[2]!);
  timers.fire(); // the deadline (3 target durations) passes with no media
  assert.equal(await late, undefined, 'bounded: answered (404) at the deadline');
  r.close();
});

/** Parts a Segmenter cuts from `fps` video (plus audio) at a 200 ms part target. */
function partsAt(fps: number, partMs = 200): HlsPart[] {
  const media = encodeTestMedia(4, fps);
  const tracks = configPackets(media).map(hlsTrack);
  const seg = new Segmenter(tracks, { segmentMs: 1000, partMs, firstMsn: 1, firstFragmentSeq: 1 });
  const parts: HlsPart[] = [];
  for (const p of framePackets(media)) {
    const track = tracks.find((t) => t.kind === p.kind)!;
    for (const e of seg.push(track, { dtsMs: p.dts, ctsMs: p.cts, keyframe: p.keyframe, data: p.data })) if (e.type === 'part') parts.push(e.part);
  }
  return parts;
}

for (const fps of [24, 25, 30, 50, 60]) {
  test(`${fps} fps: every non-final part is >= 85 % of PART-TARGET and none exceeds it`, { skip }, () => {
    const target = new HlsRendition('x', { settings: low }).partTargetSec!;
    assert.equal(target, 0.23);
    const parts = partsAt(fps);
    const bySegment = new Map<number, HlsPart[]>();
    for (const p of parts) bySegment.set(p.msn, [...(bySegment.get(p.msn) ?? []), p]);
    let checked = 0;
    for (const [msn, list] of bySegment) {
      const nonFinal = list.slice(0, -1);
      for (const p of list) assert.ok(p.durationMs / 1000 <= target, `part ${msn}.${p.index} ${p.durationMs} ms > ${target} s`);
      for (const p of nonFinal) {
        assert.ok(p.durationMs / 1000 >= 0.85 * target, `part ${msn}.${p.index} ${p.durationMs} ms < 85 % of ${target} s`);
        checked++;
      }
    }
    assert.ok(checked >= 10, `${checked} non-final parts checked`);
  });
}

test('100 ms parts at 25 fps (half a frame is more than the headroom): no part exceeds PART-TARGET', { skip }, () => {
  const target = new HlsRendition('x', { settings: { ...low, partMs: 100 } }).partTargetSec!;
  assert.equal(target, 0.115);
  for (const p of partsAt(25, 100)) assert.ok(p.durationMs / 1000 <= target, `part ${p.msn}.${p.index} ${p.durationMs} ms`);
});

test('a publisher absence is written as EXT-X-GAP segments: dates continuous across the reconnect, the hint kept between sessions', { skip }, async () => {
  const media = encodeTestMedia(4, 25);
  let wall = 1_700_000_000_000;
  const r = new HlsRendition('src', { settings: { ...low, windowSegments: 12 }, timers: new ManualTimers(), now: () => wall });
  const session = (offsetMs: number, absenceMs: number) => {
    r.publisherStart();
    for (const p of configPackets(media)) r.packet(p);
    for (const p of framePackets(media, offsetMs)) {
      wall = 1_700_000_000_000 + p.dts + absenceMs; // arrives in real time
      r.packet(p);
    }
    r.publisherEnd();
  };
  session(0, 0);
  const between = await playlist(r);
  assert.ok(hintOf(between), 'between sessions the hint names the next part (hls.js needs it)');
  session(4_100, 2_500); // back 2.5 s later (wall clock) than the stream timeline says
  const p = await playlist(r);
  const gaps = p.segments.filter((s) => s.gap);
  assert.ok(gaps.length >= 2, `${gaps.length} GAP segments`);
  const absent = gaps.reduce((n, s) => n + s.duration, 0);
  assert.ok(Math.abs(absent - 2.6) < 0.05, `GAP durations add up to the absence: ${absent} s`);
  for (const g of gaps) assert.ok(g.duration <= p.targetDuration);
  const firstNew = p.segments.findIndex((s) => s.discontinuity);
  assert.ok(firstNew > 0 && p.segments[firstNew - 1]!.gap, 'the DISCONTINUITY follows the GAP segments');
  for (let i = 1; i < p.segments.length; i++) {
    const prev = p.segments[i - 1]!;
    const cur = p.segments[i]!;
    assert.equal(cur.programDateTime! - prev.programDateTime!, Math.round(prev.duration * 1000), `PDT of segment ${i} continues`);
  }
  // A GAP segment's URI answers a fragment without media that continues the timeline where the media before it
  // ended (GStreamer's hlsdemux2 loads gap segments; see gap-segment.ts).
  const gapMsn = p.mediaSequence + p.segments.indexOf(gaps[0]!);
  const filler = Buffer.concat(r.segment(gapMsn) as Buffer[]);
  const before = Buffer.concat(r.segment(gapMsn - 1) as Buffer[]);
  assert.equal(findBox(filler, ['mdat']), undefined, 'no mdat');
  assert.equal(findBox(filler, ['moof', 'traf', 'trun']), undefined, 'no trun');
  const tfdtOf = (b: Buffer): number => {
    const h = findBox(b, ['moof', 'traf', 'tfdt'])!;
    return b.readUInt32BE(h.offset + 12) * 0x1_0000_0000 + b.readUInt32BE(h.offset + 16);
  };
  const prev = r.window().segments.find((x) => x.msn === gapMsn - 1)!;
  const ts = prev.session.tracks[0]!.fmp4.timescale;
  assert.ok(Math.abs(tfdtOf(filler) - (tfdtOf(before) + (prev.durationMs * ts) / 1000)) <= ts / 1000,
    `gap tfdt ${tfdtOf(filler)} continues from the segment before (${tfdtOf(before)} + ${prev.durationMs} ms)`);
  assert.equal(r.segment(p.mediaSequence + p.segments.length + 5), undefined, 'an MSN not listed has no bytes (404)');
  // In MPEG-TS the same gap is the tables alone: a PAT and a PMT, no PES.
  const gapTs = r.tsSegment(gapMsn)!;
  assert.equal(gapTs.length, 2 * 188, `${gapTs.length} bytes`);
  assert.deepEqual([gapTs[0], gapTs[188]], [0x47, 0x47], 'sync bytes');
  assert.equal(((gapTs[1]! & 0x1f) << 8) | gapTs[2]!, 0, 'the PAT first');
  assert.ok(r.tsSegment(gapMsn - 1)!.length > 2 * 188, 'the media segment before it has PES packets');
  r.close();
});
