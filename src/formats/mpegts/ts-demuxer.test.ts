import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isOnAirError } from '../../core/errors.js';
import { TsDemuxer, type TsDemuxEvent } from './ts-demuxer.js';
import { TsMuxer } from './ts-muxer.js';
import {
  MAX_DEMUX_AUDIO_PES_BYTES, MAX_DEMUX_VIDEO_PES_BYTES, PID_AUDIO, PID_PMT, PID_VIDEO, TIMESTAMP_WRAP, TS_PACKET_SIZE,
} from './limits.js';
import { patSection, pmtSection } from './psi.js';
import { parsePat, parsePmt } from './psi-read.js';
import { crc32Mpeg2 } from './crc32.js';
import { AVCC_320x240, mp3Frame, syntheticStream, type ExpectedFrame } from './testing/synthetic-stream.js';

type Frame = Extract<TsDemuxEvent, { type: 'frame' }>;

function demuxAll(chunks: Iterable<Buffer>, flush = true): { events: TsDemuxEvent[]; d: TsDemuxer } {
  const d = new TsDemuxer();
  const events: TsDemuxEvent[] = [];
  for (const c of chunks) events.push(...d.push(c));
  if (flush) events.push(...d.flush());
  return { events, d };
}

const frames = (events: readonly TsDemuxEvent[], codec?: string): Frame[] =>
  events.filter((e): e is Frame => e.type === 'frame' && (codec === undefined || e.track.codec === codec));

function assertFrames(got: readonly Frame[], want: readonly ExpectedFrame[], what = 'frames'): void {
  assert.equal(got.length, want.length, `${what}: count`);
  got.forEach((f, i) => {
    const w = want[i]!;
    assert.deepEqual([f.track.codec, f.dts, f.pts, f.keyframe], [w.codec, w.dts, w.pts, w.keyframe], `${what} ${i}`);
    assert.ok(f.data.equals(w.data), `${what} ${i}: payload`);
  });
}

/** Golden PSI sections ffmpeg 5.1 wrote (PAT; PMT of H.264 + AAC, of H.264 + mono Opus, of MP3). */
const PSI_GOLDEN = [
  { name: 'PAT', hex: '00b00d0001c100000001f0002ab104b2', encode: () => patSection(PID_PMT) },
  {
    name: 'PMT H.264 + AAC', hex: '02b0170001c10000e100f0001be100f0000fe101f0002f44b99b',
    encode: () => pmtSection(PID_VIDEO, [{ streamType: 0x1b, pid: PID_VIDEO }, { streamType: 0x0f, pid: PID_AUDIO }]),
    streams: [[0x1b, 0x100, 0], [0x0f, 0x101, 0]],
  },
  {
    name: 'PMT H.264 + Opus (registration + extension descriptors)', hex: '02b0210001c10000e100f0001be100f00006e101f00a05044f7075737f028001a3ea4534',
    encode: () => new TsMuxer({ video: { streamType: 0x1b }, audio: { streamType: 0x06, opusChannels: 1 } }).writeTables().subarray(188 + 5, 188 + 5 + 36),
    streams: [[0x1b, 0x100, 0], [0x06, 0x101, 2]],
  },
  { name: 'PMT MP3 only', hex: '02b0120001c10000e100f00003e100f000d786445c', encode: () => pmtSection(PID_VIDEO, [{ streamType: 0x03, pid: PID_VIDEO }]), streams: [[0x03, 0x100, 0]] },
];

for (const g of PSI_GOLDEN) {
  test(`PSI golden (ffmpeg): ${g.name} decodes, and TsMuxer encodes the same bytes`, () => {
    const bytes = Buffer.from(g.hex, 'hex');
    assert.equal(crc32Mpeg2(bytes), 0, 'CRC over the section is 0');
    if (g.streams) {
      const pmt = parsePmt(bytes);
      assert.deepEqual(pmt.streams.map((s) => [s.streamType, s.pid, s.descriptors.length]), g.streams);
      assert.equal(pmt.pcrPid, 0x100);
    } else assert.deepEqual(parsePat(bytes).programs, [{ programNumber: 1, pmtPid: PID_PMT }]);
    assert.equal(g.encode().toString('hex'), g.hex);
  });
}

