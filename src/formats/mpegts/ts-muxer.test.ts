import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isOnAirError } from '../../core/errors.js';
import { crc32Mpeg2 } from './crc32.js';
import { TsMuxer } from './ts-muxer.js';
import { MAX_AUDIO_PES_BYTES, PCR_INTERVAL_90K, PID_AUDIO, PID_VIDEO, TIMESTAMP_WRAP } from './limits.js';
import { assertContinuity, pesOfPid, readPackets } from './testing/ts-reader.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const pad = (b: Buffer): Buffer => Buffer.concat([b, Buffer.alloc(188 - b.length, 0xff)]);

test('CRC-32/MPEG-2 check value and self-check of a section', () => {
  assert.equal(crc32Mpeg2(Buffer.from('123456789')), 0x0376e6e7);
  assert.equal(crc32Mpeg2(hex('00b00d0001c100000001f0002ab104b2')), 0, 'a section with its CRC checks to 0');
});

test('PAT/PMT golden bytes (identical to ffmpeg 5.1 mpegts muxer output, CRC included)', () => {
  const tables = new TsMuxer({ video: { streamType: 0x1b } }).writeTables();
  assert.deepEqual(tables.subarray(0, 188), pad(hex('47400010 00 00b00d 0001 c1 00 00 0001 f000 2ab104b2')));
  assert.deepEqual(tables.subarray(188), pad(hex('47500010 00 02b012 0001 c1 00 00 e100 f000 1b e100 f000 15bd4d56')));
  const av = new TsMuxer({ video: { streamType: 0x24 }, audio: { streamType: 0x0f } }).writeTables();
  const pmt = readPackets(av)[1]!.payload;
  const sectionLength = pmt.readUInt16BE(2) & 0x0fff;
  assert.equal(crc32Mpeg2(pmt.subarray(1, 4 + sectionLength)), 0);
  assert.deepEqual(pmt.subarray(13, 23), hex('24 e100 f000 0f e101 f000'), 'HEVC then ADTS AAC streams');
  const audioOnly = new TsMuxer({ audio: { streamType: 0x03 } }).writeTables();
  assert.equal(readPackets(audioOnly)[1]!.payload.readUInt16BE(9) & 0x1fff, PID_AUDIO, 'PCR_PID is audio without video');
});

test('PES header golden: PTS only and PTS+DTS, markers set', () => {
  const m = new TsMuxer({ video: { streamType: 0x1b }, audio: { streamType: 0x0f } });
  const a = m.writeAudio({ pts90k: 0, data: Buffer.of(0xaa) });
  assert.equal(a.length, 188);
  const audioPayload = readPackets(a)[0]!.payload;
  assert.deepEqual(audioPayload, hex('000001c0 0009 84 80 05 2100010001 aa'));
  const v = m.writeVideo({ pts90k: 3600, dts90k: 0, keyframe: true, data: hex('00000001 0910 00000001 65') });
  const vp = readPackets(v)[0]!;
  assert.ok(vp.randomAccess);
  assert.equal(vp.pcr, 0, 'PCR = DTS on the keyframe');
  assert.deepEqual(vp.payload, hex('000001e0 0018 84 c0 0a 3100011c21 1100010001 00000001 0910 00000001 65'), 'AUD already present: not added');
});

test('AUD inserted when the access unit lacks one (H.264 and H.265)', () => {
  const h264 = new TsMuxer({ video: { streamType: 0x1b } });
  const p = pesOfPid(readPackets(h264.writeVideo({ pts90k: 0, dts90k: 0, keyframe: true, data: hex('00000001 65 88') })), PID_VIDEO)[0]!;
  assert.deepEqual(p.data, hex('00000001 09f0 00000001 6588'));
  assert.equal(p.dts, undefined, 'pts == dts: DTS omitted');
  const h265 = new TsMuxer({ video: { streamType: 0x24 } });
  const q = pesOfPid(readPackets(h265.writeVideo({ pts90k: 0, dts90k: 0, keyframe: true, data: hex('000001 2601 af') })), PID_VIDEO)[0]!;
  assert.deepEqual(q.data, hex('00000001 460150 000001 2601af'));
});

test('any payload size packetizes into whole packets and reassembles exactly (stuffing via adaptation field)', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 1200 }), fc.boolean(), fc.nat(2 ** 34), (size, key, pts) => {
      const m = new TsMuxer({ video: { streamType: 0x1b } });
      const data = Buffer.concat([hex('0000000109f0'), Buffer.alloc(size, 0x5a)]);
      const packets = readPackets(m.writeVideo({ pts90k: pts, dts90k: pts, keyframe: key, data }));
      const [pes] = pesOfPid(packets, PID_VIDEO);
      assert.deepEqual(pes!.data, data);
      assert.equal(pes!.pts, pts % TIMESTAMP_WRAP);
      assert.equal(packets[0]!.randomAccess, key);
      assert.ok(packets.every((p) => p.payload.length > 0), 'no empty payload packet');
    }),
    { numRuns: 300 },
  );
});

