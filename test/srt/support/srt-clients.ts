import { createSocket } from 'node:dgram';
import type { StreamMetadata } from '../../../src/core/media-packet.js';
import type { SubscriberSink } from '../../../src/hub/index.js';
import type { TestServer } from '../../support/onair.js';
import { clip, type ClipName } from '../../support/media.js';
import { run, type Proc } from '../../support/proc.js';

/** Collects the datagrams sent to one UDP port (a target for srt-live-transmit's udp:// output). */
export async function udpCollector(): Promise<{ port: number; bytes(): Buffer; close(): void }> {
  const s = createSocket('udp4');
  const chunks: Buffer[] = [];
  s.on('message', (m) => chunks.push(m));
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  return { port: s.address().port, bytes: () => Buffer.concat(chunks), close: () => s.close() };
}

/** A UDP port free right now (SRT's --srt-port 0 means off, so tests pick one). */
export async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
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

export interface FrameCounter {
  /** Frames delivered to this subscriber (which starts at the first video keyframe, like every player). */
  readonly video: number;
  readonly audio: number;
  /** Frames the hub took in from publishers on the path since the counter started (no keyframe gate). */
  ingested(): { video: number; audio: number };
  readonly keyframes: number;
  readonly publishers: number;
  close(): void;
}

/**
 * Counts the frames the hub delivers on `path` from before the publisher starts (an in-process subscriber,
 * waiting for a publisher): what every output of OnAir gets, to compare with the source clip.
 */
export function hubFrameCounter(server: TestServer, path: string): FrameCounter {
  const counts = { video: 0, audio: 0, keyframes: 0, publishers: 0 };
  const sink: SubscriberSink = {
    pendingBytes: 0,
    latencyToleranceMs: Infinity,
    onMetadata: (_m: StreamMetadata) => undefined,
    onPacket: (p) => {
      if (p.role !== 'frame') return;
      counts[p.kind]++;
      if (p.kind === 'video' && p.keyframe) counts.keyframes++;
    },
    onPublisherEnd: () => undefined,
    onPublisherStart: () => void counts.publishers++,
    onClose: () => undefined,
  };
  const sub = server.hub.subscribe(path, { protocol: 'test', remoteAddress: '127.0.0.1' }, sink, { waitForPublisher: true });
  // The stream may outlive a publisher (HLS keeps it for the reconnect window): count from now on.
  const { videoFrames: video0, audioFrames: audio0 } = server.hub.stream(path)!.stats;
  return {
    get video() { return counts.video; },
    get audio() { return counts.audio; },
    get keyframes() { return counts.keyframes; },
    get publishers() { return counts.publishers; },
    ingested: () => {
      const s = server.hub.stream(path)!.stats;
      return { video: s.videoFrames - video0, audio: s.audioFrames - audio0 };
    },
    close: () => sub.close('test done'),
  };
}
