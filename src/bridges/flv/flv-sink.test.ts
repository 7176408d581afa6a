import { setImmediate } from 'node:timers/promises';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import type { MediaPacket } from '../../core/media-packet.js';
import { decodeAmf0 } from '../../formats/amf/index.js';
import {
  FlvReader, flvFileHeader, flvTag, parseAudioTagBody, parseVideoTagBody, tagBodyHeader, type FlvFileHeaderInfo, type FlvTag,
} from '../../formats/flv/index.js';
import { StreamHub, type Publisher } from '../../hub/index.js';
import { packet } from '../../hub/testing/hub-fixtures.js';
import { FlvFanout } from './flv-fanout.js';
import { FlvSink, type FlvByteTarget } from './flv-sink.js';
import { flvTracksOf, type FlvTracks } from './flv-tracks.js';
import { NO_FRAMING } from './shared-flv-batches.js';

const log = pino({ level: 'silent' });
const info = { protocol: 'test', remoteAddress: '127.0.0.1' };
const BUDGET = 10_000;

/**
 * A byte target that keeps every write; `pendingBytes` is settable to play a stalled socket. Reading it first
 * flushes its sink (what the fan-out's flush round would do at the end of the turn).
 */
class RecordingTarget implements FlvByteTarget {
  readonly framing = NO_FRAMING;
  pendingBytes = 0;
  sink: FlvSink | undefined;
  /** The write calls as made, without flushing first. */
  readonly writeCalls: Buffer[][] = [];
  write(parts: readonly Buffer[]): void {
    this.writeCalls.push([...parts]);
  }
  writeOne(bytes: Buffer): void {
    this.writeCalls.push([bytes]);
  }
  get writes(): Buffer[][] {
    this.sink?.flush();
    return this.writeCalls;
  }
  parsed(): { header: FlvFileHeaderInfo | undefined; tags: FlvTag[] } {
    const r = new FlvReader().push(Buffer.concat(this.writes.flat()));
    return { header: r.header, tags: r.tags };
  }
}

function newHub(budgetBytes = BUDGET): StreamHub {
  return new StreamHub({ gop: { maxBytes: 1 << 20, maxMs: 10_000 }, subscriber: { budgetBytes, slowTimeoutMs: 60_000 }, takeover: 'takeover' }, log);
}

const vcfg = packet('video', 0, { role: 'config', keyframe: false, data: Buffer.from([1, 0x64, 0, 0x1f]) });
const acfg = packet('audio', 0, { role: 'config', data: Buffer.from([0x11, 0x90]) });

/** Subscribes an FlvSink the way the HTTP-FLV route does: tracks from the stream's cache and metadata first. */
function subscribeFlv(hub: StreamHub, fanout = new FlvFanout(), path = 'live/a') {
  const stream = hub.stream(path)!;
  const tracks = flvTracksOf(stream.metadata, stream.gop.snapshot());
  const target = new RecordingTarget();
  const closes: string[] = [];
  const sink = new FlvSink(target, tracks, fanout, { onClose: (r) => closes.push(r) });
  target.sink = sink;
  const sub = hub.subscribe(path, info, sink);
  return { target, sink, sub, closes, tracks };
}

function publishAv(hub: StreamHub, opts: { audio?: boolean; video?: boolean; start?: number } = {}): Publisher {
  const pub = hub.publish('live/a', info);
  const t0 = opts.start ?? 0;
  if (opts.video !== false) pub.push({ ...vcfg, dts: t0 });
  if (opts.audio !== false) pub.push({ ...acfg, dts: t0 });
  if (opts.video !== false) pub.push(packet('video', t0, { keyframe: true, cts: 40 }));
  if (opts.audio !== false) pub.push(packet('audio', t0 + 10));
  return pub;
}

