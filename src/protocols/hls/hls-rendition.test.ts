import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeTestMedia, ffprobeJson, hasFfmpeg, withTempDir } from '../../formats/fmp4/testing/ffmpeg-media.js';
import { checkMediaPlaylist, parseMediaPlaylist, type MediaPlaylist } from '../../formats/m3u8/index.js';
import { trackTimes } from '../../formats/fmp4/testing/fragment-times.js';
import { assertContinuity, readPackets } from '../../formats/mpegts/testing/ts-reader.js';
import { HlsRendition } from './hls-rendition.js';
import type { HlsUriScheme } from './playlist-builder.js';
import { resumeAfter, type SegmentPosition } from './resume.js';
import { SourceAlignment } from './rendition-alignment.js';
import { ManualTimers, configPackets, framePackets } from './testing/media-feed.js';

const skip = hasFfmpeg() ? false : 'ffmpeg/ffprobe not installed';
const media = hasFfmpeg() ? encodeTestMedia(4, 25) : undefined;
const uris: HlsUriScheme = {
  init: (n) => `init-${n}.mp4`, segment: (m) => `seg-${m}.m4s`, part: (m, i) => `part-${m}-${i}.m4s`, tsSegment: (m) => `seg-${m}.ts`,
};
const low = { segmentMs: 1000, partMs: 200, windowSegments: 4, reconnectWindowMs: 60_000 };

function rendition(settings = low, timers = new ManualTimers()) {
  return { r: new HlsRendition('src', { settings, timers, now: () => 1_700_000_000_000 }), timers };
}

async function playlist(r: HlsRendition, q: Parameters<HlsRendition['playlist']>[1] = {}): Promise<MediaPlaylist> {
  const a = await r.playlist('fmp4', q, uris);
  assert.equal(a.status, 200, JSON.stringify(a));
  return parseMediaPlaylist((a as { body: string }).body);
}

/** Publishes the 4 s clip once per session, each session continuing the timeline like the hub does. */
function publish(r: HlsRendition, session: number): void {
  r.publisherStart();
  for (const p of configPackets(media!)) r.packet(p);
  for (const p of framePackets(media!, session * 4_100)) r.packet(p);
  r.publisherEnd();
}

test('bounded window, expired segments gone, discontinuity counted across a reconnect', { skip }, async () => {
  const { r } = rendition();
  publish(r, 0);
  let prev = await playlist(r);
  assert.deepEqual(checkMediaPlaylist(prev), []);
  assert.equal(prev.mediaSequence, 1, 'media sequence starts at 1 (video-dev/hls.js#8013)');
  assert.equal(prev.segments.length, 4);
  publish(r, 1); // reconnect within the window
  let p = await playlist(r);
  assert.deepEqual(checkMediaPlaylist(p, prev), []);
  assert.equal(p.segments.length, 4, 'window bounded');
  assert.ok(p.mediaSequence > prev.mediaSequence, 'media sequence keeps rising');
  assert.equal(p.segments.filter((s) => s.discontinuity).length, 1, 'one DISCONTINUITY at the reconnect');
  assert.equal(r.segment(1), undefined, 'an evicted segment is gone (404)');
  assert.ok(r.segment(p.mediaSequence));
  prev = p;
  publish(r, 2);
  p = await playlist(r);
  assert.deepEqual(checkMediaPlaylist(p, prev), [], 'DISCONTINUITY-SEQUENCE counts the one that slid out');
  assert.equal(p.discontinuitySequence, 1);
  r.end();
  p = await playlist(r);
  assert.equal(p.endList, true);
  assert.deepEqual(checkMediaPlaylist(p), []);
});

