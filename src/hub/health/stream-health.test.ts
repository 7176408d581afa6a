import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HealthHarness, TEST_THRESHOLDS, arrive, audioFrames, frame, videoFrames, type Arrival } from './testing/health-harness.js';
import type { MediaPacket } from '../../core/media-packet.js';
import type { HealthEvaluation } from './health-types.js';

const av = (video: Parameters<typeof videoFrames>[0], audioBytes = 64): MediaPacket[] => [
  ...videoFrames(video),
  ...audioFrames({ sampleRate: 48000, bytes: audioBytes, durationMs: video.durationMs }),
];

test('30 fps, 1250-byte frames, GOP 120: 300 kbps, 30 fps, keyframes every 4 s, healthy', () => {
  const h = new HealthHarness().play(arrive(av({ fps: 30, gop: 120, bytes: 1250, durationMs: 20_000 })), 20_000);
  const e = h.last;
  assert.equal(e.state, 'healthy', JSON.stringify(e.reasons));
  assert.equal(e.video!.bitrateKbps, 300);
  assert.equal(e.video!.fps, 30);
  assert.equal(e.video!.windows['10s'].bitrateKbps, 300);
  assert.equal(e.video!.windows['10s'].fps, 30);
  assert.equal(e.video!.keyframeIntervalMs, 4000);
  assert.equal(e.video!.keyframeIntervalMaxMs, 4000);
  // 64-byte AAC frames at 46.875 per second: 24 kbps
  assert.equal(e.audio!.windows['10s'].bitrateKbps, 24);
  assert.equal(e.ingest!.lateFrames, 0);
  assert.equal(e.ingest!.stalls, 0);
  // arrival is read every ARRIVAL_READ_EVERY messages: offsets are exact to the time a few messages take
  assert.ok(Math.abs(e.ingest!.avOffsetMs!) <= 80, `avOffsetMs ${e.ingest!.avOffsetMs}`);
  assert.ok(Math.abs(e.ingest!.mediaRate! - 1) < 0.01, `mediaRate ${e.ingest!.mediaRate}`);
  assert.ok(Math.abs(e.ingest!.driftMs!) < 50, `driftMs ${e.ingest!.driftMs}`);
});

test('read in 200 ms bursts (merged reads) the figures are the same: rates come from media time', () => {
  const steady = new HealthHarness().play(arrive(av({ fps: 30, gop: 60, bytes: 1000, durationMs: 15_000 })), 15_000).last;
  const bursts = new HealthHarness().play(arrive(av({ fps: 30, gop: 60, bytes: 1000, durationMs: 15_000 }), { burstMs: 200 }), 15_000).last;
  assert.equal(bursts.state, 'healthy', JSON.stringify(bursts.reasons));
  assert.deepEqual(bursts.video!.windows, steady.video!.windows);
  assert.equal(bursts.video!.fps, steady.video!.fps);
  assert.equal(bursts.video!.bitrateKbps, steady.video!.bitrateKbps);
  assert.equal(bursts.ingest!.lateFrames, 0);
  assert.ok(Math.abs(bursts.ingest!.driftMs!) <= 200, `driftMs ${bursts.ingest!.driftMs}`);
});

/** An evaluation without the publisher's start (a wall-clock Date, different per harness) and its A/V offset. */
const media = (e: HealthEvaluation): unknown => ({ ...e, ingest: e.ingest && { ...e.ingest, since: 0, avOffsetMs: 0 } });

test('merged reads marked by the bridge: one clock reading per read, the same figures, A/V offset no further from the truth', () => {
  const arrivals = arrive(av({ fps: 30, gop: 60, bytes: 1000, durationMs: 15_000 }), { burstMs: 200 });
  const unmarked = new HealthHarness().play(arrivals, 15_000);
  const marked = new HealthHarness(TEST_THRESHOLDS, { marksReads: true }).play(arrivals, 15_000);
  assert.deepEqual(marked.evaluations.map(media), unmarked.evaluations.map(media));
  // Both tracks of a moment arrive in the same read: the true offset is 0. Per 50 ms of media a message may take
  // the reading of the read before (up to a burst early); per read it takes its own read's.
  marked.evaluations.forEach((e, i) => {
    assert.ok(Math.abs(e.ingest!.avOffsetMs!) <= Math.abs(unmarked.evaluations[i]!.ingest!.avOffsetMs!), `evaluation ${i}`);
  });
  assert.equal(marked.last.ingest!.avOffsetMs, 0);
  // 76 reads (media 0 alone at 0, then one every 200 ms to 15 s) plus 15 evaluations; per 50 ms of media it is
  // about four a read
  assert.equal(marked.clockReads, 76 + 15);
  assert.ok(unmarked.clockReads > 3 * 75, `unmarked clock reads ${unmarked.clockReads}`);
});

