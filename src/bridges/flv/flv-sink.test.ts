import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import type { MediaPacket } from '../../core/media-packet.js';
import { decodeAmf0 } from '../../formats/amf/index.js';
import { FlvReader, parseAudioTagBody, parseVideoTagBody, type FlvFileHeaderInfo, type FlvTag } from '../../formats/flv/index.js';
import { StreamHub, type Publisher } from '../../hub/index.js';
import { packet } from '../../hub/testing/hub-fixtures.js';
import { FlvSink, type FlvByteTarget } from './flv-sink.js';
import { flvTracksOf, type FlvTracks } from './flv-tracks.js';
import { SharedFlvTags } from './shared-flv-tags.js';

const log = pino({ level: 'silent' });
const info = { protocol: 'test', remoteAddress: '127.0.0.1' };
const BUDGET = 10_000;

/** A byte target that keeps every write; `pendingBytes` is settable to play a stalled socket. */
class RecordingTarget implements FlvByteTarget {
  pendingBytes = 0;
  readonly writes: Buffer[][] = [];
  write(parts: readonly Buffer[]): void {
    this.writes.push([...parts]);
  }
  parsed(): { header: FlvFileHeaderInfo | undefined; tags: FlvTag[] } {
    const r = new FlvReader().push(Buffer.concat(this.writes.flat()));
    return { header: r.header, tags: r.tags };
  }
}

function newHub(): StreamHub {
  return new StreamHub({ gop: { maxBytes: 1 << 20, maxMs: 10_000 }, subscriber: { budgetBytes: BUDGET, slowTimeoutMs: 60_000 }, takeover: 'takeover' }, log);
}

const vcfg = packet('video', 0, { role: 'config', keyframe: false, data: Buffer.from([1, 0x64, 0, 0x1f]) });
const acfg = packet('audio', 0, { role: 'config', data: Buffer.from([0x11, 0x90]) });

/** Subscribes an FlvSink the way the HTTP-FLV route does: tracks from the stream's cache and metadata first. */
function subscribeFlv(hub: StreamHub, shared = new SharedFlvTags(), path = 'live/a') {
  const stream = hub.stream(path)!;
  const tracks = flvTracksOf(stream.metadata, stream.gop.snapshot());
  const target = new RecordingTarget();
  const closes: string[] = [];
  const sink = new FlvSink(target, tracks, shared, { onClose: (r) => closes.push(r) });
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
  hub.subscribe('live/a', info, new FlvSink(target, tracks, new SharedFlvTags(), { onClose() {} }));
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

test('two viewers share each tag body and trailer; only the 11-byte tag header is their own', () => {
  const hub = newHub();
  const shared = new SharedFlvTags();
  const pub = publishAv(hub);
  const a = subscribeFlv(hub, shared);
  pub.push(packet('video', 40, { keyframe: true }));
  const b = subscribeFlv(hub, shared);
  const frame = packet('video', 80, { data: Buffer.alloc(3000, 7) });
  pub.push(frame);
  const lastA = a.target.writes.at(-1)!;
  const lastB = b.target.writes.at(-1)!;
  assert.equal(lastA.length, 4);
  assert.equal(lastA[0]!.length, 11);
  assert.notEqual(lastA[0], lastB[0]); // per-viewer header (timestamps differ)
  assert.notDeepEqual(lastA[0], lastB[0]);
  assert.equal(lastA[1], lastB[1]); // the same body header object
  assert.equal(lastA[2], frame.data); // the payload itself, not a copy
  assert.equal(lastB[2], frame.data);
  assert.equal(lastA[3], lastB[3]);
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