test('a live classic (no parts) rendition is offered from READY_SEGMENTS on, like LL-HLS, not from its first segment', { skip }, async () => {
  // GStreamer 1.22 (hlsdemux2) never syncs its next reload to a first playlist of one segment and stalls for good.
  const r = new HlsRendition('src', { settings: { segmentMs: 1000, partMs: undefined, windowSegments: 6 }, timers: new ManualTimers(), now: () => 1_700_000_000_000 });
  r.publisherStart();
  for (const p of configPackets(media!)) r.packet(p);
  const frames = framePackets(media!);
  let i = 0;
  while (r.window().segments.length < 1) r.packet(frames[i++]!);
  assert.equal(r.hasSegments, false, 'one complete segment: not offered yet');
  while (r.window().segments.length < 3) r.packet(frames[i++]!);
  assert.equal(r.hasSegments, true, 'three complete segments: offered');
  const p = await playlist(r);
  assert.equal(p.segments.length, 3);
  assert.equal(p.partTarget, undefined, 'classic: no parts');
  r.close();
});

test('blocking reload: answered when the part appears; msn > last + 2 is 400; held too long is 503', { skip }, async () => {
  const { r, timers } = rendition();
  r.publisherStart();
  for (const p of configPackets(media!)) r.packet(p);
  const frames = framePackets(media!);
  let i = 0;
  while (!r.hasSegments) r.packet(frames[i++]!);
  const now = await playlist(r);
  const hint = now.preloadHints!.find((h) => h.type === 'PART')!;
  const [, msn, part] = /part-(\d+)-(\d+)/.exec(hint.uri)!.map(Number);
  let answered: MediaPlaylist | undefined;
  const pending = r.playlist('fmp4', { msn: msn!, part: part! }, uris).then((a) => {
    answered = parseMediaPlaylist((a as { body: string }).body);
  });
  await Promise.resolve();
  assert.equal(answered, undefined, 'held while the part does not exist');
  while (!r.part(msn!, part!)) r.packet(frames[i++]!);
  await pending;
  const listed = [...answered!.segments.flatMap((s) => s.parts ?? []), ...(answered!.partialSegment?.parts ?? [])];
  assert.ok(listed.some((x) => x.uri === `part-${msn}-${part}.m4s`), 'the reply lists the asked part');

  const bad = await r.playlist('fmp4', { msn: msn! + 3 }, uris);
  assert.equal(bad.status, 400);
  assert.equal((await r.playlist('fmp4', { part: 0 }, uris)).status, 400, '_HLS_part without _HLS_msn');
  const late = r.playlist('fmp4', { msn: msn! + 2 }, uris);
  timers.fire(); // the 3 x TARGETDURATION deadline passes
  assert.equal((await late).status, 503);

  // The preload-hinted part is served once produced.
  const next = r.awaitPart(msn!, part! + 1);
  while (!r.part(msn!, part! + 1) && (r.window().lastCompleteMsn ?? 0) < msn!) r.packet(frames[i++]!);
  assert.ok((await next) !== undefined || (r.window().lastCompleteMsn ?? 0) >= msn!);
  r.close();
});

test('fMP4 init + segments and the TS copy read back in ffprobe with the right tracks', { skip }, () => {
  const { r } = rendition({ ...low, windowSegments: 10 });
  publish(r, 0);
  assert.ok(r.tsSegment(1), 'TS made on demand');
  withTempDir((dir) => {
    const n = r.window().segments.length;
    const mp4 = Buffer.concat([r.init(1)!, ...Array.from({ length: n }, (_, k) => Buffer.concat(r.segment(k + 1)!))]);
    const ts = Buffer.concat(Array.from({ length: n }, (_, k) => r.tsSegment(k + 1)!));
    for (const [name, bytes] of [['a.mp4', mp4], ['a.ts', ts]] as const) {
      writeFileSync(join(dir, name), bytes);
      const streams = ffprobeJson(join(dir, name), ['-count_frames', '-show_streams']).streams as { codec_name: string; width?: number; nb_read_frames?: string }[];
      const v = streams.find((s) => s.codec_name === 'h264');
      const a = streams.find((s) => s.codec_name === 'aac');
      assert.equal(v?.width, 320, name);
      assert.equal(Number(v?.nb_read_frames), media!.video.samples.length, `${name}: every video frame decodes`);
      assert.equal(Number(a?.nb_read_frames), media!.audio.samples.length, `${name}: every audio frame`);
    }
  });
});

