/**
 * Integration: transport streams written by ffmpeg (libx264, libx265, aac, libopus, libmp3lame) demuxed
 * and checked against ffprobe's reading of the same file: per-packet timestamps, keyframes, frame counts,
 * and the configs describing the sizes and rates ffprobe reports.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeConfig } from '../../codecs/index.js';
import { ffprobeJson, hasFfmpeg, withTempDir } from '../fmp4/testing/ffmpeg-media.js';
import { TsDemuxer, type TsDemuxEvent } from './ts-demuxer.js';

const skip = hasFfmpeg() ? false : 'ffmpeg/ffprobe not installed';

/** Inputs, then the output options (ffmpeg applies options to the next file named). */
const av = ['-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-pix_fmt', 'yuv420p', '-g', '25', '-ac', '2'];
const CASES = [
  { name: 'H.264 (B-frames) + AAC', args: [...av, '-c:v', 'libx264', '-bf', '2', '-c:a', 'aac'], codecs: ['avc1', 'mp4a'] },
  { name: 'HEVC + AAC', args: [...av, '-c:v', 'libx265', '-x265-params', 'log-level=error', '-c:a', 'aac'], codecs: ['hvc1', 'mp4a'] },
  { name: 'H.264 + Opus', args: [...av, '-c:v', 'libx264', '-c:a', 'libopus'], codecs: ['avc1', 'Opus'] },
  { name: 'MP3 only', args: ['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100', '-c:a', 'libmp3lame'], codecs: ['.mp3'] },
];

interface ProbePacket { codec_type: string; pts: number; dts: number; flags: string }
interface ProbeStream { codec_type: string; width?: number; height?: number; sample_rate?: string; channels?: number }

for (const c of CASES) {
  test(`ffmpeg-made TS, ${c.name}: frames, timestamps and keyframes as ffprobe reads them`, { skip }, () => {
    withTempDir((dir) => {
      const file = join(dir, 'in.ts');
      execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...c.args, '-t', '2', '-f', 'mpegts', file]);
      const d = new TsDemuxer();
      const bytes = readFileSync(file);
      const events: TsDemuxEvent[] = [];
      for (let at = 0; at < bytes.length; at += 1316) events.push(...d.push(bytes.subarray(at, at + 1316))); // SRT-sized pieces
      events.push(...d.flush());
      assert.deepEqual(events.filter((e) => e.type === 'error'), []);
      const tracks = events.find((e) => e.type === 'tracks');
      assert.deepEqual(tracks?.type === 'tracks' && tracks.tracks.map((t) => t.codec), c.codecs);

      const packets = ffprobeJson(file, ['-show_packets']).packets as ProbePacket[];
      const streams = ffprobeJson(file, ['-show_streams']).streams as ProbeStream[];
      for (const kind of ['video', 'audio'] as const) {
        const want = packets.filter((p) => p.codec_type === kind);
        const got = events.filter((e) => e.type === 'frame' && e.track.kind === kind);
        assert.equal(got.length, want.length, `${kind} frame count`);
        if (want.length === 0) continue;
        got.forEach((e, i) => {
          if (e.type !== 'frame') return;
          const p = want[i]!;
          // ffmpeg's audio parsers time the frames after a PES's first one by their duration too; rounding may differ by a tick.
          assert.ok(Math.abs(e.pts - p.pts) <= 1 && Math.abs(e.dts - p.dts) <= 1, `${kind} ${i}: ${e.dts}/${e.pts} vs ffprobe ${p.dts}/${p.pts}`);
          assert.equal(e.keyframe, kind === 'audio' || p.flags.startsWith('K'), `${kind} ${i} keyframe`);
        });
        const probe = streams.find((s) => s.codec_type === kind)!;
        const config = events.find((e) => e.type === 'config' && e.track.kind === kind);
        const frame = got[0]!;
        const info = config?.type === 'config'
          ? describeConfig({ kind, codec: config.track.codec, role: 'config', dts: 0, cts: 0, keyframe: false, data: config.config })
          : frame.type === 'frame' ? describeConfig({ kind, codec: frame.track.codec, role: 'frame', dts: 0, cts: 0, keyframe: true, data: frame.data }) : undefined;
        if (kind === 'video') assert.deepEqual([info?.width, info?.height], [probe.width, probe.height]);
        else assert.deepEqual([info?.sampleRate, info?.channels], [Number(probe.sample_rate), probe.channels]);
      }
      assert.deepEqual([d.stats.ccErrors, d.stats.resyncs, d.stats.errors, d.stats.framesBeforeConfig], [0, 0, 0, 0]);
    });
  });
}
