import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isOnAirError } from '../../core/errors.js';
import {
  annexBToAvcc, avccToAnnexB, buildAvcDecoderConfig, forEachNalu, h264CodecString, isH264Keyframe,
  joinAvccNalus, parseAvcDecoderConfig, parseH264Sps, removeEmulationPrevention, splitAnnexBNalus, splitAvccNalus,
} from './index.js';

// avcC records written by ffmpeg 5.1 + libx264 (see formats/flv/flv-ffmpeg.test.ts for the live cross-check);
// expected values are what ffprobe reported for the same files.
const GOLDEN = [
  {
    name: '640x360 High 3.0 25 fps',
    avcC: '0164001effe1001a6764001eacd940a02ff97011000003000100000300320f162d9601000668ebe3cb22c0fdf8f800',
    codec: 'avc1.64001e', width: 640, height: 360, profile: 100, level: 30, fps: 25, chroma: 1,
  },
  {
    name: '1280x720 Main 3.1 30 fps',
    avcC: '014d401fffe10019674d401feca02802dd8088000003000800000301e078c18cb001000568ebe3cb20',
    codec: 'avc1.4d401f', width: 1280, height: 720, profile: 77, level: 31, fps: 30, chroma: 1,
  },
  {
    name: '1918x1078 Constrained Baseline 4.0 (cropping right and bottom)',
    avcC: '0142c028ffe1001a6742c028d900780227a9b0110000030001000003003c0f18324801000568cb83cb20',
    codec: 'avc1.42c028', width: 1918, height: 1078, profile: 66, level: 40, fps: 30, chroma: 1,
  },
  {
    name: '854x480 High 4:4:4 Predictive 23.976 fps (chroma 3 crop units)',
    avcC: '01f4001effe1001967f4001e919b281b07bc5f808800001f480005dc0078b16cb001000668ebe3c44844fff8f800',
    codec: 'avc1.f4001e', width: 854, height: 480, profile: 244, level: 30, fps: 23.976, chroma: 3,
  },
];

for (const g of GOLDEN) {
  test(`avcC + SPS golden: ${g.name}`, () => {
    const c = parseAvcDecoderConfig(Buffer.from(g.avcC, 'hex'));
    assert.equal(c.nalLengthSize, 4);
    assert.equal(c.sps.length, 1);
    assert.equal(c.pps.length, 1);
    assert.equal(h264CodecString(c), g.codec);
    const sps = parseH264Sps(c.sps[0]!);
    assert.equal(h264CodecString(sps), g.codec);
    assert.deepEqual(
      [sps.width, sps.height, sps.profile, sps.level, sps.fps, sps.chromaFormatIdc],
      [g.width, g.height, g.profile, g.level, g.fps, g.chroma],
    );
    // Rebuilding the record from its parameter sets gives the same bytes (libx264 writes the high-profile extension too).
    assert.equal(buildAvcDecoderConfig(c.sps, c.pps).toString('hex'), g.avcC);
  });
}

test('emulation prevention: 00 00 03 removed, other bytes kept, no copy without any', () => {
  assert.deepEqual([...removeEmulationPrevention(Buffer.from('0000030100000300000303', 'hex'))], [0, 0, 1, 0, 0, 0, 0, 3]);
  const plain = Buffer.from('6742c0', 'hex');
  assert.equal(removeEmulationPrevention(plain).buffer, plain.buffer);
});

test('SPS with scaling matrices (High profile, seq_scaling_matrix_present) parses', () => {
  // Hand-built High profile SPS: chroma 1, 8-bit, scaling matrix present with list 0 present (all delta 0
  // except the first, which sets nextScale to 0 so the list ends), 320x240.
  const w = new BitWriter();
  w.u(100, 8); w.u(0, 8); w.u(30, 8); w.ue(0);
  w.ue(1); w.ue(0); w.ue(0); w.u(0, 1); w.u(1, 1);
  w.u(1, 1); w.se(-8); // list 0: nextScale = 0 -> rest of the list uses last scale
  for (let i = 1; i < 8; i++) w.u(0, 1);
  w.ue(0); w.ue(2); // log2_max_frame_num_minus4, poc type 2
  w.ue(1); w.u(0, 1); w.ue(19); w.ue(14); w.u(1, 1); w.u(1, 1); w.u(0, 1); w.u(0, 1);
  const sps = parseH264Sps(Buffer.concat([Buffer.from([0x67]), w.bytes()]));
  assert.deepEqual([sps.width, sps.height, sps.fps], [320, 240, undefined]);
});

test('absurd and truncated SPS give typed errors', () => {
  const sps = Buffer.from(GOLDEN[0]!.avcC, 'hex').subarray(8, 8 + 26);
  // Cut before the size fields: an error. Cut inside the VUI: the size survives, only fps is lost.
  for (let n = 0; n < 8; n++) assert.throws(() => parseH264Sps(sps.subarray(0, n)), (e) => isOnAirError(e), `cut at ${n}`);
  for (let n = 8; n < sps.length; n++) {
    try {
      const r = parseH264Sps(sps.subarray(0, n));
      assert.deepEqual([r.width, r.height], [640, 360]);
    } catch (e) {
      assert.ok(isOnAirError(e), `cut at ${n}: ${String(e)}`);
    }
  }
  assert.throws(() => parseH264Sps(Buffer.from('68ce3c80', 'hex')), (e) => isOnAirError(e, 'ONAIR_ERR_MALFORMED'));
  // 20000 pixels wide: pic_width_in_mbs_minus1 = 1249.
  const w = new BitWriter();
  w.u(66, 8); w.u(0, 8); w.u(30, 8); w.ue(0); w.ue(0); w.ue(2); w.ue(1); w.u(0, 1); w.ue(1249); w.ue(10);
  w.u(1, 1); w.u(1, 1); w.u(0, 1); w.u(0, 1);
  assert.throws(() => parseH264Sps(Buffer.concat([Buffer.from([0x67]), w.bytes()])), (e) => isOnAirError(e, 'ONAIR_ERR_LIMIT'));
  // Cropping everything away.
  const c = new BitWriter();
  c.u(66, 8); c.u(0, 8); c.u(30, 8); c.ue(0); c.ue(0); c.ue(2); c.ue(1); c.u(0, 1); c.ue(0); c.ue(0);
  c.u(1, 1); c.u(1, 1); c.u(1, 1); c.ue(4); c.ue(4); c.ue(0); c.ue(0); c.u(0, 1);
  assert.throws(() => parseH264Sps(Buffer.concat([Buffer.from([0x67]), c.bytes()])), (e) => isOnAirError(e, 'ONAIR_ERR_MALFORMED'));
});