test('a resumed rendition continues another one\'s playlist: MSN, discontinuity sequence and dates go on, the absence as EXT-X-GAP', { skip }, async () => {
  const T0 = 1_700_000_000_000;
  const positions: SegmentPosition[] = [];
  const settings = { ...low, windowSegments: 12 };
  const old = new HlsRendition('src', { settings, timers: new ManualTimers(), now: () => T0, segmentDone: (p) => positions.push(p) });
  publish(old, 0);
  publish(old, 1); // one reconnect on the old server: its playlist has a discontinuity already
  const before = await playlist(old);
  const last = positions.at(-1)!;
  const lastListed = before.mediaSequence + before.segments.length - 1;
  assert.equal(last.msn, lastListed, 'a position per completed segment, the last one last');
  assert.equal(last.discontinuity, before.discontinuitySequence! + 1, 'the last segment\'s discontinuity number');
  const end = before.segments.at(-1)!;
  assert.equal(last.endPdt, end.programDateTime! + end.duration * 1000);

  // Another server, its publisher's timeline from 0 again, its clock 2.5 s past the old playlist's end.
  const resumed = new HlsRendition('src', { settings, timers: new ManualTimers(), now: () => last.endPdt + 2500 });
  resumed.resume(resumeAfter(last));
  publish(resumed, 0);
  const p = await playlist(resumed);
  assert.deepEqual(checkMediaPlaylist(p), []);
  assert.equal(p.mediaSequence, last.msn + 1, 'numbering goes on');
  assert.equal(p.discontinuitySequence, last.discontinuity, 'discontinuity sequence goes on');
  const firstMedia = p.segments.findIndex((s) => !s.gap);
  assert.equal(firstMedia, 3, '2.5 s of absence in 1 s target segments: three EXT-X-GAP segments');
  assert.ok(p.segments.slice(0, firstMedia).every((s) => !s.discontinuity), 'the gaps continue the old timeline');
  assert.equal(p.segments[firstMedia]!.discontinuity, true, 'the new media after an EXT-X-DISCONTINUITY');
  assert.equal(p.segments[0]!.programDateTime, last.endPdt, 'dates go on from the old playlist\'s end');
  p.segments.slice(1).forEach((s, i) => {
    const prev = p.segments[i]!;
    assert.ok(Math.abs(s.programDateTime! - (prev.programDateTime! + prev.duration * 1000)) < 2, `date of segment ${p.mediaSequence + i + 1}`);
  });
  assert.throws(() => resumed.resume(resumeAfter(last)), /after media/, 'resume only before any media');
});

test('a resumed ABR rendition follows its resumed source: the source\'s gaps and numbers up to its first frame, then its media after a DISCONTINUITY', { skip }, async () => {
  const last: SegmentPosition = { msn: 41, discontinuity: 3, endPdt: 1_700_000_100_000 };
  const settings = { ...low, windowSegments: 12 };
  // The source continues the other server's playlist: 2.5 s of absence (gaps 42-44), its media from 45 (1 s segments).
  const source = new HlsRendition('src', { settings, timers: new ManualTimers(), now: () => last.endPdt + 2500 });
  source.resume(resumeAfter(last));
  publish(source, 0);
  const src = await playlist(source);
  assert.deepEqual(src.segments.map((s) => s.gap ?? false), [true, true, true, false, false, false, false]);
  // The transcoder's first output is the source's second keyframe (source time 1000, the start of segment 46).
  const r = new HlsRendition('src', { settings, timers: new ManualTimers(), now: () => last.endPdt + 4000, align: new SourceAlignment(() => source, () => 1000) });
  r.resume(resumeAfter(last));
  r.publisherStart();
  for (const p of configPackets(media!)) r.packet(p);
  const frames = framePackets(media!, -1000).filter((f) => f.dts >= 0);
  r.packet(frames[0]!);
  // Only EXT-X-GAP segments complete so far: no rendition report (a sibling's playlist rendered LAST-PART -1 and failed).
  assert.equal(r.lastPart, undefined);
  for (const f of frames.slice(1)) r.packet(f);
  r.publisherEnd();
  const p = await playlist(r);
  assert.deepEqual(checkMediaPlaylist(p), []);
  assert.deepEqual([p.mediaSequence, p.discontinuitySequence], [42, 3], 'numbering and discontinuity sequence go on from the resume point');
  // 42-44: the source's gaps; 45: source media from before the transcoder's first frame, a gap here; then media from 46.
  assert.deepEqual(p.segments.map((s) => [s.gap ?? false, s.discontinuity ?? false]), [[true, false], [true, false], [true, false], [true, false], [false, true], [false, false], [false, false]]);
  p.segments.forEach((s, i) => {
    const same = src.segments[i]!;
    assert.equal(s.programDateTime, same.programDateTime, `MSN ${42 + i}: the source's date`);
    assert.ok(Math.abs(s.duration - same.duration) < 0.05, `MSN ${42 + i}: ${s.duration} s, source ${same.duration} s`);
  });
});

