import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { OnAirError, isOnAirError } from '../../core/errors.js';
import type { MediaPacket } from '../../core/media-packet.js';
import { audioTagBody, parseAudioTagBody, parseVideoTagBody, tagBodyHeader, videoTagBody } from './index.js';

type Expect = Partial<Omit<MediaPacket, 'data'>> & { data: string };
interface Golden { name: string; kind: 'video' | 'audio'; body: string; want: Expect }

const hex = (s: string): string => Buffer.from(s, 'latin1').toString('hex');
const AVCC = '014d401fffe10019674d401feca02802dd8088000003000800000301e078c18cb001000568ebe3cb20';

/**
 * One table drives decode (parse == want), encode (serialize(parse(body)) == body) and the fuzz seeds.
 * `origin` appears only where the wire form differs from the writer's default form.
 */
const GOLDEN: Golden[] = [
  { name: 'legacy AVC config (ffmpeg, OBS)', kind: 'video', body: `1700000000${AVCC}`,
    want: { codec: 'avc1', role: 'config', keyframe: true, cts: 0, data: AVCC } },
  { name: 'legacy AVC keyframe, CTS 80', kind: 'video', body: '1701000050000000026588',
    want: { codec: 'avc1', role: 'frame', keyframe: true, cts: 80, data: '000000026588' } },
  { name: 'legacy AVC inter frame, negative CTS', kind: 'video', body: '2701ffffce000000024101',
    want: { codec: 'avc1', role: 'frame', keyframe: false, cts: -50, data: '000000024101' } },
  { name: 'legacy AVC end of sequence', kind: 'video', body: '1702000000',
    want: { codec: 'avc1', role: 'end', keyframe: true, data: '' } },
  { name: 'legacy AVC disposable frame type 3 keeps its header', kind: 'video', body: '37010000000000000141',
    want: { codec: 'avc1', role: 'frame', keyframe: false, origin: { flvTagHeader: 0x37 }, data: '0000000141' } },
  { name: 'legacy HEVC codec id 12 (non-standard) -> hvc1', kind: 'video', body: '1c0000000001',
    want: { codec: 'hvc1', role: 'config', origin: { flvTagHeader: 0x1c }, data: '01' } },
  { name: 'legacy Sorenson H.263 -> opaque', kind: 'video', body: '220000840081',
    want: { codec: 'flv-video-2', role: 'opaque', keyframe: false, origin: { flvTagHeader: 0x22 }, data: '0000840081' } },
  { name: 'legacy AVC command frame -> opaque', kind: 'video', body: '5700',
    want: { codec: 'avc1', role: 'opaque', origin: { flvTagHeader: 0x57 }, data: '00' } },
  { name: 'legacy AVC unknown AVCPacketType -> opaque', kind: 'video', body: '1709000000',
    want: { codec: 'avc1', role: 'opaque', origin: { flvTagHeader: 0x17 }, data: '09000000' } },
  { name: 'E-RTMP hvc1 SequenceStart', kind: 'video', body: `90${hex('hvc1')}0101`,
    want: { codec: 'hvc1', role: 'config', keyframe: true, data: '0101' } },
  { name: 'E-RTMP hvc1 CodedFrames with CTS', kind: 'video', body: `91${hex('hvc1')}000021000000022601`,
    want: { codec: 'hvc1', role: 'frame', keyframe: true, cts: 33, data: '000000022601' } },
  { name: 'E-RTMP hvc1 CodedFramesX inter', kind: 'video', body: `a3${hex('hvc1')}000000020201`,
    want: { codec: 'hvc1', role: 'frame', keyframe: false, cts: 0, data: '000000020201' } },
  { name: 'E-RTMP hvc1 CodedFrames with CTS 0 (OBS) keeps type 1', kind: 'video', body: `a1${hex('hvc1')}000000000000020201`,
    want: { codec: 'hvc1', role: 'frame', cts: 0, origin: { flvTagHeader: 0xa1 }, data: '000000020201' } },
  { name: 'E-RTMP av01 CodedFrames (no CTS field)', kind: 'video', body: `91${hex('av01')}12000a0b`,
    want: { codec: 'av01', role: 'frame', keyframe: true, cts: 0, data: '12000a0b' } },
  { name: 'E-RTMP av01 SequenceEnd', kind: 'video', body: `92${hex('av01')}`,
    want: { codec: 'av01', role: 'end', data: '' } },
  { name: 'E-RTMP avc1 CodedFrames keeps the E-RTMP form', kind: 'video', body: `91${hex('avc1')}0000280000000165`,
    want: { codec: 'avc1', role: 'frame', cts: 40, origin: { flvTagHeader: 0x91 }, data: '0000000165' } },
  { name: 'E-RTMP Metadata -> opaque', kind: 'video', body: `84${hex('hvc1')}02000a636f6c6f72496e666f`,
    want: { codec: 'hvc1', role: 'opaque', origin: { flvTagHeader: 0x84, exPacketType: 4 }, data: '02000a636f6c6f72496e666f' } },
  { name: 'E-RTMP MPEG2TSSequenceStart -> opaque', kind: 'video', body: `95${hex('av01')}80`,
    want: { codec: 'av01', role: 'opaque', origin: { flvTagHeader: 0x95, exPacketType: 5 }, data: '80' } },
  { name: 'E-RTMP Multitrack OneTrack -> one opaque packet', kind: 'video', body: `9601${hex('hvc1')}01000000022601`,
    want: { codec: 'hvc1', role: 'opaque', origin: { flvTagHeader: 0x96, exPacketType: 6 }, data: `01${hex('hvc1')}01000000022601` } },
  { name: 'E-RTMP ModEx -> opaque', kind: 'video', body: `970300000003a1${hex('hvc1')}`,
    want: { codec: 'flv-video-ex', role: 'opaque', origin: { flvTagHeader: 0x97, exPacketType: 7 }, data: `0300000003a1${hex('hvc1')}` } },
  { name: 'E-RTMP unknown FourCC, CodedFrames -> a keyframe relayed untouched', kind: 'video', body: `91${hex('xyz9')}0102`,
    want: { codec: 'xyz9', role: 'frame', keyframe: true, data: '0102' } },
  { name: 'E-RTMP unknown FourCC, SequenceStart -> config', kind: 'video', body: `90${hex('xyz9')}0a0b`,
    want: { codec: 'xyz9', role: 'config', keyframe: true, data: '0a0b' } },
  { name: 'E-RTMP unknown FourCC, Metadata -> opaque', kind: 'video', body: `94${hex('xyz9')}0102`,
    want: { codec: 'xyz9', role: 'opaque', keyframe: true, origin: { flvTagHeader: 0x94, exPacketType: 4 }, data: '0102' } },
  { name: 'E-RTMP unknown packet type -> opaque', kind: 'video', body: '9c0102',
    want: { codec: 'flv-video-ex', role: 'opaque', origin: { flvTagHeader: 0x9c, exPacketType: 12 }, data: '0102' } },
  { name: 'E-RTMP command frame (v2: UI8 command, no FourCC) -> opaque', kind: 'video', body: 'd101',
    want: { codec: 'flv-video-ex', role: 'opaque', keyframe: false, origin: { flvTagHeader: 0xd1, exPacketType: 1 }, data: '01' } },

  { name: 'AAC config', kind: 'audio', body: 'af001210',
    want: { codec: 'mp4a', role: 'config', keyframe: true, data: '1210' } },
  { name: 'AAC raw frame', kind: 'audio', body: 'af0121100503',
    want: { codec: 'mp4a', role: 'frame', keyframe: true, data: '21100503' } },
  { name: 'AAC with mono flag keeps its header byte', kind: 'audio', body: 'ae012110',
    want: { codec: 'mp4a', role: 'frame', origin: { flvTagHeader: 0xae }, data: '2110' } },
  { name: 'AAC unknown packet type -> opaque', kind: 'audio', body: 'af05aa',
    want: { codec: 'mp4a', role: 'opaque', origin: { flvTagHeader: 0xaf }, data: '05aa' } },
  { name: 'MP3 44.1 kHz stereo', kind: 'audio', body: '2ffffb9044',
    want: { codec: '.mp3', role: 'frame', keyframe: true, data: 'fffb9044' } },
  { name: 'MP3 22.05 kHz mono (ffmpeg flags)', kind: 'audio', body: '2afff360c4',
    want: { codec: '.mp3', role: 'frame', data: 'fff360c4' } },
  { name: 'MP3 8 kHz (SoundFormat 14)', kind: 'audio', body: 'e2ffe388c4',
    want: { codec: '.mp3', role: 'frame', data: 'ffe388c4' } },
  { name: 'PCM little-endian -> flv-audio-3 frame', kind: 'audio', body: '3f00010002',
    want: { codec: 'flv-audio-3', role: 'frame', origin: { flvTagHeader: 0x3f }, data: '00010002' } },
  { name: 'Speex -> flv-audio-11', kind: 'audio', body: 'b2aabb',
    want: { codec: 'flv-audio-11', role: 'frame', origin: { flvTagHeader: 0xb2 }, data: 'aabb' } },
  { name: 'E-RTMP Opus SequenceStart', kind: 'audio', body: `90${hex('Opus')}${hex('OpusHead')}0102`,
    want: { codec: 'Opus', role: 'config', data: `${hex('OpusHead')}0102` } },
  { name: 'E-RTMP Opus frame', kind: 'audio', body: `91${hex('Opus')}fc`,
    want: { codec: 'Opus', role: 'frame', data: 'fc' } },
  { name: 'E-RTMP fLaC SequenceEnd', kind: 'audio', body: `92${hex('fLaC')}`,
    want: { codec: 'fLaC', role: 'end', data: '' } },
  { name: 'E-RTMP mp4a SequenceStart keeps the E-RTMP form', kind: 'audio', body: `90${hex('mp4a')}1210`,
    want: { codec: 'mp4a', role: 'config', origin: { flvTagHeader: 0x90 }, data: '1210' } },
  { name: 'E-RTMP MultichannelConfig -> opaque', kind: 'audio', body: `94${hex('Opus')}0102`,
    want: { codec: 'Opus', role: 'opaque', origin: { flvTagHeader: 0x94, exPacketType: 4 }, data: '0102' } },
  { name: 'E-RTMP audio Multitrack -> opaque', kind: 'audio', body: `9501${hex('Opus')}01fc`,
    want: { codec: 'Opus', role: 'opaque', origin: { flvTagHeader: 0x95, exPacketType: 5 }, data: `01${hex('Opus')}01fc` } },
  { name: 'E-RTMP audio unknown FourCC -> opaque', kind: 'audio', body: `91${hex('abcd')}01`,
    want: { codec: 'abcd', role: 'opaque', origin: { flvTagHeader: 0x91, exPacketType: 1 }, data: '01' } },
];

