import { existsSync, readFileSync } from 'node:fs';
import { FlvReader } from '../../src/formats/flv/index.js';
import { clip, type ClipName } from './media.js';
import { run, runOk, waitFor, type Proc } from './proc.js';

/** ffmpeg publishing a clip in real time, looped, until killed. */
export async function ffmpegPublish(url: string, name: ClipName = 'av.flv', extra: string[] = []): Promise<Proc> {
  const file = await clip(name);
  return run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-re', '-stream_loop', '-1', '-i', file, '-c', 'copy', ...extra, '-f', 'flv', url], { timeoutMs: 120_000 });
}

export interface ProbedStream {
  codec_type: string;
  codec_name: string;
  width?: number;
  height?: number;
  sample_rate?: string;
  channels?: number;
  profile?: string;
}

/** ffprobe's view of a URL or file (streams). */
export async function ffprobeStreams(target: string, extra: string[] = []): Promise<ProbedStream[]> {
  const out = await runOk('ffprobe', ['-hide_banner', '-v', 'error', '-rw_timeout', '10000000', ...extra, '-show_streams', '-of', 'json', target], 30_000);
  return (JSON.parse(out) as { streams: ProbedStream[] }).streams;
}

/** Counts frames per stream type in a file with ffprobe. */
export async function ffprobeFrameCounts(file: string): Promise<{ video: number; audio: number }> {
  const out = await runOk('ffprobe', ['-hide_banner', '-v', 'error', '-show_entries', 'packet=codec_type', '-of', 'csv=p=0', file], 30_000);
  const lines = out.split('\n');
  return { video: lines.filter((l) => l.startsWith('video')).length, audio: lines.filter((l) => l.startsWith('audio')).length };
}

/** ffmpeg playing a URL for `seconds`, copying into a file. */
export function ffmpegRecord(url: string, out: string, seconds: number): Proc {
  return run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-rw_timeout', '10000000', '-i', url, '-t', String(seconds), '-c', 'copy', '-f', 'flv', out], { timeoutMs: (seconds + 30) * 1000 });
}

/** FLV tags by type in a file, which may still be growing: a truncated last tag is not counted. */
export function flvTagCounts(file: string): { video: number; audio: number; script: number } {
  const { tags } = new FlvReader().push(readFileSync(file));
  return {
    video: tags.filter((t) => t.typeId === 9).length,
    audio: tags.filter((t) => t.typeId === 8).length,
    script: tags.filter((t) => t.typeId === 18).length,
  };
}

/**
 * rtmpdump playing a live URL into `out`; `received` resolves once the file holds `min` video and audio tags, and
 * fails if rtmpdump exits first or the tags do not arrive within `timeoutMs`. rtmpdump's `--stop` never ends a live
 * play (every such player ran into its kill timeout), so the file is watched instead and the caller stops it.
 */
export function rtmpdumpLive(url: string, out: string, min: { video: number; audio: number }, timeoutMs = 30_000): { received: Promise<{ video: number; audio: number }>; stop(): Promise<unknown> } {
  const p = run('rtmpdump', ['-q', '--live', '-r', url, '-o', out], { timeoutMs: timeoutMs + 30_000 });
  let exitCode: number | null | undefined;
  void p.exited.then((c) => (exitCode = c));
  const received = waitFor(`rtmpdump to write ${min.video} video and ${min.audio} audio tags`, () => {
    if (exitCode !== undefined) throw new Error(`rtmpdump exited (${exitCode}) before the tags arrived: ${p.stderr().slice(-500)}`);
    const counts = existsSync(out) ? flvTagCounts(out) : undefined;
    return counts && counts.video >= min.video && counts.audio >= min.audio ? counts : undefined;
  }, timeoutMs, 250);
  // A caller that gives up on this player (another one failed) stops it without awaiting `received`.
  received.catch(() => undefined);
  return { received, stop: () => p.kill() };
}