test('a muxed H.264 + AAC stream demuxes to its frames: AVCC without AUD/SPS/PPS, configs first, timestamps', () => {
  const s = syntheticStream({ videoFrames: 12, gop: 6 });
  const { events, d } = demuxAll([s.ts]);
  assert.equal(events[0]!.type, 'tracks');
  const configs = events.filter((e) => e.type === 'config');
  assert.deepEqual(configs.map((c) => c.type === 'config' && [c.track.codec, c.config.toString('hex')]), [['avc1', AVCC_320x240.toString('hex')], ['mp4a', '1190']]);
  const firstVideo = events.findIndex((e) => e.type === 'frame' && e.track.kind === 'video');
  assert.ok(events.findIndex((e) => e.type === 'config' && e.track.kind === 'video') < firstVideo, 'config before frames');
  assertFrames(frames(events, 'avc1'), s.frames.filter((f) => f.codec === 'avc1'), 'video');
  assertFrames(frames(events, 'mp4a'), s.frames.filter((f) => f.codec === 'mp4a'), 'audio (two ADTS frames per PES, own timestamps)');
  assert.deepEqual([d.stats.ccErrors, d.stats.resyncs, d.stats.droppedBytes, d.stats.errors], [0, 0, 0, 0]);
  assert.equal(d.stats.packets, s.ts.length / TS_PACKET_SIZE);
});

test('split at every byte: any two-part split, and byte-by-byte pushes, give the same events', () => {
  const s = syntheticStream({ videoFrames: 3, gop: 3 });
  const whole = demuxAll([s.ts]).events;
  const shape = (ev: TsDemuxEvent[]): string => JSON.stringify(ev.map((e) => (e.type === 'frame' ? [e.track.pid, e.dts, e.pts, e.data.toString('base64')] : e.type === 'config' ? e.config.toString('hex') : e.type)));
  const want = shape(whole);
  for (let cut = 1; cut < s.ts.length; cut++) {
    assert.equal(shape(demuxAll([s.ts.subarray(0, cut), s.ts.subarray(cut)]).events), want, `cut at ${cut}`);
  }
  const bytes = Array.from({ length: s.ts.length }, (_, i) => s.ts.subarray(i, i + 1));
  assert.equal(shape(demuxAll(bytes).events), want, 'one byte at a time');
});

test('garbage before the first packet and between packets: resync, counted, every frame still found', () => {
  const s = syntheticStream({ videoFrames: 8, gop: 4 });
  // Sync bytes inside the garbage (never 188 apart) must not be taken for packets.
  const garbage = (n: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i % 50 === 7 ? 0x47 : 0x5a)));
  const at = 7 * TS_PACKET_SIZE;
  const noisy = Buffer.concat([garbage(100), s.ts.subarray(0, at), garbage(333), s.ts.subarray(at)]);
  for (const chunk of [noisy.length, 1316, 100]) {
    const parts = Array.from({ length: Math.ceil(noisy.length / chunk) }, (_, i) => noisy.subarray(i * chunk, (i + 1) * chunk));
    const { events, d } = demuxAll(parts);
    assert.equal(d.stats.droppedBytes, 433, `chunk ${chunk}`);
    assert.equal(d.stats.resyncs, 2);
    assertFrames(frames(events, 'avc1'), s.frames.filter((f) => f.codec === 'avc1'));
  }
});

test('a lost packet is a continuity error: the PES it hit is dropped, the rest is intact; a duplicate is ignored', () => {
  const s = syntheticStream({ videoFrames: 10, gop: 5, audio: false });
  const packets = Array.from({ length: s.ts.length / 188 }, (_, i) => s.ts.subarray(i * 188, (i + 1) * 188));
  const pid = (p: Buffer) => p.readUInt16BE(1) & 0x1fff;
  const pusiIdx = packets.map((p, i) => (pid(p) === PID_VIDEO && p[1]! & 0x40 ? i : -1)).filter((i) => i >= 0);
  // The 4th frame's PES: drop its second packet.
  const victim = pusiIdx[3]! + 1;
  assert.ok(pid(packets[victim]!) === PID_VIDEO && !(packets[victim]![1]! & 0x40));
  const lossy = demuxAll([Buffer.concat(packets.filter((_, i) => i !== victim))]);
  assert.equal(lossy.d.stats.ccErrors, 1);
  const want = s.frames.filter((_, i) => i !== 3);
  assertFrames(frames(lossy.events), want);
  assert.ok(lossy.events.some((e) => e.type === 'error' && isOnAirError(e.error, 'ONAIR_ERR_MALFORMED') && e.pid === PID_VIDEO));

  const dup = demuxAll([Buffer.concat(packets.flatMap((p, i) => (i === victim ? [p, p] : [p])))]);
  assert.equal(dup.d.stats.ccErrors, 0, 'a packet sent twice is allowed (§2.4.3.3)');
  assertFrames(frames(dup.events), s.frames);
});