test('a resumed rendition whose clock is behind the old one\'s: no gap, the open MSN skipped, the dates still go on', { skip }, async () => {
  const last: SegmentPosition = { msn: 41, discontinuity: 3, endPdt: 1_700_000_100_000 };
  const r = new HlsRendition('src', { settings: { ...low, windowSegments: 12 }, timers: new ManualTimers(), now: () => last.endPdt - 5000 });
  r.resume(resumeAfter(last));
  publish(r, 0);
  const p = await playlist(r);
  // No gap to stand for MSN 42, which the old packager may have had open (its parts listed in discontinuity 3): it is
  // skipped, not reused for new media in discontinuity 4 (hls.js fails a playlist whose MSN changes discontinuity).
  assert.deepEqual([p.mediaSequence, p.discontinuitySequence, p.segments[0]!.discontinuity, p.segments[0]!.gap ?? false], [43, 3, true, false]);
  assert.equal(p.segments[0]!.programDateTime, last.endPdt);
});

/** Segments whose dates run on: each one's PROGRAM-DATE-TIME is the previous one's plus its EXTINF. */
function datesRunOn(p: MediaPlaylist): void {
  p.segments.slice(1).forEach((s, i) => {
    const prev = p.segments[i]!;
    assert.ok(Math.abs(s.programDateTime! - (prev.programDateTime! + prev.duration * 1000)) < 2, `date of segment ${p.mediaSequence + i + 1}`);
  });
}

test('a reconnect after an absence longer than the window: gaps from the old media\'s end to the new, beside the window\'s media', { skip }, async () => {
  const T0 = 1_700_000_000_000;
  let now = T0;
  const r = new HlsRendition('src', { settings: low, timers: new ManualTimers(), now: () => now });
  r.publisherStart();
  for (const p of configPackets(media!)) r.packet(p);
  for (const p of framePackets(media!)) {
    now = T0 + p.dts;
    r.packet(p);
  }
  r.publisherEnd();
  const before = await playlist(r);
  const end = before.segments.at(-1)!;
  const oldEnd = end.programDateTime! + end.duration * 1000;
  // Back 20 s after the old media's end: five times the 4-segment window.
  const backAt = oldEnd + 20_000;
  r.publisherStart();
  for (const p of configPackets(media!)) r.packet(p);
  for (const p of framePackets(media!, 10_000)) {
    now = backAt + p.dts - 10_000;
    r.packet(p);
  }
  const p = await playlist(r);
  assert.deepEqual(checkMediaPlaylist(p, before), []);
  const gaps = p.segments.filter((s) => s.gap);
  assert.equal(gaps.length, 20, '20 s of absence in 1 s target segments');
  assert.equal(gaps[0]!.programDateTime, oldEnd, 'the gaps start where the old media ended (where a player stands)');
  assert.equal(p.segments.filter((s) => !s.gap).length, 4, 'the window\'s media: 4 segments, none evicted for the gaps');
  const firstNew = p.segments.findIndex((s) => s.discontinuity);
  assert.ok(p.segments[firstNew - 1]!.gap && p.segments[firstNew]!.programDateTime === backAt, 'the new media after the gaps, at its wall-clock date');
  datesRunOn(p);
  r.close();
});