test('continuity counters per PID across calls and tables; PCR on keyframes and every PCR_INTERVAL', () => {
  const m = new TsMuxer({ video: { streamType: 0x1b }, audio: { streamType: 0x0f } });
  const chunks: Buffer[] = [m.writeTables()];
  const frame90k = 3000; // 30 fps
  for (let i = 0; i < 90; i++) {
    if (i % 30 === 0) chunks.push(m.writeTables());
    chunks.push(m.writeVideo({ pts90k: i * frame90k + 6000, dts90k: i * frame90k, keyframe: i % 30 === 0, data: Buffer.alloc(100 + ((i * 997) % 3000), 7) }));
    chunks.push(m.writeAudio({ pts90k: i * frame90k, data: Buffer.alloc(300, 1) }));
  }
  const packets = readPackets(Buffer.concat(chunks));
  assertContinuity(packets);
  assert.ok(packets.filter((p) => p.pid === PID_VIDEO).length > 16, 'counter wrapped at least once');
  const pcrs = packets.filter((p) => p.pcr !== undefined);
  assert.ok(pcrs.every((p) => p.pid === PID_VIDEO), 'PCR only on the PCR PID');
  for (let i = 1; i < pcrs.length; i++) assert.ok(pcrs[i]!.pcr! - pcrs[i - 1]!.pcr! <= 9000, 'PCR at least every 100 ms');
  assert.ok(pcrs.length < 90, `PCR not on every frame (${pcrs.length}), interval ${PCR_INTERVAL_90K}`);
  const keyPes = packets.filter((p) => p.pid === PID_VIDEO && p.pusi && p.randomAccess);
  assert.equal(keyPes.length, 3);
  assert.ok(keyPes.every((p) => p.pcr !== undefined), 'PCR on every keyframe');
});

test('33-bit wrap: timestamps written mod 2^33, including negatives and values past 2^33', () => {
  const m = new TsMuxer({ video: { streamType: 0x1b }, audio: { streamType: 0x0f } });
  const near = TIMESTAMP_WRAP - 1500;
  const cases = [
    { pts: near + 3000, dts: near, want: [1500, near] },
    { pts: TIMESTAMP_WRAP + 5, dts: TIMESTAMP_WRAP + 2, want: [5, 2] },
    { pts: 3 * TIMESTAMP_WRAP + 7, dts: -1, want: [7, TIMESTAMP_WRAP - 1] },
  ];
  for (const c of cases) {
    const packets = readPackets(m.writeVideo({ pts90k: c.pts, dts90k: c.dts, keyframe: true, data: hex('0000000109f0') }));
    const pes = pesOfPid(packets, PID_VIDEO)[0]!;
    assert.deepEqual([pes.pts, pes.dts], c.want);
    assert.equal(packets[0]!.pcr, c.want[1], 'PCR wraps with the DTS');
  }
  const a = pesOfPid(readPackets(m.writeAudio({ pts90k: TIMESTAMP_WRAP * 2 + 90, data: Buffer.of(1) })), PID_AUDIO)[0]!;
  assert.equal(a.pts, 90);
  // pts equal to dts modulo 2^33 means no DTS field
  const same = pesOfPid(readPackets(m.writeVideo({ pts90k: TIMESTAMP_WRAP + 1, dts90k: 1, keyframe: false, data: hex('0000000109f0') })), PID_VIDEO)[0]!;
  assert.equal(same.dts, undefined);
});

test('large video PES: PES_packet_length 0 above 65535 bytes', () => {
  const m = new TsMuxer({ video: { streamType: 0x1b } });
  const data = Buffer.concat([hex('0000000109f0'), Buffer.alloc(70_000, 3)]);
  const pes = pesOfPid(readPackets(m.writeVideo({ pts90k: 0, dts90k: 0, keyframe: true, data })), PID_VIDEO)[0]!;
  assert.equal(pes.pesLength, 0);
  assert.deepEqual(pes.data, data);
});

test('typed errors: no streams, wrong stream, oversized audio PES', () => {
  assert.throws(() => new TsMuxer({}), (e) => isOnAirError(e, 'ONAIR_ERR_CONFIG'));
  const audioOnly = new TsMuxer({ audio: { streamType: 0x0f } });
  assert.throws(() => audioOnly.writeVideo({ pts90k: 0, dts90k: 0, keyframe: true, data: Buffer.of(1) }), (e) => isOnAirError(e, 'ONAIR_ERR_STATE'));
  assert.throws(() => new TsMuxer({ video: { streamType: 0x1b } }).writeAudio({ pts90k: 0, data: Buffer.of(1) }), (e) => isOnAirError(e, 'ONAIR_ERR_STATE'));
  assert.throws(() => audioOnly.writeAudio({ pts90k: 0, data: Buffer.alloc(MAX_AUDIO_PES_BYTES + 1) }), (e) => isOnAirError(e, 'ONAIR_ERR_LIMIT'));
  const ok = pesOfPid(readPackets(audioOnly.writeAudio({ pts90k: 0, data: Buffer.alloc(MAX_AUDIO_PES_BYTES) })), PID_AUDIO)[0]!;
  assert.equal(ok.pesLength, 0xffff, 'largest audio PES still declares its length');
  assert.ok(readPackets(audioOnly.writeAudio({ pts90k: 9000, data: Buffer.of(1) }))[0]!.pcr !== undefined, 'audio carries PCR without video');
});