test('PMT change mid-stream (AAC -> MP3, new version): a new tracks event, the new codec read from there on', () => {
  const m = new TsMuxer({ video: { streamType: 0x1b }, audio: { streamType: 0x0f } });
  const first = syntheticStream({ videoFrames: 5, gop: 5, muxer: m });
  m.reconfigure({ video: { streamType: 0x1b }, audio: { streamType: 0x03 } });
  const second = syntheticStream({ videoFrames: 5, gop: 5, start90k: 126_000 + 5 * 3600, audio: false, muxer: m });
  const mp3 = [mp3Frame(1), mp3Frame(2)];
  const mp3Pes = m.writeAudio({ pts90k: 200_000, data: Buffer.concat(mp3) });
  const { events } = demuxAll([first.ts, second.ts, mp3Pes]);
  const tracks = events.filter((e) => e.type === 'tracks');
  assert.deepEqual(tracks.map((t) => t.type === 'tracks' && t.tracks.map((x) => x.codec)), [['avc1', 'mp4a'], ['avc1', '.mp3']]);
  assert.equal(frames(events, 'avc1').length, 10, 'video goes on through the change');
  const got = frames(events, '.mp3');
  assert.deepEqual(got.map((f) => [f.dts, f.data.length]), [[200_000, 417], [200_000 + 2351, 417]], '1152 samples at 44.1 kHz = 2351.02 ticks');
  assert.ok(got[1]!.data.equals(mp3[1]!));
});

test('33-bit wrap: timestamps keep rising across 2^33 (unwrapped), and the wrap is counted', () => {
  const start = TIMESTAMP_WRAP - 5 * 3600;
  const s = syntheticStream({ videoFrames: 12, gop: 6, start90k: start });
  const { events, d } = demuxAll([s.ts]);
  assertFrames(frames(events, 'avc1'), s.frames.filter((f) => f.codec === 'avc1'));
  assertFrames(frames(events, 'mp4a'), s.frames.filter((f) => f.codec === 'mp4a'));
  assert.ok(frames(events).at(-1)!.dts > TIMESTAMP_WRAP);
  assert.equal(d.stats.timestampWraps, 1);
});

test('flush takes a last packet that no sync byte followed (garbage, then the final packet, then the end)', () => {
  const s = syntheticStream({ videoFrames: 2, gop: 2, audio: false });
  const last = s.ts.length - 188;
  const { events, d } = demuxAll([s.ts.subarray(0, last), Buffer.alloc(10, 0x5a), s.ts.subarray(last)]);
  assert.equal(d.stats.packets, s.ts.length / 188, 'the last packet too');
  assertFrames(frames(events), s.frames);
});

test('truncated at any point: no throw, and every frame found is one of the whole stream (in order)', () => {
  const s = syntheticStream({ videoFrames: 6, gop: 3 });
  const full = frames(demuxAll([s.ts]).events);
  for (let n = 0; n < s.ts.length; n += 61) {
    const got = frames(demuxAll([s.ts.subarray(0, n)], false).events);
    got.forEach((f, i) => {
      const j = full.findIndex((x) => x.track.pid === f.track.pid && x.dts === f.dts);
      assert.ok(j >= 0 && full[j]!.data.equals(f.data), `prefix ${n}: frame ${i} is whole`);
    });
  }
});