test('a resumed rendition after an absence longer than its window: the gaps reach back to the other playlist\'s end', { skip }, async () => {
  const last: SegmentPosition = { msn: 41, discontinuity: 3, endPdt: 1_700_000_100_000 };
  const r = new HlsRendition('src', { settings: low, timers: new ManualTimers(), now: () => last.endPdt + 9_500 });
  r.resume(resumeAfter(last));
  publish(r, 0);
  const p = await playlist(r);
  assert.deepEqual(checkMediaPlaylist(p), []);
  assert.deepEqual([p.mediaSequence, p.discontinuitySequence], [42, 3], 'the MSN the other packager had open is the first gap');
  assert.equal(p.segments[0]!.programDateTime, last.endPdt, 'dates go on from the other playlist\'s end, where a player stands');
  const gaps = p.segments.filter((s) => s.gap);
  assert.equal(gaps.length, 10, '9.5 s of absence, more than the 4-segment window');
  assert.ok(gaps.every((s) => !s.discontinuity) && p.segments[gaps.length]!.discontinuity, 'then the new media after a DISCONTINUITY');
  datesRunOn(p);
});

test('PROGRAM-DATE-TIME is the media\'s arrival, also when the first keyframe was read late (merged read): minimum until the first part', { skip }, async () => {
  const T0 = 1_700_000_000_000;
  let now = T0;
  const r = new HlsRendition('src', { settings: low, timers: new ManualTimers(), now: () => now });
  r.publisherStart();
  for (const p of configPackets(media!)) r.packet(p);
  // The first keyframe is read 80 ms after it arrived (held in a merged read); every later frame as it arrives.
  framePackets(media!).forEach((p, i) => {
    now = T0 + p.dts + (i === 0 ? 80 : 0);
    r.packet(p);
  });
  r.publisherEnd();
  const pl = await playlist(r);
  assert.equal(pl.segments[0]!.programDateTime, T0, 'dated by the frames that were read on arrival');
  assert.equal(pl.segments[1]!.programDateTime, T0 + pl.segments[0]!.duration * 1000);
  r.close();
});

test('an ABR rendition whose transcoder restarted past a source segment start: that MSN is an EXT-X-GAP, the numbers and dates go on with the source\'s', { skip }, async () => {
  const settings = { ...low, windowSegments: 12 };
  const source = new HlsRendition('src', { settings, timers: new ManualTimers(), now: () => 1_700_000_000_000 });
  source.publisherStart();
  for (const p of configPackets(media!)) source.packet(p);
  for (const p of framePackets(media!, 0)) source.packet(p);
  // Source segments 1-4 start at 0, 1, 2 and 3 s. The first transcoder run gets to 1.5 s and dies; the next starts at
  // the source's latest keyframe (3 s), its first frame placed one frame step after the last one of the run before.
  let offset = 0;
  const r = new HlsRendition('src', { settings, timers: new ManualTimers(), now: () => 1_700_000_000_000, align: new SourceAlignment(() => source, () => offset) });
  r.publisherStart();
  for (const p of configPackets(media!)) r.packet(p);
  const firstRun = framePackets(media!, 0).filter((f) => f.dts < 1500);
  for (const f of firstRun) r.packet(f);
  const joinedAt = Math.max(...firstRun.map((f) => f.dts)) + 40;
  offset = 3000 - joinedAt;
  for (const f of framePackets(media!, -offset).filter((f) => f.dts >= joinedAt)) r.packet(f);
  r.publisherEnd();
  source.publisherEnd();
  const [p, src] = [await playlist(r), await playlist(source)];
  assert.deepEqual(checkMediaPlaylist(p), []);
  assert.equal(p.mediaSequence, src.mediaSequence);
  // Source segment 3 (2-3 s) never reached the rendition: a gap in its place, not the numbers shifted by one.
  assert.deepEqual(p.segments.map((s) => s.gap ?? false), [false, false, true, false]);
  p.segments.forEach((s, i) => assert.equal(s.programDateTime, src.segments[i]!.programDateTime, `MSN ${p.mediaSequence + i}: the source's date`));
  for (const i of [0, 2, 3]) assert.ok(Math.abs(p.segments[i]!.duration - src.segments[i]!.duration) < 0.05, `MSN ${p.mediaSequence + i}: ${p.segments[i]!.duration} s, source ${src.segments[i]!.duration} s`);
});