test('one marked read holding seconds of media (a burst, or reads continuing a full one) takes a reading per second of media', () => {
  const burst = (durationMs: number): Arrival[] => [...av({ fps: 30, gop: 60, bytes: 1000, durationMs })]
    .sort((a, b) => a.dts - b.dts)
    .map((p) => ({ p, at: 500 }));
  // 3 s of media in one read: readings at media 0, 1 s and 2 s, plus the evaluation at 1 s
  assert.equal(new HealthHarness(TEST_THRESHOLDS, { marksReads: true }).play(burst(3000), 1000).clockReads, 3 + 1);
  // under a second of media in one read: one reading
  assert.equal(new HealthHarness(TEST_THRESHOLDS, { marksReads: true }).play(burst(900), 1000).clockReads, 1 + 1);
});

test('reads marked by the bridge: a stall between two reads is counted as before; one message per read reads as before', () => {
  const packets = av({ fps: 25, gop: 25, bytes: 800, durationMs: 16_000 });
  const arrivals = arrive(packets).map((a): Arrival => (a.at >= 6000 && a.at < 11_000 ? { ...a, at: 11_000 } : a));
  const unmarked = new HealthHarness().play(arrivals, 16_000);
  const marked = new HealthHarness(TEST_THRESHOLDS, { marksReads: true }).play(arrivals, 16_000);
  assert.equal(marked.last.ingest!.stalls, 1);
  assert.deepEqual(marked.evaluations, unmarked.evaluations.map((e, i) => ({ ...e, ingest: { ...e.ingest!, since: marked.evaluations[i]!.ingest!.since } })));
  assert.ok(marked.clockReads < unmarked.clockReads, `${marked.clockReads} vs ${unmarked.clockReads}`);
  const steady = arrive(packets);
  const each = new HealthHarness(TEST_THRESHOLDS, { marksReads: true }).play(steady, 16_000);
  assert.equal(each.clockReads, new HealthHarness().play(steady, 16_000).clockReads);
});

test('GOP 150 at 30 fps: keyframe_interval_high (warning) from the first long GOP, with a stable since', () => {
  const h = new HealthHarness().play(arrive(av({ fps: 30, gop: 150, bytes: 500, durationMs: 12_000 })), 12_000);
  const first = h.evaluations.findIndex((e) => e.state === 'warning');
  // no keyframe for over 4 s is already news before the second keyframe lands at 5 s
  assert.ok(first >= 3 && first <= 5, `first warning at evaluation ${first}`);
  const e = h.last;
  assert.equal(e.state, 'warning');
  assert.deepEqual(e.reasons.map((r) => r.code), ['keyframe_interval_high']);
  assert.equal(e.video!.keyframeIntervalMs, 5000);
  assert.equal(e.reasons[0]!.since, h.evaluations[first]!.reasons[0]!.since);
  assert.match(e.reasons[0]!.message, /keyframes every 5\.0 s/);
});

test('a stall: critical stalled while nothing arrives (last-second figures 0), healthy again after, counted once', () => {
  const packets = av({ fps: 25, gop: 25, bytes: 800, durationMs: 16_000 });
  // the encoder stops at media 6 s for 5 s, then sends what it held at once and goes on (ffmpeg -re after SIGCONT)
  const arrivals = arrive(packets).map((a): Arrival => (a.at >= 6000 && a.at < 11_000 ? { ...a, at: 11_000 } : a));
  const h = new HealthHarness().play(arrivals, 16_000);
  const during = h.evaluations[9]!; // 10 s: 4 s of silence
  assert.equal(during.state, 'critical');
  assert.deepEqual(during.reasons.map((r) => r.code), ['stalled']);
  assert.equal(during.video!.bitrateKbps, 0);
  assert.equal(during.video!.fps, 0);
  assert.equal(h.last.state, 'healthy', JSON.stringify(h.last.reasons));
  assert.equal(h.last.ingest!.stalls, 1);
  assert.ok(h.last.ingest!.lateFrames > 0, 'frames held by the stall arrived late');
});