const parse = (kind: 'video' | 'audio', body: Buffer, ts = 1000): MediaPacket[] =>
  kind === 'video' ? parseVideoTagBody(body, ts) : parseAudioTagBody(body, ts);
const serialize = (p: MediaPacket): Buffer => (p.kind === 'video' ? videoTagBody(p) : audioTagBody(p));

for (const g of GOLDEN) {
  test(`tag body golden: ${g.name}`, () => {
    const body = Buffer.from(g.body, 'hex');
    const [p, ...more] = parse(g.kind, body);
    assert.equal(more.length, 0);
    const { data, ...fields } = g.want;
    assert.equal(p!.data.toString('hex'), data);
    for (const [k, v] of Object.entries(fields)) assert.deepEqual(p![k as keyof MediaPacket], v, k);
    if (!('origin' in fields)) assert.equal(p!.origin, undefined, 'no origin for the default wire form');
    assert.equal(p!.dts, 1000);
    assert.equal(p!.kind, g.kind);
    assert.equal(serialize(p!).toString('hex'), g.body, 'serialize(parse(body)) == body');
    assert.equal(Buffer.concat([tagBodyHeader(p!), p!.data]).toString('hex'), g.body, 'header + data == body');
  });
}

test('bodies too short for their own header -> ONAIR_ERR_TRUNCATED', () => {
  for (const [kind, h] of [['video', ''], ['video', '17'], ['video', '170100'], ['video', '90687663'], ['video', `91${hex('hvc1')}00`],
    ['video', '9601'], ['audio', ''], ['audio', 'af'], ['audio', '906f70'], ['audio', '9501']] as const) {
    assert.throws(() => parse(kind, Buffer.from(h, 'hex')), (e) => isOnAirError(e, 'ONAIR_ERR_TRUNCATED'), `${kind} ${h}`);
  }
});