/** Asserts each gap's tfdt per track: the first where `before` ends, each next one on by the gap before it. */
function gapsContinue(gaps: readonly { msn: number; durationMs: number }[], bytesOf: (msn: number) => Buffer, before: Map<number, { end: number }>, timescales: Map<number, number>): void {
  let expected = new Map([...before].map(([id, t]) => [id, t.end]));
  for (const g of gaps) {
    const times = trackTimes(bytesOf(g.msn));
    assert.deepEqual([...times.keys()].sort(), [...expected.keys()].sort(), `gap ${g.msn}: a traf per track`);
    for (const [id, want] of expected) {
      assert.ok(Math.abs(times.get(id)!.start - want) <= (g === gaps[0] ? 0 : 1), `gap ${g.msn} track ${id}: tfdt ${times.get(id)!.start}, the timeline before it is at ${want}`);
    }
    expected = new Map([...times].map(([id, t]) => [id, t.start + (g.durationMs * timescales.get(id)!) / 1000]));
  }
}

test('a resumed rendition\'s gaps continue the other packager\'s timeline in their fragments: tfdt per track where its last segment ended', { skip }, () => {
  const T0 = 1_700_000_000_000;
  const positions: SegmentPosition[] = [];
  const settings = { ...low, windowSegments: 12 };
  const old = new HlsRendition('src', { settings, timers: new ManualTimers(), now: () => T0, segmentDone: (p) => positions.push(p) });
  publish(old, 0);
  publish(old, 1); // the old timeline ends past 8 s
  const last = positions.at(-1)!;
  const oldEnd = trackTimes(Buffer.concat(old.segment(last.msn)!));
  const timescales = new Map(old.tracks.map((t) => [t.fmp4.id, t.fmp4.timescale]));
  assert.equal(oldEnd.size, 2, 'video and audio');

  // The new owner: its publisher's timeline from 0 again (gaps placed before its first frame were clamped to tfdt 0).
  // Its aligner answers nothing, as HlsPackagers gives one to every path, an ABR rendition's or not.
  const resumed = new HlsRendition('src', {
    settings, timers: new ManualTimers(), now: () => last.endPdt + 2500, align: new SourceAlignment(() => undefined, () => undefined),
  });
  resumed.resume(resumeAfter(last));
  publish(resumed, 0);
  const gaps = resumed.window().segments.filter((s) => s.gap);
  assert.equal(gaps.length, 3);
  gapsContinue(gaps, (msn) => Buffer.concat(resumed.segment(msn)!), oldEnd, timescales);
});

test('after a reconnect on one server the gaps continue the timeline per track: tfdt where each track of the segment before ended', { skip }, () => {
  let wall = 1_700_000_000_000;
  const r = new HlsRendition('src', { settings: { ...low, windowSegments: 12 }, timers: new ManualTimers(), now: () => wall });
  const session = (offsetMs: number, absenceMs: number): void => {
    r.publisherStart();
    for (const p of configPackets(media!)) r.packet(p);
    for (const p of framePackets(media!, offsetMs)) {
      wall = 1_700_000_000_000 + p.dts + absenceMs;
      r.packet(p);
    }
    r.publisherEnd();
  };
  session(0, 0);
  session(4_100, 2_500);
  const segs = r.window().segments;
  const first = segs.findIndex((s) => s.gap);
  const before = segs[first - 1]!;
  const gaps = segs.filter((s) => s.gap);
  assert.ok(gaps.length >= 2);
  const timescales = new Map(before.session.tracks.map((t) => [t.fmp4.id, t.fmp4.timescale]));
  gapsContinue(gaps, (msn) => Buffer.concat(r.segment(msn)!), trackTimes(Buffer.concat(r.segment(before.msn)!)), timescales);
  r.close();
});