test('an encoder 20 % slower than real time: timestamp_drift, media rate 0.8', () => {
  const h = new HealthHarness().play(arrive(av({ fps: 30, gop: 60, bytes: 500, durationMs: 12_000 }), { rate: 0.8 }), 14_000);
  const e = h.last;
  assert.equal(e.state, 'warning');
  assert.ok(e.reasons.some((r) => r.code === 'timestamp_drift'), JSON.stringify(e.reasons));
  assert.ok(Math.abs(e.ingest!.mediaRate! - 0.8) < 0.02, `mediaRate ${e.ingest!.mediaRate}`);
  assert.ok(e.ingest!.driftMs! > 2000, `driftMs ${e.ingest!.driftMs}`);
});

test('a fast encoder (no -re) drifts the other way', () => {
  const h = new HealthHarness().play(arrive(av({ fps: 30, gop: 60, bytes: 500, durationMs: 30_000 }), { rate: 1.5 }), 18_000);
  assert.ok(h.last.ingest!.driftMs! < -1000, `driftMs ${h.last.ingest!.driftMs}`);
  assert.match(h.last.reasons.find((r) => r.code === 'timestamp_drift')!.message, /runs ahead/);
});

test('audio only: no video figures, audio bitrate, healthy', () => {
  const h = new HealthHarness().play(arrive(audioFrames({ sampleRate: 44100, bytes: 200, durationMs: 12_000 })), 12_000);
  const e = h.last;
  assert.equal(e.state, 'healthy', JSON.stringify(e.reasons));
  assert.equal(e.video, null);
  // 200 bytes x 44100/1024 frames a second = 68.9 kbps (whole frames per media second: 43 or 44)
  assert.ok(Math.abs(e.audio!.windows['10s'].bitrateKbps! - 69) <= 1, `audio ${e.audio!.windows['10s'].bitrateKbps}`);
});

test('bitrate_drop: the last 10 s under half the 60 s average', () => {
  const good = videoFrames({ fps: 30, gop: 60, bytes: 2000, durationMs: 30_000 });
  const low = videoFrames({ fps: 30, gop: 60, bytes: 400, durationMs: 12_000, startDts: 30_000 });
  const h = new HealthHarness().play(arrive([...good, ...low]), 42_000);
  assert.equal(h.evaluations[29]!.state, 'healthy');
  assert.deepEqual(h.last.reasons.map((r) => r.code), ['bitrate_drop']);
  assert.equal(h.last.video!.windows['10s'].bitrateKbps, 96);
});

test('fps_below_metadata: 15 fps measured, 30 announced', () => {
  const h = new HealthHarness();
  h.health.setMetadata({ framerate: 30, encoder: 'test encoder', width: 640, videodatarate: 500 });
  h.play(arrive(videoFrames({ fps: 15, gop: 30, bytes: 500, durationMs: 12_000 })), 12_000);
  assert.deepEqual(h.last.reasons.map((r) => r.code), ['fps_below_metadata']);
  assert.equal(h.last.video!.metadataFps, 30);
  assert.equal(h.last.video!.metadataBitrateKbps, 500);
  assert.equal(h.last.encoder!.name, 'test encoder');
  assert.deepEqual(h.last.encoder!.settings, { framerate: 30, width: 640, videodatarate: 500 });
});

test('av_desync: video arriving 1.2 s after the audio of the same moment', () => {
  const h = new HealthHarness().play(arrive(av({ fps: 30, gop: 60, bytes: 500, durationMs: 12_000 }), { delay: (p) => (p.kind === 'video' ? 1200 : 0) }), 13_000);
  assert.ok(Math.abs(h.last.ingest!.avOffsetMs! - 1200) <= 80, `avOffsetMs ${h.last.ingest!.avOffsetMs}`);
  assert.deepEqual(h.last.reasons.map((r) => r.code), ['av_desync']);
});