/** One TS packet on `pid` carrying `payload` (<= 184 bytes; shorter ones are stuffed in the adaptation field). */
function rawPacket(pid: number, cc: number, pusi: boolean, payload: Buffer): Buffer {
  const p = Buffer.alloc(188, 0xff);
  p[0] = 0x47;
  p.writeUInt16BE((pusi ? 0x4000 : 0) | pid, 1);
  const stuff = 184 - payload.length;
  if (stuff > 0) {
    p[3] = 0x30 | cc;
    p[4] = stuff - 1;
    if (stuff > 1) p[5] = 0;
  } else p[3] = 0x10 | cc;
  payload.copy(p, 4 + stuff);
  return p;
}

function tablesFor(streams: { streamType: number; pid: number }[]): Buffer {
  return Buffer.concat([
    rawPacket(0, 0, true, Buffer.concat([Buffer.of(0), patSection(PID_PMT)])),
    rawPacket(PID_PMT, 0, true, Buffer.concat([Buffer.of(0), pmtSection(streams[0]!.pid, streams)])),
  ]);
}

test('a PES that outgrows its cap is dropped with a LIMIT error; memory stays at the cap', () => {
  const d = new TsDemuxer();
  d.push(tablesFor([{ streamType: 0x1b, pid: PID_VIDEO }]));
  // PES_packet_length 0 (unbounded video) that never ends.
  const head = Buffer.from('000001e00000' + '8480052100010001' + '00000001' + '65', 'hex');
  const body = Buffer.alloc(184, 0x77);
  const errors: TsDemuxEvent[] = [];
  let cc = 0;
  errors.push(...d.push(rawPacket(PID_VIDEO, cc++, true, head)));
  const chunk: Buffer[] = [];
  let maxBuffered = 0;
  for (let sent = 0; sent < MAX_DEMUX_VIDEO_PES_BYTES + 200_000; sent += 184) {
    chunk.push(rawPacket(PID_VIDEO, cc++ & 15, false, body));
    if (chunk.length === 1000) {
      errors.push(...d.push(Buffer.concat(chunk)));
      chunk.length = 0;
      maxBuffered = Math.max(maxBuffered, d.bufferedBytes);
    }
  }
  errors.push(...d.push(Buffer.concat(chunk)));
  const limits = errors.filter((e) => e.type === 'error' && isOnAirError(e.error, 'ONAIR_ERR_LIMIT'));
  assert.equal(limits.length, 1);
  assert.ok(maxBuffered <= MAX_DEMUX_VIDEO_PES_BYTES + 188, `buffered ${maxBuffered}`);
  assert.equal(d.bufferedBytes, 0, 'the rest of the oversized PES is discarded, not buffered');
  assert.equal(frames(errors).length, 0);
});

test('audio PES declaring more than its cap allows: LIMIT before anything is buffered', () => {
  assert.ok(0xffff + 6 < MAX_DEMUX_AUDIO_PES_BYTES, 'a declared length always fits the audio cap');
  const d = new TsDemuxer();
  d.push(tablesFor([{ streamType: 0x0f, pid: PID_AUDIO }]));
  const head = Buffer.from('000001c0ffff' + '8480052100010001', 'hex');
  const ev = d.push(Buffer.concat([rawPacket(PID_AUDIO, 0, true, head), rawPacket(PID_AUDIO, 1, true, head)]));
  assert.ok(ev.some((e) => e.type === 'error' && isOnAirError(e.error, 'ONAIR_ERR_TRUNCATED')), 'a declared PES cut by the next unit start is reported');
});

