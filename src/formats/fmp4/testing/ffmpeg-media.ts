/**
 * Test-only: a real H.264 (B-frames) + AAC encode made by ffmpeg, split into access units. ffprobe lists
 * each packet's file offset and size, so the payloads are read straight out of the .mp4 (AVCC and raw AAC)
 * without writing a demuxer. Used by the fmp4 and mpegts suites; never imported by production code.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestSample {
  dts: number;
  cts: number;
  duration: number;
  keyframe: boolean;
  data: Buffer;
}

export interface TestMedia {
  video: { avcC: Buffer; width: number; height: number; timescale: number; samples: TestSample[] };
  audio: { asc: Buffer; sampleRate: number; channels: number; timescale: number; samples: TestSample[] };
}

export function hasFfmpeg(): boolean {
  try {
    execFileSync('ffprobe', ['-version'], { stdio: 'ignore' });
    execFileSync('ffmpeg', ['-version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function withTempDir<T>(fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'onair-fmt-'));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function ffprobeJson(file: string, args: string[]): Record<string, unknown[]> {
  const out = execFileSync('ffprobe', ['-v', 'error', '-of', 'json', ...args, file], { maxBuffer: 64 << 20 });
  return JSON.parse(out.toString('utf8')) as Record<string, unknown[]>;
}

interface ProbePacket {
  codec_type: string;
  pts: number;
  dts: number;
  duration: number;
  size: string;
  pos: string;
  flags: string;
}

/** 48 kHz stereo AAC-LC AudioSpecificConfig: objectType 2, frequency index 3, channel config 2. */
export const ASC_LC_48K_STEREO = Buffer.of(0x11, 0x90);

export function encodeTestMedia(seconds = 2, fps = 25): TestMedia {
  return withTempDir((dir) => {
    const file = join(dir, 'src.mp4');
    execFileSync('ffmpeg', [
      '-hide_banner', '-loglevel', 'error', '-y',
      '-f', 'lavfi', '-i', `testsrc2=size=320x240:rate=${fps}`,
      '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
      '-t', String(seconds), '-c:v', 'libx264', '-bf', '2', '-g', String(fps), '-pix_fmt', 'yuv420p',
      '-c:a', 'aac', '-ac', '2', '-b:a', '96k', file,
    ]);
    const bytes = readFileSync(file);
    const packets = ffprobeJson(file, ['-show_packets']).packets as ProbePacket[];
    // The mp4 muxer picks the video timescale from the rate (25 fps: 12800, 24 fps: 12288, 30 fps: 15360).
    const streams = ffprobeJson(file, ['-show_streams']).streams as { codec_type: string; time_base: string }[];
    const videoBase = streams.find((s) => s.codec_type === 'video')!.time_base;
    return {
      video: { avcC: boxPayload(bytes, 'avcC'), width: 320, height: 240, timescale: Number(videoBase.split('/')[1]), samples: toSamples(bytes, packets, 'video') },
      audio: { asc: ASC_LC_48K_STEREO, sampleRate: 48_000, channels: 2, timescale: 48_000, samples: toSamples(bytes, packets, 'audio') },
    };
  });
}

/** Rebases dts to start at 0; durations recomputed from dts deltas so they are contiguous. */
function toSamples(file: Buffer, packets: ProbePacket[], kind: string): TestSample[] {
  const mine = packets.filter((p) => p.codec_type === kind);
  const base = mine[0]!.dts;
  return mine.map((p, i) => {
    const next = mine[i + 1];
    const pos = Number(p.pos);
    return {
      dts: p.dts - base,
      cts: p.pts - p.dts,
      duration: next ? next.dts - p.dts : p.duration,
      keyframe: p.flags.startsWith('K'),
      data: file.subarray(pos, pos + Number(p.size)),
    };
  });
}

function boxPayload(file: Buffer, type: string): Buffer {
  const at = file.indexOf(type, 0, 'latin1');
  if (at < 4) throw new Error(`no ${type} box in test file`);
  return file.subarray(at + 4, at - 4 + file.readUInt32BE(at - 4));
}

/** AVCC (4-byte lengths) -> Annex B, with SPS/PPS from avcC in front of keyframes (for MPEG-TS). */
export function avccToAnnexB(sample: Buffer, avcC: Buffer, keyframe: boolean): Buffer {
  const parts: Buffer[] = [];
  const sc = Buffer.of(0, 0, 0, 1);
  if (keyframe) for (const ps of parameterSets(avcC)) parts.push(sc, ps);
  for (let at = 0; at + 4 <= sample.length; ) {
    const len = sample.readUInt32BE(at);
    parts.push(sc, sample.subarray(at + 4, at + 4 + len));
    at += 4 + len;
  }
  return Buffer.concat(parts);
}

function parameterSets(avcC: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let at = 5;
  const numSps = avcC[at++]! & 0x1f;
  for (let i = 0; i < numSps; i++) {
    const len = avcC.readUInt16BE(at);
    out.push(avcC.subarray(at + 2, at + 2 + len));
    at += 2 + len;
  }
  const numPps = avcC[at++]!;
  for (let i = 0; i < numPps; i++) {
    const len = avcC.readUInt16BE(at);
    out.push(avcC.subarray(at + 2, at + 2 + len));
    at += 2 + len;
  }
  return out;
}

/** Raw AAC-LC frame -> ADTS (ISO/IEC 13818-7 §6.2), 48 kHz stereo. */
export function adts(frame: Buffer): Buffer {
  const len = frame.length + 7;
  const h = Buffer.of(
    0xff, 0xf1, // sync, MPEG-4, layer 0, no CRC
    (1 << 6) | (3 << 2) | (2 >> 2), // profile LC (2-1), freq index 3, channel config high bit
    ((2 & 3) << 6) | (len >> 11),
    (len >> 3) & 0xff,
    ((len & 7) << 5) | 0x1f,
    0xfc,
  );
  return Buffer.concat([h, frame]);
}