test('thresholds are the caller\'s: a 6 s keyframe limit accepts GOP 150', () => {
  const h = new HealthHarness({ ...TEST_THRESHOLDS, keyframeIntervalMaxMs: 6000 });
  h.play(arrive(av({ fps: 30, gop: 150, bytes: 500, durationMs: 12_000 })), 12_000);
  assert.equal(h.last.state, 'healthy');
});

test('codec configuration: described (H.264 Main 3.1 1280x720), repeats ignored, a change counted', () => {
  const h = new HealthHarness();
  const avcC = Buffer.from('014d401fffe10019674d401feca02802dd8088000003000800000301e078c18cb001000568ebe3cb20', 'hex');
  const config = (data: Buffer): MediaPacket => ({ ...frame('video', 0, 0, true), role: 'config', data });
  h.health.record(config(avcC));
  h.health.record(config(Buffer.from(avcC)));
  h.play(arrive(videoFrames({ fps: 30, gop: 30, bytes: 100, durationMs: 3000 })), 3000);
  assert.deepEqual(
    { codec: h.last.video!.codec, profile: h.last.video!.profile, level: h.last.video!.level, width: h.last.video!.width, height: h.last.video!.height },
    { codec: 'h264', profile: 'Main', level: '3.1', width: 1280, height: 720 });
  assert.equal(h.last.ingest!.configChanges, 0);
  h.health.record(config(Buffer.from([1, 2, 3])));
  assert.equal(h.health.evaluate().ingest!.configChanges, 1);
  assert.equal(h.health.latest.video!.codec, 'h264', 'an unparsable config keeps the codec name');
});

test('encoder settings from onMetaData are capped (count and string length), objects left out', () => {
  const h = new HealthHarness();
  const md: Record<string, unknown> = { encoder: 'x'.repeat(1000), nested: { a: 1 } };
  for (let i = 0; i < 100; i++) md[`k${i}`] = i % 2 ? 'y'.repeat(500) : i;
  h.health.setMetadata(md);
  const e = h.health.evaluate();
  assert.equal(e.encoder!.name!.length, 200);
  assert.equal(Object.keys(e.encoder!.settings).length, 32);
  assert.ok(Object.values(e.encoder!.settings).every((v) => typeof v !== 'string' || v.length === 200));
  assert.ok(!('nested' in e.encoder!.settings));
});

test('offline after stop; a new publisher starts with clean figures', () => {
  const h = new HealthHarness().play(arrive(av({ fps: 30, gop: 150, bytes: 500, durationMs: 8000 })), 8000);
  assert.equal(h.last.state, 'warning');
  h.health.stop();
  const off = h.health.evaluate();
  assert.equal(off.state, 'offline');
  assert.equal(off.video, null);
  h.health.start(h.pub);
  assert.equal(h.health.evaluate().reasons.length, 0);
});

test('healthy evaluations share one frozen empty reason list; a reason that ends is forgotten (a new one starts a new since)', () => {
  const h = new HealthHarness().play(arrive(av({ fps: 30, gop: 60, bytes: 500, durationMs: 5000 })), 5000);
  assert.equal(h.last.state, 'healthy');
  assert.equal(h.last.reasons, h.evaluations[h.evaluations.length - 2]!.reasons);
  assert.ok(Object.isFrozen(h.last.reasons));
  // silence: stalled from the first evaluation more than stallMs after the last frame, then media again, then silence again
  h.play([], 8000);
  const stalled = h.last.reasons[0]!;
  assert.equal(stalled.code, 'stalled');
  h.play(arrive([...videoFrames({ fps: 30, gop: 60, bytes: 500, durationMs: 3000, startDts: 8000 }), ...audioFrames({ sampleRate: 48000, bytes: 64, durationMs: 3000, startDts: 8000 })]), 11_000);
  assert.equal(h.last.state, 'healthy', JSON.stringify(h.last.reasons));
  h.play([], 15_000);
  assert.equal(h.last.reasons[0]!.code, 'stalled');
  assert.ok(h.last.reasons[0]!.since > stalled.since, 'the second stall has its own since');
});
