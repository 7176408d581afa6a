import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeTestMedia, hasFfmpeg } from '../../formats/fmp4/testing/ffmpeg-media.js';
import { hlsTrack } from './hls-tracks.js';
import { Segmenter, type HlsPart, type HlsSegment, type SegmentFollower } from './segmenter.js';
import { configPackets, framePackets } from './testing/media-feed.js';

const skip = hasFfmpeg() ? false : 'ffmpeg/ffprobe not installed';

function run(kinds: ('video' | 'audio')[], segmentMs: number, partMs: number | undefined, seconds = 6, follow?: SegmentFollower) {
  const media = encodeTestMedia(seconds, 25); // 1 s GOP, 2 B-frames
  const tracks = configPackets(media, kinds).map(hlsTrack);
  const seg = new Segmenter(tracks, { segmentMs, partMs, firstMsn: 1, firstFragmentSeq: 1, ...(follow ? { follow } : {}) });
  const parts: HlsPart[] = [];
  const segments: HlsSegment[] = [];
  const frames = framePackets(media, 0, kinds);
  for (const p of frames) {
    const track = tracks.find((t) => t.kind === p.kind)!;
    for (const e of seg.push(track, { dtsMs: p.dts, ctsMs: p.cts, keyframe: p.keyframe, data: p.data })) {
      if (e.type === 'part') parts.push(e.part);
      else if (e.type === 'segment') segments.push(e.segment);
    }
  }
  for (const e of seg.flush()) if (e.type === 'part') parts.push(e.part); else if (e.type === 'segment') segments.push(e.segment);
  return { media, frames, parts, segments };
}

test('video segments start at keyframes, last >= target, parts within PART-TARGET, B-frame offsets kept', { skip }, () => {
  const { frames, parts, segments } = run(['video', 'audio'], 1000, 200);
  assert.ok(segments.length >= 5, `segments ${segments.length}`);
  segments.forEach((s, i) => {
    assert.equal(s.msn, i + 1);
    const first = s.parts[0]!.runs.find((r) => r.track.kind === 'video')!.samples[0]!;
    assert.equal(first.keyframe, true, `segment ${s.msn} starts at a keyframe`);
    assert.equal(s.parts[0]!.independent, true);
    if (i < segments.length - 1) assert.ok(s.durationMs >= 1000, `segment ${s.msn} ${s.durationMs} ms`);
    assert.equal(s.durationMs, s.parts.reduce((n, p) => n + p.durationMs, 0), 'segment = sum of its parts');
    assert.equal(s.bytes, s.parts.reduce((n, p) => n + p.bytes, 0));
  });
  for (const p of parts) assert.ok(p.durationMs <= 200, `part ${p.msn}.${p.index} ${p.durationMs} ms`);
  // Every video frame comes out once with its dts and composition offset in 90 kHz.
  const out = parts.flatMap((p) => p.runs.filter((r) => r.track.kind === 'video').flatMap((r) => r.samples));
  const vin = frames.filter((f) => f.kind === 'video');
  assert.equal(out.length, vin.length);
  out.forEach((s, i) => {
    assert.equal(s.dts, vin[i]!.dts * 90);
    assert.equal(s.cts, vin[i]!.cts * 90);
  });
  assert.ok(out.some((s) => s.cts > 0), 'the clip has B-frames');
  // Video durations come from the next dts: contiguous.
  out.slice(0, -1).forEach((s, i) => assert.equal(s.dts + s.duration, out[i + 1]!.dts));
  // Audio: every frame once, on a contiguous 1024-sample clock.
  const aout = parts.flatMap((p) => p.runs.filter((r) => r.track.kind === 'audio').flatMap((r) => r.samples));
  assert.equal(aout.length, frames.filter((f) => f.kind === 'audio').length);
  aout.slice(0, -1).forEach((s, i) => assert.equal(s.dts + s.duration, aout[i + 1]!.dts));
});

test('audio-only streams are cut by time; standard mode makes one part per segment', { skip }, () => {
  const { parts, segments } = run(['audio'], 1000, 250);
  assert.ok(segments.length >= 5);
  for (const s of segments.slice(0, -1)) assert.ok(s.durationMs >= 1000 && s.durationMs < 1000 + 22, `segment ${s.durationMs}`);
  // Parts are within half a frame of the target (PART-TARGET is the target + 15 %).
  for (const p of parts) assert.ok(p.durationMs <= 250 + 11, `part ${p.durationMs}`);
  const std = run(['video', 'audio'], 2000, undefined);
  for (const s of std.segments) assert.equal(s.parts.length, 1);
  for (const s of std.segments.slice(0, -1)) assert.equal(s.durationMs, 2000);
});

test('a segment never starts before a keyframe even when the GOP is longer than the target', { skip }, () => {
  const { segments } = run(['video'], 300, 100, 3);
  for (const s of segments.slice(0, -1)) assert.equal(s.durationMs, 1000, 'cut only at the 1 s keyframes');
});

test('a follower cuts where its leader did (not by the target) and takes its first MSN', { skip }, () => {
  // Leader segments start at 0, 1 s and 4 s (keyframes every second); the target (2 s) would cut elsewhere.
  const starts = [0, 1000, 4000];
  const follow: SegmentFollower = {
    cutAt: (t) => (t >= 5000 ? undefined : starts.some((s) => Math.abs(s - t) < 50)),
    msnAt: () => 42,
  };
  const { segments } = run(['video', 'audio'], 2000, 500, 7, follow);
  assert.deepEqual(segments.map((s) => [s.msn, Math.round(s.startMs / 100) * 100]).slice(0, 4), [[42, 0], [43, 1000], [44, 4000], [45, 6000]],
    'leader cuts to 5 s, then the 2 s target rule where the leader is unknown');
});