test('avcC: truncated at every length, bad version, too many SPS -> typed errors', () => {
  const full = Buffer.from(GOLDEN[1]!.avcC, 'hex');
  for (let n = 0; n < full.length; n++) {
    assert.throws(() => parseAvcDecoderConfig(full.subarray(0, n)), (e) => isOnAirError(e), `length ${n}`);
  }
  assert.throws(() => parseAvcDecoderConfig(Buffer.from('00', 'hex')), (e) => isOnAirError(e, 'ONAIR_ERR_MALFORMED'));
  // 31 SPS declared, none present: truncated, and never a loop over absent data.
  assert.throws(() => parseAvcDecoderConfig(Buffer.from('0164001effff', 'hex')), (e) => isOnAirError(e, 'ONAIR_ERR_TRUNCATED'));
  // 255 PPS declared: over MAX_PARAMETER_SETS.
  const manyPps = Buffer.concat([full.subarray(0, 6 + 2 + 25), Buffer.from([255])]);
  assert.throws(() => parseAvcDecoderConfig(manyPps), (e) => isOnAirError(e, 'ONAIR_ERR_LIMIT'));
});

test('AVCC framing: split, keyframe, lengths past the end -> MALFORMED', () => {
  const idr = Buffer.from([0x65, 1, 2, 3]);
  const sei = Buffer.from([0x06, 9]);
  const au = joinAvccNalus([sei, idr]);
  assert.deepEqual(splitAvccNalus(au, 4), [sei, idr]);
  assert.equal(isH264Keyframe(au, 4), true);
  assert.equal(isH264Keyframe(joinAvccNalus([Buffer.from([0x41, 0])]), 4), false);
  assert.deepEqual(splitAvccNalus(joinAvccNalus([idr], 2), 2), [idr]);
  const lying = Buffer.from([0, 0, 0, 9, 0x65, 1]);
  assert.throws(() => splitAvccNalus(lying, 4), (e) => isOnAirError(e, 'ONAIR_ERR_MALFORMED'));
  assert.throws(() => forEachNalu(Buffer.from([0, 0]), 4, () => {}), (e) => isOnAirError(e, 'ONAIR_ERR_MALFORMED'));
});

test('Annex-B <-> AVCC with parameter sets, and an avcC built from in-band SPS/PPS', () => {
  const c = parseAvcDecoderConfig(Buffer.from(GOLDEN[0]!.avcC, 'hex'));
  const idr = Buffer.from([0x65, 0x88, 0x84, 0x00, 0x00, 0x03, 0x01]);
  const annexB = avccToAnnexB(joinAvccNalus([idr]), 4, c);
  assert.deepEqual(splitAnnexBNalus(annexB), [c.sps[0], c.pps[0], idr]);
  // No second copy when the access unit already carries its SPS.
  const inBand = avccToAnnexB(joinAvccNalus([c.sps[0]!, c.pps[0]!, idr]), 4, c);
  assert.equal(splitAnnexBNalus(inBand).length, 3);
  // 3-byte start codes, an AUD and trailing zeros as encoders write them.
  const stream = Buffer.concat([
    Buffer.from('00000001091000000167', 'hex'), c.sps[0]!.subarray(1), Buffer.from('000001', 'hex'), c.pps[0]!,
    Buffer.from('0000000001', 'hex'), idr,
  ]);
  const back = annexBToAvcc(stream);
  assert.deepEqual(back.sps, [c.sps[0]]);
  assert.deepEqual(back.pps, [c.pps[0]]);
  assert.deepEqual(splitAvccNalus(back.avcc, 4), [idr]);
  assert.equal(buildAvcDecoderConfig(back.sps, back.pps).toString('hex'), GOLDEN[0]!.avcC);
  assert.throws(() => splitAnnexBNalus(Buffer.from([1, 2, 3, 4])), (e) => isOnAirError(e, 'ONAIR_ERR_MALFORMED'));
});

/** MSB-first bit writer with Exp-Golomb, to build hostile SPSs in tests. */
class BitWriter {
  private bits: number[] = [];
  u(v: number, n: number): void {
    for (let i = n - 1; i >= 0; i--) this.bits.push(Math.floor(v / 2 ** i) % 2);
  }
  ue(v: number): void {
    const x = v + 1;
    const len = Math.floor(Math.log2(x));
    this.u(0, len);
    this.u(x, len + 1);
  }
  se(v: number): void {
    this.ue(v <= 0 ? -2 * v : 2 * v - 1);
  }
  bytes(): Buffer {
    const b = [...this.bits, 1]; // rbsp_stop_one_bit
    while (b.length % 8) b.push(0);
    const out = Buffer.alloc(b.length / 8);
    b.forEach((bit, i) => { if (bit) out[i >> 3]! |= 0x80 >> (i & 7); });
    return out;
  }
}
