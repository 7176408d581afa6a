import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runOk } from './proc.js';

const dir = resolve(import.meta.dirname, '../../.test-tmp/media');

/**
 * 1280x720 30 fps H.264 + AAC with keyframes at irregular times (0, 1.3, 2, 3.7, 5, 6.1, 8.4 s), 10 s: a
 * fixed-GOP encoder cannot match them, so renditions that do were forced at the source's keyframes.
 */
export async function irregularGopClip(): Promise<string> {
  const out = join(dir, 'irregular-gop.flv');
  if (existsSync(out)) return out;
  mkdirSync(dir, { recursive: true });
  const tmp = `${out}.${process.pid}.${randomUUID()}.tmp`; // this call's own: tests of one file may ask at once
  await runOk('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=30',
    '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', '10',
    '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-g', '600', '-sc_threshold', '0', '-b:v', '2000k',
    '-force_key_frames', '0,1.3,2,3.7,5,6.1,8.4', '-c:a', 'aac', '-b:a', '128k', '-f', 'flv', tmp], 120_000);
  renameSync(tmp, out);
  return out;
}