const flagCases: { name: string; audio: boolean; video: boolean }[] = [
  { name: 'audio+video', audio: true, video: true },
  { name: 'audio only', audio: true, video: false },
  { name: 'video only', audio: false, video: true },
];
for (const c of flagCases) {
  test(`the FLV header flags are true to a ${c.name} stream`, () => {
    const hub = newHub();
    publishAv(hub, c);
    const { target } = subscribeFlv(hub);
    const { header, tags } = target.parsed();
    assert.deepEqual({ audio: header?.audio, video: header?.video }, { audio: c.audio, video: c.video });
    assert.equal(tags.some((t) => t.typeId === 8), c.audio);
    assert.equal(tags.some((t) => t.typeId === 9), c.video);
  });
}

test('a track seen only in metadata (MP3 has no config) is flagged; hasAudio false is respected', () => {
  const mp3 = flvTracksOf({ audiocodecid: 2, videocodecid: 7 }, [vcfg]);
  assert.deepEqual(mp3, { audio: true, video: true });
  assert.deepEqual(flvTracksOf({ audiocodecid: 2, hasAudio: false }, [vcfg]), { audio: false, video: true });
  // VP9 and Speex have no form mpegts.js plays: not announced, so the player does not wait for them.
  assert.deepEqual(flvTracksOf({ videocodecid: Buffer.from('vp09').readUInt32BE(0), audiocodecid: 11 }, []), { audio: false, video: false });
  assert.deepEqual(flvTracksOf(undefined, [packet('video', 0, { codec: 'vp09', role: 'config' }), acfg]), { audio: true, video: false });
});

test('onMetaData goes out with hasAudio/hasVideo rewritten to the header flags', () => {
  const hub = newHub();
  const pub = hub.publish('live/a', info);
  pub.setMetadata({ width: 640, hasAudio: true, audiocodecid: 10, videocodecid: 7 });
  pub.push(vcfg);
  pub.push(packet('video', 0, { keyframe: true }));
  // Publisher claims audio but, say, it was unplayable: the sink is told video only.
  const target = new RecordingTarget();
  const tracks: FlvTracks = { audio: false, video: true };
  target.sink = new FlvSink(target, tracks, new FlvFanout(), { onClose() {} });
  hub.subscribe('live/a', info, target.sink);
  const script = target.parsed().tags.find((t) => t.typeId === 18)!;
  const [name, meta] = decodeAmf0(script.body) as [string, Record<string, unknown>];
  assert.equal(name, 'onMetaData');
  assert.equal(meta.hasAudio, false);
  assert.equal(meta.hasVideo, true);
  assert.equal(meta.width, 640);
});

test('tag timestamps are rebased per subscriber; bodies carry the composition time', () => {
  const hub = newHub();
  const pub = publishAv(hub, { start: 5000 });
  const first = subscribeFlv(hub);
  pub.push(packet('video', 5040));
  pub.push(packet('video', 5080, { keyframe: true }));
  const second = subscribeFlv(hub);
  pub.push(packet('video', 5120));
  const ts = (t: RecordingTarget) => t.parsed().tags.filter((x) => x.typeId === 9).map((x) => x.timestamp);
  assert.deepEqual(ts(first.target), [0, 0, 40, 80, 120]); // config, key@5000, 5040, key@5080, 5120
  assert.deepEqual(ts(second.target), [0, 0, 40]); // config, key@5080, 5120
  const key = first.target.parsed().tags.filter((x) => x.typeId === 9)[1]!;
  const [p] = parseVideoTagBody(key.body, key.timestamp);
  assert.equal(p!.cts, 40);
  assert.equal(p!.keyframe, true);
});

