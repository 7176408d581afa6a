import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isOnAirError } from '../../core/errors.js';
import { box, fullBox, serializeBoxes } from './box-tree.js';
import { descriptorLength, esdsBox } from './esds.js';
import { opusHeadToDops } from './dops.js';
import { buildEmptyFragment, buildFragment, buildFragmentBuffer } from './fragment.js';
import { buildInitSegment } from './init-segment.js';
import type { Fmp4Track } from './types.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

const video: Fmp4Track = { id: 1, kind: 'video', timescale: 12_800, codec: 'avc1', config: hex('01640015ffe1000467640015'), width: 320, height: 240 };
const audio: Fmp4Track = { id: 2, kind: 'audio', timescale: 48_000, codec: 'mp4a', config: hex('1190'), sampleRate: 48_000, channels: 2 };

test('box and full box headers', () => {
  assert.deepEqual(serializeBoxes([box('free', Buffer.of(1, 2))]), hex('0000000a 66726565 0102'));
  assert.deepEqual(serializeBoxes([fullBox('url ', 0, 1)]), hex('0000000c 75726c20 00000001'));
  assert.deepEqual(serializeBoxes([box('dinf', fullBox('url ', 0, 1))]), hex('00000014 64696e66 0000000c 75726c20 00000001'));
});

test('descriptor length: minimal expandable encoding (ISO/IEC 14496-1 §8.3.3)', () => {
  assert.deepEqual(descriptorLength(0x19), hex('19'));
  assert.deepEqual(descriptorLength(0x7f), hex('7f'));
  assert.deepEqual(descriptorLength(0x80), hex('8100'));
  assert.deepEqual(descriptorLength(0x3fff), hex('ff7f'));
});

test('esds golden: ES_Descriptor > DecoderConfigDescriptor > DecSpecificInfo(ASC) + SLConfig', () => {
  assert.deepEqual(
    serializeBoxes([esdsBox(0x40, hex('1190'))]),
    hex('00000027 65736473 00000000 0319 000000 0411 40 15 000000 00000000 00000000 0502 1190 0601 02'),
  );
});

test('OpusHead (RFC 7845, LE) becomes dOps (BE, version 0)', () => {
  const head = Buffer.concat([Buffer.from('OpusHead'), hex('01 02 3801 80bb0000 0000 00')]);
  assert.deepEqual(opusHeadToDops(head), hex('00 02 0138 0000bb80 0000 00'));
  const family1 = Buffer.concat([Buffer.from('OpusHead'), hex('01 03 3801 80bb0000 0000 01 02 01 000201')]);
  assert.deepEqual(opusHeadToDops(family1), hex('00 03 0138 0000bb80 0000 01 02 01 000201'));
  const dops = hex('00 02 0138 0000bb80 0000 00');
  assert.equal(opusHeadToDops(dops), dops, 'a dOps payload passes through');
  assert.throws(() => opusHeadToDops(Buffer.concat([Buffer.from('OpusHead'), hex('01 02')])), (e) => isOnAirError(e, 'ONAIR_ERR_TRUNCATED'));
});

test('fragment golden: moof/mfhd/traf/tfhd/tfdt v1/trun v1 0x000F01 + mdat', () => {
  const data = Buffer.of(0xaa, 0xbb);
  const out = buildFragment(7, [{ track: video, baseDts: 0, samples: [{ dts: 0, cts: 1024, duration: 512, keyframe: true, data }] }]);
  assert.equal(out.length, 2);
  assert.equal(out[1], data, 'sample payload is passed through, not copied');
  assert.deepEqual(
    out[0],
    hex(`00000068 6d6f6f66
      00000010 6d666864 00000000 00000007
      00000050 74726166
        00000010 74666864 00020000 00000001
        00000014 74666474 01000000 0000000000000000
        00000024 7472756e 01000f01 00000001 00000070
          00000200 00000002 02000000 00000400
      0000000a 6d646174`),
  );
});

