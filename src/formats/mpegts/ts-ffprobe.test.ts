/**
 * Integration: a real H.264 (B-frames) + AAC encode muxed by TsMuxer (Annex B video, ADTS audio), read
 * back by ffprobe. Also muxed across the 33-bit timestamp wrap.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TsMuxer } from './ts-muxer.js';
import { TIMESTAMP_WRAP } from './limits.js';
import { assertContinuity, readPackets } from './testing/ts-reader.js';
import { type TestMedia, adts, avccToAnnexB, encodeTestMedia, ffprobeJson, hasFfmpeg, withTempDir } from '../fmp4/testing/ffmpeg-media.js';

const skip = hasFfmpeg() ? false : 'ffmpeg/ffprobe not installed';

interface ProbeStream { codec_name: string; width?: number; height?: number; sample_rate?: string; channels?: number; nb_read_frames?: string; duration?: string }
interface ProbePacket { stream_index: number; pts: number; dts: number; flags: string }

/** Muxes in dts order, PAT/PMT first and again before each keyframe (one "segment" per GOP). */
function mux(media: TestMedia, start90k: number): Buffer {
  const v = media.video;
  const a = media.audio;
  const m = new TsMuxer({ video: { streamType: 0x1b }, audio: { streamType: 0x0f } });
  type Item = { t: number; write: () => Buffer };
  const items: Item[] = [
    ...v.samples.map((s) => ({
      t: (s.dts * 90_000) / v.timescale,
      write: () => Buffer.concat([
        ...(s.keyframe ? [m.writeTables()] : []),
        m.writeVideo({
          dts90k: start90k + (s.dts * 90_000) / v.timescale,
          pts90k: start90k + ((s.dts + s.cts) * 90_000) / v.timescale,
          keyframe: s.keyframe,
          data: avccToAnnexB(s.data, v.avcC, s.keyframe),
        }),
      ]),
    })),
    ...a.samples.map((s) => ({ t: (s.dts * 90_000) / a.timescale, write: () => m.writeAudio({ pts90k: start90k + (s.dts * 90_000) / a.timescale, data: adts(s.data) }) })),
  ];
  items.sort((x, y) => x.t - y.t);
  return Buffer.concat(items.map((i) => i.write()));
}

test('H.264 + ADTS AAC transport stream reads back in ffprobe: codecs, frames, timestamps, duration', { skip }, () => {
  const media = encodeTestMedia(2, 25);
  const start = 10 * 90_000;
  const ts = mux(media, start);
  assertContinuity(readPackets(ts));
  withTempDir((dir) => {
    const file = join(dir, 'out.ts');
    writeFileSync(file, ts);
    const streams = ffprobeJson(file, ['-count_frames', '-show_streams']).streams as ProbeStream[];
    const sv = streams.find((s) => s.codec_name === 'h264');
    const sa = streams.find((s) => s.codec_name === 'aac');
    assert.ok(sv && sa, 'h264 and aac streams');
    assert.equal(sv.width, 320);
    assert.equal(sv.height, 240);
    assert.equal(Number(sv.nb_read_frames), media.video.samples.length, 'every video frame decodes');
    assert.equal(Number(sa.sample_rate), 48_000);
    assert.equal(sa.channels, 2);
    assert.equal(Number(sa.nb_read_frames), media.audio.samples.length);
    assert.ok(Math.abs(Number(sv.duration) - 2) < 0.05, `video duration ${sv.duration}`);

    const packets = ffprobeJson(file, ['-show_packets', '-select_streams', 'v']).packets as ProbePacket[];
    const v = media.video;
    assert.deepEqual(packets.map((p) => p.pts), v.samples.map((s) => start + ((s.dts + s.cts) * 90_000) / v.timescale), 'pts with B-frames');
    assert.deepEqual(packets.map((p) => p.dts), v.samples.map((s) => start + (s.dts * 90_000) / v.timescale), 'dts');
    assert.deepEqual(packets.map((p) => p.flags.startsWith('K')), v.samples.map((s) => s.keyframe));
  });
});

test('a stream crossing the 33-bit wrap still decodes every frame in ffprobe', { skip }, () => {
  const media = encodeTestMedia(2, 25);
  const ts = mux(media, TIMESTAMP_WRAP - 90_000); // wraps after 1 s
  withTempDir((dir) => {
    const file = join(dir, 'wrap.ts');
    writeFileSync(file, ts);
    const streams = ffprobeJson(file, ['-count_frames', '-show_streams']).streams as ProbeStream[];
    assert.equal(Number(streams.find((s) => s.codec_name === 'h264')?.nb_read_frames), media.video.samples.length);
    assert.equal(Number(streams.find((s) => s.codec_name === 'aac')?.nb_read_frames), media.audio.samples.length);
    const packets = ffprobeJson(file, ['-show_packets', '-select_streams', 'v']).packets as ProbePacket[];
    // ffprobe unwraps: dts keeps rising across 2^33 with the 40 ms (3600) spacing intact.
    for (let i = 1; i < packets.length; i++) assert.equal(packets[i]!.dts - packets[i - 1]!.dts, 3600, `dts step at ${i}`);
  });
});
