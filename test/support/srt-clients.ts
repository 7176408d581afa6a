import { createSocket } from 'node:dgram';
import { clip, type ClipName } from './media.js';
import { run, type Proc } from './proc.js';

/** Collects the datagrams sent to one UDP port (a target for srt-live-transmit's udp:// output). */
export async function udpCollector(): Promise<{ port: number; bytes(): Buffer; close(): void }> {
  const s = createSocket('udp4');
  const chunks: Buffer[] = [];
  s.on('message', (m) => chunks.push(m));
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  return { port: s.address().port, bytes: () => Buffer.concat(chunks), close: () => s.close() };
}

/** `srt://127.0.0.1:port?streamid=...&k=v` as ffmpeg takes it (its options: latency in µs, pbkeylen in bytes). */
export function srtUrl(port: number, streamId: string, params: Record<string, string | number> = {}): string {
  const extra = Object.entries(params).map(([k, v]) => `&${k}=${v}`).join('');
  return `srt://127.0.0.1:${port}?streamid=${streamId}${extra}`;
}

/** ffmpeg publishing a clip over SRT as MPEG-TS in real time (once, or looped until killed). */
export async function ffmpegSrtPublish(url: string, opts: { clipName?: ClipName; loop?: boolean; seconds?: number } = {}): Promise<Proc> {
  const file = await clip(opts.clipName ?? 'av.flv');
  return run('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-re', ...(opts.loop ? ['-stream_loop', '-1'] : []), '-i', file,
    ...(opts.seconds ? ['-t', String(opts.seconds)] : []), '-c', 'copy', '-f', 'mpegts', url,
  ], { timeoutMs: 120_000 });
}