test('empty fragment golden (an EXT-X-GAP segment): moof of tfhd + tfdt per track, no trun, no mdat', () => {
  // 64-bit tfdt halves, a fractional dts rounded and a negative one clamped to 0
  const out = buildEmptyFragment(9, [{ trackId: 1, baseDts: 0x1_0000_0002 + 0.4 }, { trackId: 2, baseDts: -5 }]);
  assert.deepEqual(
    out,
    hex(`00000070 6d6f6f66
      00000010 6d666864 00000000 00000009
      0000002c 74726166
        00000010 74666864 00020000 00000001
        00000014 74666474 01000000 0000000100000002
      0000002c 74726166
        00000010 74666864 00020000 00000002
        00000014 74666474 01000000 0000000000000000`),
  );
  assert.throws(() => buildEmptyFragment(-1, []), (e) => isOnAirError(e) && e.code === 'ONAIR_ERR_MALFORMED');
});

test('fragment: two trafs, data offsets chain through one mdat; negative cts and non-sync flags', () => {
  const v = [
    { dts: 100, cts: -20, duration: 10, keyframe: false, data: Buffer.alloc(3, 1) },
    { dts: 110, cts: 0, duration: 10, keyframe: false, data: Buffer.alloc(4, 2) },
  ];
  const a = [{ dts: 5, cts: 0, duration: 1024, keyframe: true, data: Buffer.alloc(5, 3) }];
  const buf = buildFragmentBuffer(1, [{ track: video, baseDts: 100, samples: v }, { track: audio, baseDts: 5, samples: a }]);
  const moofSize = buf.readUInt32BE(0);
  const traf1 = 8 + 16;
  const trun1 = traf1 + 8 + 16 + 20;
  assert.equal(buf.readInt32BE(trun1 + 16), moofSize + 8, 'first run starts right after the mdat header');
  assert.equal(buf.readUInt32BE(trun1 + 20 + 8), 0x01010000);
  assert.equal(buf.readInt32BE(trun1 + 20 + 12), -20);
  const traf2 = traf1 + buf.readUInt32BE(traf1);
  const trun2 = traf2 + 8 + 16 + 20;
  assert.equal(buf.readUInt32BE(traf2 + 8 + 12), 2, 'tfhd track_ID');
  assert.equal(buf.readInt32BE(trun2 + 16), moofSize + 8 + 7, 'second run after 3 + 4 video bytes');
  assert.deepEqual(buf.subarray(moofSize + 8), Buffer.concat([v[0]!.data, v[1]!.data, a[0]!.data]));
  assert.equal(buf.readUInt32BE(moofSize), 8 + 12);
});

test('fragment rejects inconsistent timing with typed errors', () => {
  const s = { dts: 0, cts: 0, duration: 10, keyframe: true, data: Buffer.alloc(1) };
  const bad = (parts: Parameters<typeof buildFragment>[1]): void =>
    assert.throws(() => buildFragment(1, parts), (e) => isOnAirError(e, 'ONAIR_ERR_MALFORMED'));
  bad([]);
  bad([{ track: video, baseDts: 0, samples: [] }]);
  bad([{ track: video, baseDts: 5, samples: [s] }]);
  bad([{ track: video, baseDts: 0, samples: [s, { ...s, dts: 11 }] }]);
  bad([{ track: video, baseDts: -1, samples: [{ ...s, dts: -1 }] }]);
  bad([{ track: video, baseDts: 0, samples: [{ ...s, cts: 2 ** 31 }] }]);
  assert.throws(() => buildFragment(-1, [{ track: video, baseDts: 0, samples: [s] }]), (e) => isOnAirError(e, 'ONAIR_ERR_MALFORMED'));
});