test('viewers joined in one GOP share each whole tag and each round\'s batch; another cohort shares the payload only', async () => {
  const hub = newHub();
  const fanout = new FlvFanout();
  const pub = publishAv(hub);
  const a = subscribeFlv(hub, fanout);
  const a2 = subscribeFlv(hub, fanout); // joined at the same keyframe as a: same timestamps
  pub.push(packet('video', 40, { keyframe: true }));
  const b = subscribeFlv(hub, fanout); // rebased at the keyframe at 40
  for (const v of [a, a2, b]) v.target.writes.length = 0; // the start-up bursts are each viewer's own
  const frame = packet('video', 80, { data: Buffer.alloc(3000, 7) });
  pub.push(packet('audio', 60));
  pub.push(frame);
  assert.equal(a.target.writeCalls.length, 0, 'nothing written before the round ends');
  assert.ok(a.sink.pendingBytes > 3000, 'queued bytes count toward the hub budget before the flush');
  await setImmediate();
  for (const v of [a, a2, b]) {
    assert.equal(v.target.writeCalls.length, 1, 'the audio waited for the video frame: one write per round');
    assert.equal(v.target.writeCalls[0]!.length, 1, 'one buffer, not a vector');
  }
  assert.equal(a.target.writes[0]![0], a2.target.writes[0]![0], 'the same batch buffer for one cohort');
  assert.notEqual(a.target.writes[0]![0], b.target.writes[0]![0]);
  const tagsOf = (t: RecordingTarget) => new FlvReader().push(Buffer.concat([FLV_HEAD, ...t.writes.flat()])).tags;
  assert.deepEqual(tagsOf(a.target).map((t) => [t.typeId, t.timestamp]), [[8, 60], [9, 80]]);
  assert.deepEqual(tagsOf(b.target).map((t) => [t.typeId, t.timestamp]), [[8, 20], [9, 40]]);
  assert.deepEqual(tagsOf(b.target)[1]!.body.subarray(5), frame.data);
});

/** An FLV file header to parse a mid-stream capture with. */
const FLV_HEAD = flvFileHeader({ audio: true, video: true });

/** The bytes the per-viewer path wrote before shared serialization: file header, then header + body + trailer per tag. */
function oldPathBytes(tracks: FlvTracks, tags: { p: MediaPacket; dts: number }[]): Buffer {
  const out = [flvFileHeader(tracks)];
  for (const { p, dts } of tags) out.push(flvTag(p.kind === 'video' ? 9 : 8, dts, Buffer.concat([tagBodyHeader(p), p.data])));
  return Buffer.concat(out);
}

test('shared serialization is byte for byte the per-viewer FLV, for whole-tag cohorts and for the parts fallback', () => {
  const hub = newHub();
  const fanout = new FlvFanout();
  const pub = hub.publish('live/a', info);
  pub.push(vcfg);
  pub.push(acfg);
  const sent: MediaPacket[] = [vcfg, acfg];
  const viewers: ReturnType<typeof subscribeFlv>[] = [];
  // Twelve cohorts (one per keyframe): more than a tag serializes whole, so the later ones take the parts path.
  for (let k = 0; k < 12; k++) {
    const key = packet('video', k * 100, { keyframe: true, cts: 40, data: Buffer.alloc(500 + k, k) });
    pub.push(key);
    sent.push(key);
    viewers.push(subscribeFlv(hub, fanout));
    const aud = packet('audio', k * 100 + 30, { data: Buffer.alloc(50, k) });
    pub.push(aud);
    sent.push(aud);
  }
  const last = packet('video', 1200, { cts: 0, data: Buffer.alloc(2000, 0xee) });
  pub.push(last);
  sent.push(last);
  viewers.forEach((v, k) => {
    // Viewer k joined at keyframe k: configs (dts 0), then everything from that keyframe, rebased to it.
    const base = k * 100;
    const expected = oldPathBytes(v.tracks, [
      { p: vcfg, dts: 0 }, { p: acfg, dts: 0 },
      ...sent.filter((p) => p.role === 'frame' && p.dts >= base).map((p) => ({ p, dts: p.dts - base })),
    ]);
    assert.deepEqual(Buffer.concat(v.target.writes.flat()), expected, `viewer ${k}`);
  });
  // Round trip: the parser reads back every body as sent.
  const tags = new FlvReader().push(Buffer.concat(viewers[11]!.target.writes.flat())).tags;
  assert.deepEqual(tags.at(-1)!.body, Buffer.concat([tagBodyHeader(last), last.data]));
});

