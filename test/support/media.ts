import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runOk } from './proc.js';

/** Test media made on demand with ffmpeg and cached under .test-tmp/media (a fresh clone makes its own). */
const dir = resolve(import.meta.dirname, '../../.test-tmp/media');

const x264 = ['-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-sc_threshold', '0'];
const recipes = {
  /** 640x360 25 fps H.264 + AAC 48 kHz, 1 s GOP, 10 s. */
  'av.flv': ['-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
    '-t', '10', ...x264, '-g', '25', '-b:v', '800k', '-c:a', 'aac', '-b:a', '96k', '-f', 'flv'],
  /**
   * The same, 4 s (four GOPs): for tests that publish a whole clip in real time and count what arrived, where a
   * session of 10 s only waits longer.
   */
  'av-4s.flv': ['-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
    '-t', '4', ...x264, '-g', '25', '-b:v', '800k', '-c:a', 'aac', '-b:a', '96k', '-f', 'flv'],
  /** 1280x720 30 fps H.264 High with B-frames + AAC, 2 s GOP, 10 s. */
  'bframes.flv': ['-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=30', '-f', 'lavfi', '-i', 'sine=frequency=660:sample_rate=48000',
    '-t', '10', ...x264, '-profile:v', 'high', '-bf', '3', '-g', '60', '-b:v', '2000k', '-c:a', 'aac', '-b:a', '128k', '-f', 'flv'],
  /** 640x360 25 fps H.264 + AAC, 10 s in one GOP (a single keyframe): a late reader still gets every frame from a GOP cache. */
  'one-gop.flv': ['-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
    '-t', '10', ...x264, '-g', '300', '-keyint_min', '300', '-b:v', '800k', '-c:a', 'aac', '-b:a', '96k', '-f', 'flv'],
  /**
   * The same at ~12 Mb/s (noise defeats the encoder), 16 MB in one GOP: enough bytes to fill a stalled reader's
   * kernel buffers (about 4 MB on loopback) within seconds.
   */
  'one-gop-noisy.flv': ['-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25,noise=alls=80:allf=t+u', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
    '-t', '10', ...x264, '-g', '300', '-keyint_min', '300', '-b:v', '12M', '-maxrate', '12M', '-bufsize', '24M', '-c:a', 'aac', '-b:a', '96k', '-f', 'flv'],
  'audio-only.flv': ['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100', '-t', '10', '-c:a', 'aac', '-b:a', '96k', '-f', 'flv'],
  'video-only.flv': ['-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25', '-t', '10', ...x264, '-g', '25', '-b:v', '400k', '-f', 'flv'],
  'mp3.flv': ['-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100',
    '-t', '10', ...x264, '-g', '25', '-b:v', '400k', '-c:a', 'libmp3lame', '-b:a', '96k', '-f', 'flv'],
} as const;

export type ClipName = keyof typeof recipes;

/** Clips being made by this process: two tests asking for the same clip at once share one ffmpeg run. */
const making = new Map<ClipName, Promise<string>>();

export function clip(name: ClipName): Promise<string> {
  const out = join(dir, name);
  if (existsSync(out)) return Promise.resolve(out);
  let made = making.get(name);
  if (!made) {
    made = makeClip(name, out).finally(() => making.delete(name));
    making.set(name, made);
  }
  return made;
}

async function makeClip(name: ClipName, out: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  // Per process and per call: other test files make the same clip at the same time, each renames its own copy.
  const tmp = `${out}.${process.pid}.${randomUUID()}.tmp`;
  await runOk('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...recipes[name], tmp], 120_000);
  renameSync(tmp, out);
  return out;
}

export function tmpFile(name: string): string {
  mkdirSync(join(dir, '..', 'out'), { recursive: true });
  return join(dir, '..', 'out', `${process.pid}-${Date.now()}-${name}`);
}