test('writer: packets without an FLV form -> typed errors', () => {
  const base: MediaPacket = { kind: 'video', codec: 'flv-video-4', role: 'opaque', dts: 0, cts: 0, keyframe: true, data: Buffer.alloc(1) };
  assert.throws(() => videoTagBody(base), (e) => isOnAirError(e, 'ONAIR_ERR_UNSUPPORTED')); // opaque without origin
  assert.throws(() => videoTagBody({ ...base, codec: 'h.264', role: 'frame' }), (e) => isOnAirError(e, 'ONAIR_ERR_UNSUPPORTED'));
  assert.throws(() => videoTagBody({ ...base, codec: 'av01', role: 'frame', cts: 5 }), (e) => isOnAirError(e, 'ONAIR_ERR_UNSUPPORTED'));
  assert.throws(() => videoTagBody({ ...base, codec: 'avc1', role: 'frame', cts: 2 ** 23 }), (e) => isOnAirError(e, 'ONAIR_ERR_UNSUPPORTED'));
  assert.throws(() => audioTagBody(base), (e) => isOnAirError(e, 'ONAIR_ERR_STATE'));
});

test('writer: an origin that no longer fits the packet is ignored, not trusted', () => {
  // A legacy AVC keyframe header on a packet that is not a keyframe: the writer uses the default form.
  const p: MediaPacket = { kind: 'video', codec: 'avc1', role: 'frame', dts: 0, cts: 0, keyframe: false, data: Buffer.from('00', 'hex'), origin: { flvTagHeader: 0x17 } };
  assert.equal(videoTagBody(p).toString('hex'), '270100000000');
  // A CodedFramesX origin on a frame that now has a CTS: type 1 with the CTS.
  const h: MediaPacket = { ...p, codec: 'hvc1', keyframe: true, cts: 7, origin: { flvTagHeader: 0x93 } };
  assert.equal(videoTagBody(h).toString('hex'), `91${hex('hvc1')}00000700`);
});