const tsPlayerArrives = async (r: HlsRendition): Promise<void> => assert.equal((await r.playlist('ts', {}, uris)).status, 200);
const tsInPlaylistOrder = (r: HlsRendition): Buffer[] => r.window().segments.map((s) => r.tsSegment(s.msn)!);
const ccOf = (ts: Buffer, pid: number): number[] => readPackets(ts).filter((p) => p.pid === pid).map((p) => p.cc);

test('MPEG-TS copies run every PID\'s continuity counter on in playlist order across a reconnect, also for gaps asked for after the media behind them', { skip }, async () => {
  // A TS player watching through a reconnect on one server; it asks for the gaps only once the next session is listed.
  let wall = 1_700_000_000_000;
  const r = new HlsRendition('src', { settings: { ...low, windowSegments: 12 }, timers: new ManualTimers(), now: () => wall });
  const session = async (offsetMs: number, absenceMs: number, tsFromFirstFrame = false): Promise<void> => {
    r.publisherStart();
    for (const p of configPackets(media!)) r.packet(p);
    for (const [i, p] of framePackets(media!, offsetMs).entries()) {
      wall = 1_700_000_000_000 + p.dts + absenceMs;
      r.packet(p);
      if (i === 0 && tsFromFirstFrame) await tsPlayerArrives(r);
    }
    r.publisherEnd();
  };
  await session(0, 0, true);
  await session(4_100, 2_500);
  const segs = r.window().segments;
  const firstGap = segs.findIndex((s) => s.gap);
  assert.ok(firstGap > 0 && segs[firstGap + 1]!.gap && !segs.at(-1)!.gap);
  const next = segs.findIndex((s, i) => i > firstGap && !s.gap);
  // The next session's first segment before the gaps (muxed as it completed), then the gaps, last one first.
  const nextTs = r.tsSegment(segs[next]!.msn)!;
  for (let i = next - 1; i >= firstGap; i--) r.tsSegment(segs[i]!.msn);
  const prevTs = r.tsSegment(segs[firstGap - 1]!.msn)!;
  const gapTs = r.tsSegment(segs[firstGap]!.msn)!;
  for (const pid of [0, 0x1000]) {
    const [prev, gap, after] = [ccOf(prevTs, pid).at(-1)!, ccOf(gapTs, pid)[0]!, ccOf(nextTs, pid)[0]!];
    const lastGap = ccOf(r.tsSegment(segs[next - 1]!.msn)!, pid)[0]!;
    assert.deepEqual([gap, after], [(prev + 1) & 15, (lastGap + 1) & 15], `PID ${pid}: CC ${prev} -> gap ${gap} ... last gap ${lastGap} -> next ${after}`);
  }
  assertContinuity(readPackets(Buffer.concat(tsInPlaylistOrder(r))));
  r.close();
});

test('MPEG-TS copies of a resumed rendition: its gaps, asked for after its first media, take their counters before it', { skip }, async () => {
  // The gaps and the first media are one session (one muxer); a TS player was there before the media.
  const last: SegmentPosition = { msn: 41, discontinuity: 3, endPdt: 1_700_000_100_000 };
  const resumed = new HlsRendition('src', { settings: { ...low, windowSegments: 12 }, timers: new ManualTimers(), now: () => last.endPdt + 2500 });
  resumed.resume(resumeAfter(last));
  resumed.publisherStart();
  for (const p of configPackets(media!)) resumed.packet(p);
  const frames = framePackets(media!);
  resumed.packet(frames[0]!);
  await tsPlayerArrives(resumed);
  for (const p of frames.slice(1)) resumed.packet(p);
  resumed.publisherEnd();
  const listed = resumed.window().segments;
  assert.deepEqual(listed.slice(0, 4).map((s) => s.gap ?? false), [true, true, true, false]);
  const media0 = resumed.tsSegment(listed[3]!.msn)!;
  const gaps = [2, 1, 0].map((i) => resumed.tsSegment(listed[i]!.msn)!).reverse();
  for (const pid of [0, 0x1000]) {
    assert.deepEqual([...gaps, media0].map((b) => ccOf(b, pid)[0]), [0, 1, 2, 3], `PID ${pid}: gaps then media in order`);
  }
  assertContinuity(readPackets(Buffer.concat(tsInPlaylistOrder(resumed))));
});