test('init segment rejects bad track sets with typed errors', () => {
  const bad = (tracks: Fmp4Track[], code: 'ONAIR_ERR_MALFORMED' | 'ONAIR_ERR_LIMIT'): void =>
    assert.throws(() => buildInitSegment(tracks), (e) => isOnAirError(e, code));
  bad([], 'ONAIR_ERR_MALFORMED');
  bad([video, { ...audio, id: 1 }], 'ONAIR_ERR_MALFORMED');
  bad([{ ...video, width: undefined }], 'ONAIR_ERR_MALFORMED');
  bad([{ ...audio, sampleRate: undefined }], 'ONAIR_ERR_MALFORMED');
  bad([{ ...video, timescale: 0 }], 'ONAIR_ERR_MALFORMED');
  bad([{ ...video, config: Buffer.alloc(70_000) }], 'ONAIR_ERR_LIMIT');
});

/** Walks the box tree of an init segment; returns "path" strings, e.g. "moov/trak/mdia/hdlr". */
function boxPaths(buf: Buffer, prefix = '', containers = new Set(['moov', 'trak', 'mdia', 'minf', 'dinf', 'stbl', 'mvex'])): string[] {
  const out: string[] = [];
  for (let at = 0; at < buf.length; ) {
    const size = buf.readUInt32BE(at);
    const type = buf.toString('latin1', at + 4, at + 8);
    assert.ok(size >= 8 && at + size <= buf.length, `box ${type} size ${size} fits`);
    out.push(prefix + type);
    if (containers.has(type)) out.push(...boxPaths(buf.subarray(at + 8, at + size), `${prefix}${type}/`));
    at += size;
  }
  return out;
}

test('init segment structure: ftyp + moov(mvhd, trak per track, mvex/trex)', () => {
  const init = buildInitSegment([video, audio]);
  const paths = boxPaths(init);
  const trak = (h: string): string[] => [
    'moov/trak', 'moov/trak/tkhd', 'moov/trak/mdia', 'moov/trak/mdia/mdhd', 'moov/trak/mdia/hdlr', 'moov/trak/mdia/minf',
    `moov/trak/mdia/minf/${h}`, 'moov/trak/mdia/minf/dinf', 'moov/trak/mdia/minf/dinf/dref', 'moov/trak/mdia/minf/stbl',
    'moov/trak/mdia/minf/stbl/stsd', 'moov/trak/mdia/minf/stbl/stts', 'moov/trak/mdia/minf/stbl/stsc',
    'moov/trak/mdia/minf/stbl/stsz', 'moov/trak/mdia/minf/stbl/stco',
  ];
  assert.deepEqual(paths, ['ftyp', 'moov', 'moov/mvhd', ...trak('vmhd'), ...trak('smhd'), 'moov/mvex', 'moov/mvex/trex', 'moov/mvex/trex']);
  assert.deepEqual(init.subarray(0, 32), hex('00000020 66747970 69736f36 00000000 69736f36 636d6663 69736f6d 6d703431'));
  const avcC = init.indexOf('avcC', 0, 'latin1');
  assert.deepEqual(init.subarray(avcC + 4, avcC + 4 + video.config.length), video.config);
  assert.ok(init.indexOf('esds') > 0);
});

test('init segment: every codec builds its sample entry', () => {
  const cfg = Buffer.of(1, 2, 3);
  for (const [codec, entry, conf] of [['hvc1', 'hvc1', 'hvcC'], ['av01', 'av01', 'av1C']] as const) {
    const init = buildInitSegment([{ ...video, codec, config: cfg }]);
    assert.ok(init.indexOf(entry) > 0 && init.indexOf(conf) > 0, codec);
  }
  const opus = buildInitSegment([{ ...audio, codec: 'Opus', config: hex('00 02 0138 0000bb80 0000 00') }]);
  assert.ok(opus.indexOf('Opus') > 0 && opus.indexOf('dOps') > 0);
  const mp3 = buildInitSegment([{ ...audio, codec: '.mp3', config: Buffer.alloc(0) }]);
  const esds = mp3.indexOf('esds');
  assert.equal(mp3[esds + 4 + 4 + 5 + 2], 0x6b, 'objectTypeIndication MPEG-1 audio');
});
