import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Length of the reference clip in seconds. */
export const CLIP_SECONDS = 30;

/**
 * The reference clip of the benchmarking notes: 720p30 H.264 High 2.5 Mb/s + AAC-LC 128k 48 kHz, 2 s GOP (or `gopSeconds`), 30 s
 * (about 2.7 Mb/s on the wire). Made once with ffmpeg into bench/out/media.
 */
export function referenceClip(outDir: string, gopSeconds = 2): string {
  // Other keyframe intervals (bench/hls-latency.ts --ab-*-gop) get files of their own.
  const file = join(outDir, gopSeconds === 2 ? 'clip720.flv' : `clip720-gop${gopSeconds}.flv`);
  const gopFrames = String(Math.round(gopSeconds * 30));
  if (existsSync(file)) return file;
  mkdirSync(outDir, { recursive: true });
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=30', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', String(CLIP_SECONDS),
    '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-sc_threshold', '0',
    '-b:v', '2500k', '-maxrate', '2500k', '-bufsize', '5000k', '-g', gopFrames, '-keyint_min', gopFrames,
    '-c:a', 'aac', '-b:a', '128k', '-ar', '48000', '-f', 'flv', file], { stdio: 'inherit' });
  return file;
}

/** ffmpeg arguments that publish `clip` in real time, looped, stream-copied as FLV to `target` (a URL or pipe:1). */
export function realtimePublishArgs(clip: string, target: string): string[] {
  return ['-hide_banner', '-loglevel', 'error', '-re', '-stream_loop', '-1', '-i', clip, '-c', 'copy', '-f', 'flv', target];
}

/**
 * ffmpeg arguments that publish `clip` in real time, looped, stream-copied, to every URL of `targets` at once (the
 * tee muxer): each server gets the same bytes at the same moments from one reader. A target that fails ends the
 * whole publish (no onfail=ignore), so a comparison never goes on with one server silently short of a stream.
 */
export function realtimeTeeArgs(clip: string, targets: readonly string[]): string[] {
  return ['-hide_banner', '-loglevel', 'error', '-re', '-stream_loop', '-1', '-i', clip, '-map', '0', '-c', 'copy', '-f', 'tee',
    targets.map((t) => `[f=flv]${t}`).join('|')];
}

/** Media packets (audio and video frames) per second of `clip`, counted by ffprobe. */
export function clipPacketsPerSecond(clip: string): number {
  const out = execFileSync('ffprobe', ['-v', 'error', '-count_packets', '-show_entries', 'stream=nb_read_packets', '-of', 'csv=p=0', clip], { encoding: 'utf8' });
  return out.trim().split('\n').reduce((a, l) => a + Number(l.replace(/,/g, '')), 0) / CLIP_SECONDS;
}

/** The clip's bytes per second as FLV, about what an FLV or RTMP viewer of it receives in real time. */
export function clipBytesPerSecond(clip: string): number {
  return statSync(clip).size / CLIP_SECONDS;
}