const VIDEO = ['avc1', 'hvc1', 'vvc1', 'av01', 'vp09', 'vp08'];
const AUDIO = ['mp4a', '.mp3', 'Opus', 'fLaC', 'ac-3', 'ec-3'];
const CTS = new Set(['avc1', 'hvc1', 'vvc1']);

const packetArb: fc.Arbitrary<MediaPacket> = fc
  .record({
    video: fc.boolean(), vi: fc.nat(VIDEO.length - 1), ai: fc.nat(AUDIO.length - 1),
    role: fc.constantFrom('config', 'frame', 'end' as const), keyframe: fc.boolean(),
    cts: fc.integer({ min: -0x800000, max: 0x7fffff }), dts: fc.nat(), data: fc.uint8Array({ maxLength: 24 }),
  })
  .map(({ video, vi, ai, role, keyframe, cts, dts, data }): MediaPacket => {
    const codec = video ? VIDEO[vi]! : AUDIO[ai]!;
    // Only avc1 carries a CTS in every role (legacy AVCPacketType header); hvc1/vvc1 only in frames.
    const hasCts = video && (codec === 'avc1' || (CTS.has(codec) && role === 'frame'));
    return { kind: video ? 'video' : 'audio', codec, role, dts, cts: hasCts ? cts : 0, keyframe: video ? keyframe : true, data: Buffer.from(data) };
  });

test('property: parse(serialize(p)) == p for every supported form', () => {
  fc.assert(fc.property(packetArb, (p) => {
    const back = parse(p.kind, serialize(p), p.dts);
    assert.deepEqual(back, [p]);
  }), { numRuns: 3000 });
});

test('property: any bytes -> packets or OnAirError, and what parses re-encodes to the same bytes', () => {
  const seeds = GOLDEN.map((g) => Buffer.from(g.body, 'hex'));
  const bodies = fc.oneof(
    fc.uint8Array({ maxLength: 40 }).map((u) => Buffer.from(u)),
    fc.tuple(fc.constantFrom(...seeds), fc.nat(), fc.integer({ min: 0, max: 255 }), fc.nat(8)).map(([s, at, v, cut]) => {
      const b = Buffer.from(s);
      if (b.length > 0) b[at % b.length] = v;
      return b.subarray(0, Math.max(0, b.length - cut));
    }),
  );
  fc.assert(fc.property(fc.boolean(), bodies, (video, body) => {
    let packets: MediaPacket[];
    try {
      packets = parse(video ? 'video' : 'audio', body);
    } catch (e) {
      if (e instanceof OnAirError) return;
      throw e;
    }
    assert.equal(packets.length, 1);
    assert.equal(serialize(packets[0]!).toString('hex'), body.toString('hex'));
  }), { numRuns: 20000 });
});