test('PSI: a bad CRC, an oversized section and a PMT with too many streams are typed errors; no tracks from them', () => {
  const pat = rawPacket(0, 0, true, Buffer.concat([Buffer.of(0), patSection(PID_PMT)]));
  const pmt = Buffer.concat([Buffer.of(0), pmtSection(PID_VIDEO, [{ streamType: 0x1b, pid: PID_VIDEO }])]);
  pmt[10] = pmt[10]! ^ 0x01;
  let ev = new TsDemuxer().push(Buffer.concat([pat, rawPacket(PID_PMT, 0, true, pmt), Buffer.alloc(1)]));
  assert.ok(ev.some((e) => e.type === 'error' && /CRC/.test(e.error.message)));
  assert.ok(!ev.some((e) => e.type === 'tracks'));

  const huge = Buffer.from([0, 0x02, 0xb3, 0xfe]); // section_length 1022: 1025 bytes, over MAX_PSI_SECTION_BYTES
  ev = new TsDemuxer().push(Buffer.concat([pat, rawPacket(PID_PMT, 0, true, huge), Buffer.alloc(1)]));
  assert.ok(ev.some((e) => e.type === 'error' && isOnAirError(e.error, 'ONAIR_ERR_LIMIT')));

  const many = Array.from({ length: 33 }, (_, i) => ({ streamType: 0x1b, pid: 0x200 + i }));
  const section = Buffer.concat([Buffer.of(0), pmtSection(PID_VIDEO, many)]);
  const packets = [rawPacket(PID_PMT, 0, true, section.subarray(0, 184)), rawPacket(PID_PMT, 1, false, section.subarray(184))];
  ev = new TsDemuxer().push(Buffer.concat([pat, ...packets, Buffer.alloc(1)]));
  assert.ok(ev.some((e) => e.type === 'error' && isOnAirError(e.error, 'ONAIR_ERR_LIMIT')), 'a section spanning two packets is reassembled, then refused');
});

test('transport_error_indicator packets are skipped and counted; a video PES without PTS is an error', () => {
  const s = syntheticStream({ videoFrames: 4, gop: 4, audio: false });
  const flagged = Buffer.from(s.ts);
  const last = flagged.length - 188;
  flagged[last + 1] = flagged[last + 1]! | 0x80;
  const { d, events } = demuxAll([flagged]);
  assert.equal(d.stats.transportErrors, 1);
  assert.equal(frames(events).length, 3, 'the flagged packet took its frame with it (declared length never reached)');

  const dd = new TsDemuxer();
  dd.push(tablesFor([{ streamType: 0x1b, pid: PID_VIDEO }]));
  const noPts = Buffer.from('000001e00009' + '800000' + '0000000165aa', 'hex');
  const ev = dd.push(rawPacket(PID_VIDEO, 0, true, noPts));
  assert.ok(ev.some((e) => e.type === 'error' && /without a PTS/.test(e.error.message)));
});

test('Opus in TS (TsMuxer writes control headers): OpusHead config from the descriptor, frames timed by their TOC', () => {
  const m = new TsMuxer({ audio: { streamType: 0x06, opusChannels: 2 } });
  const packets = [Buffer.from([0xfc, 1, 2, 3]), Buffer.concat([Buffer.of(0xfc), Buffer.alloc(600, 9)]), Buffer.from([0xfd, 7, 7])];
  const ts = Buffer.concat([m.writeTables(), ...packets.map((data, i) => m.writeAudio({ pts90k: 90_000 + i * 1800, data }))]);
  const { events } = demuxAll([ts]);
  const config = events.find((e) => e.type === 'config');
  assert.equal(config?.type === 'config' && config.config.toString('hex'), '4f707573486561640102000080bb0000000000');
  const got = frames(events);
  assert.deepEqual(got.map((f) => [f.track.codec, f.dts, f.data.length]), [['Opus', 90_000, 4], ['Opus', 91_800, 601], ['Opus', 93_600, 3]]);
  assert.ok(got[1]!.data.equals(packets[1]!), 'an au_size over 255 (0xFF continuation) reads back');
});

test('property: any bytes, and any mutation of a valid stream, give events or typed errors, never a throw, bounded buffering', () => {
  const valid = syntheticStream({ videoFrames: 6, gop: 3 }).ts;
  const bound = TS_PACKET_SIZE + MAX_DEMUX_VIDEO_PES_BYTES + MAX_DEMUX_AUDIO_PES_BYTES;
  const check = (chunks: Buffer[]): void => {
    const d = new TsDemuxer();
    for (const c of chunks) {
      for (const e of d.push(c)) if (e.type === 'error') assert.ok(isOnAirError(e.error));
      assert.ok(d.bufferedBytes <= bound);
    }
    d.flush();
  };
  fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 600 }), { maxLength: 8 }), (parts) => check(parts.map((p) => Buffer.from(p)))), { numRuns: 300 });
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 40 }), fc.nat(valid.length), (edits, cut) => {
      const b = Buffer.from(valid);
      for (const [at, v] of edits) b[at] = v;
      check([b.subarray(0, cut), b.subarray(cut)]);
    }),
    { numRuns: 300 },
  );
});
