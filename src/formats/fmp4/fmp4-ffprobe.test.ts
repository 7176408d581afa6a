/**
 * Integration: a real H.264 (B-frames) + AAC encode re-packaged by buildInitSegment/buildFragment, then
 * read back by ffprobe (an independent demuxer and decoder).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildFragment } from './fragment.js';
import { buildInitSegment } from './init-segment.js';
import type { Fmp4FragmentPart, Fmp4Track } from './types.js';
import { type TestSample, encodeTestMedia, ffprobeJson, hasFfmpeg, withTempDir } from './testing/ffmpeg-media.js';

const skip = hasFfmpeg() ? false : 'ffmpeg/ffprobe not installed';

interface ProbeStream { codec_name: string; width?: number; height?: number; sample_rate?: string; channels?: number; nb_read_frames?: string; profile?: string }
interface ProbePacket { stream_index: number; pts: number; dts: number; flags: string }

test('H.264 + AAC fMP4 (init + one fragment per GOP) reads back in ffprobe with exact timestamps', { skip }, () => {
  const media = encodeTestMedia(2, 25);
  const v = media.video;
  const a = media.audio;
  const vTrack: Fmp4Track = { id: 1, kind: 'video', timescale: v.timescale, codec: 'avc1', config: v.avcC, width: v.width, height: v.height };
  const aTrack: Fmp4Track = { id: 2, kind: 'audio', timescale: a.timescale, codec: 'mp4a', config: a.asc, sampleRate: a.sampleRate, channels: a.channels };
  assert.ok(v.samples.some((s) => s.cts > 512), 'the encode has B-frames (reordering)');

  // One fragment per GOP; audio samples whose start falls inside the GOP's time range go with it.
  const gopStarts = v.samples.flatMap((s, i) => (s.keyframe ? [i] : []));
  const chunks: Buffer[] = [buildInitSegment([vTrack, aTrack])];
  let ai = 0;
  gopStarts.forEach((start, g) => {
    const vs = v.samples.slice(start, gopStarts[g + 1] ?? v.samples.length);
    const endSec = g + 1 < gopStarts.length ? v.samples[gopStarts[g + 1]!]!.dts / v.timescale : Infinity;
    const as: TestSample[] = [];
    while (ai < a.samples.length && a.samples[ai]!.dts / a.timescale < endSec) as.push(a.samples[ai++]!);
    const parts: Fmp4FragmentPart[] = [{ track: vTrack, baseDts: vs[0]!.dts, samples: vs }];
    if (as.length > 0) parts.push({ track: aTrack, baseDts: as[0]!.dts, samples: as });
    chunks.push(...buildFragment(g + 1, parts));
  });

  withTempDir((dir) => {
    const file = join(dir, 'out.mp4');
    writeFileSync(file, Buffer.concat(chunks));
    const streams = ffprobeJson(file, ['-count_frames', '-show_streams']).streams as ProbeStream[];
    assert.equal(streams.length, 2);
    const [sv, sa] = streams as [ProbeStream, ProbeStream];
    assert.equal(sv.codec_name, 'h264');
    assert.equal(sv.width, 320);
    assert.equal(sv.height, 240);
    assert.equal(Number(sv.nb_read_frames), v.samples.length, 'every video frame decodes');
    assert.equal(sa.codec_name, 'aac');
    assert.equal(sa.profile, 'LC');
    assert.equal(Number(sa.sample_rate), 48_000);
    assert.equal(sa.channels, 2);
    assert.equal(Number(sa.nb_read_frames), a.samples.length);

    const packets = ffprobeJson(file, ['-show_packets']).packets as ProbePacket[];
    const vp = packets.filter((p) => p.stream_index === 0);
    assert.deepEqual(vp.map((p) => p.dts), v.samples.map((s) => s.dts), 'video dts');
    assert.deepEqual(vp.map((p) => p.pts), v.samples.map((s) => s.dts + s.cts), 'video pts (B-frame reorder kept)');
    assert.deepEqual(vp.map((p) => p.flags.startsWith('K')), v.samples.map((s) => s.keyframe), 'sync samples');
    const ap = packets.filter((p) => p.stream_index === 1);
    assert.deepEqual(ap.map((p) => p.dts), a.samples.map((s) => s.dts), 'audio dts');
  });
});
