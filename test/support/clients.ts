import { clip, type ClipName } from './media.js';
import { run, runOk, type Proc } from './proc.js';

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