test('a viewer over its byte budget is dropped to the next keyframe; the hub sees its pendingBytes', () => {
  const hub = newHub();
  const pub = publishAv(hub);
  const { target, sub } = subscribeFlv(hub);
  const before = target.writes.length;
  target.pendingBytes = BUDGET + 1; // the socket stopped taking bytes
  pub.push(packet('video', 40));
  pub.push(packet('audio', 50));
  assert.equal(target.writes.length, before, 'nothing written while over budget');
  assert.equal(sub.stats.dropEpisodes, 1);
  target.pendingBytes = 0;
  pub.push(packet('video', 80)); // still dropping: not a keyframe
  assert.equal(target.writes.length, before);
  pub.push(packet('video', 120, { keyframe: true }));
  assert.equal(target.writes.length, before + 1, 'resumes at a keyframe');
});

test('an ingest burst within one turn is written as it comes: the queue stays under 64 KiB plus one tag', () => {
  const hub = newHub(256 * 1024);
  const pub = publishAv(hub);
  const { target, sink, sub } = subscribeFlv(hub);
  target.sink = undefined; // no flush on reading: only what the sink wrote by itself
  let maxQueued = 0;
  for (let i = 1; i <= 200; i++) {
    pub.push(packet('video', i * 33, { data: Buffer.alloc(5000, i) }));
    maxQueued = Math.max(maxQueued, sink.pendingBytes);
  }
  assert.ok(maxQueued < 64 * 1024 + 5100, `queued ${maxQueued}`);
  assert.ok(target.writeCalls.length >= 13, 'about 1 MB went out in 64 KiB batches');
  assert.equal(sub.stats.dropEpisodes, 0, 'a healthy viewer is not dropped by its own queue');
});

test('forms mpegts.js cannot play are left out; E-RTMP H.264/AAC go out in the legacy form', () => {
  const hub = newHub();
  const pub = publishAv(hub);
  const { target, sink } = subscribeFlv(hub);
  const skippedBefore = sink.stats.packetsSkipped;
  const opaque: MediaPacket = { ...packet('video', 40), role: 'opaque', codec: 'avc1', origin: { flvTagHeader: 0x94, exPacketType: 4 } };
  pub.push(opaque); // E-RTMP Metadata packet (type 4)
  pub.push({ ...packet('audio', 45), role: 'end' }); // audio SequenceEnd exists only in E-FLV form
  assert.equal(sink.stats.packetsSkipped - skippedBefore, 2);
  // An H.264 frame and an AAC frame that arrived in E-RTMP form (0x92 'avc1' CodedFramesX; 0x91 'mp4a').
  pub.push({ ...packet('video', 80), origin: { flvTagHeader: 0xa3 } });
  pub.push({ ...packet('audio', 90), origin: { flvTagHeader: 0x91 } });
  const tags = target.parsed().tags.slice(-2);
  assert.equal(tags[0]!.body[0], 0x27, 'legacy AVC inter frame');
  assert.equal(tags[1]!.body[0], 0xaf, 'legacy AAC');
  assert.equal(parseAudioTagBody(tags[1]!.body, 0)[0]!.codec, 'mp4a');
});

test('the sink closes once and writes nothing after', () => {
  const hub = newHub();
  const pub = publishAv(hub);
  const { target, sub, closes } = subscribeFlv(hub);
  sub.close('viewer left');
  sub.close('again');
  const n = target.writes.length;
  pub.push(packet('video', 40, { keyframe: true }));
  assert.deepEqual(closes, ['viewer left']);
  assert.equal(target.writes.length, n);
  assert.equal(hub.stream('live/a')!.subscriberCount, 0);
});
