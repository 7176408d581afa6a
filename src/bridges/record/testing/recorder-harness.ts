/**
 * Test-only: a hub publishing the ffmpeg-made test media into a StreamRecorder in a temp directory, with
 * ffprobe readers for what it wrote. Never imported by production code.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { MediaPacket } from '../../../core/media-packet.js';
import { StreamHub } from '../../../hub/index.js';
import type { TestMedia } from '../../../formats/fmp4/testing/ffmpeg-media.js';
import { configPackets, framePackets } from '../../../protocols/hls/testing/media-feed.js';
import { StreamRecorder, type RecordingResult, type StreamRecorderOptions } from '../stream-recorder.js';

export const silent = pino({ level: 'silent' });

export interface RecorderRig {
  readonly hub: StreamHub;
  readonly dir: string;
  readonly recorder: StreamRecorder;
  readonly finished: Promise<RecordingResult>;
  /** Publishes the whole of `media` as one publisher session (configs first), then ends it unless `stay`. */
  publish(media: TestMedia, opts?: { kinds?: ('video' | 'audio')[]; stay?: boolean; offsetMs?: number }): void;
  cleanup(): void;
}

export function recorderRig(opts: Partial<StreamRecorderOptions> = {}): RecorderRig {
  const hub = new StreamHub({
    gop: { maxBytes: 16 << 20, maxMs: 10_000 }, subscriber: { budgetBytes: 4 << 20, slowTimeoutMs: 30_000 }, takeover: 'takeover',
  }, silent);
  const dir = mkdtempSync(join(tmpdir(), 'onair-rec-'));
  let resolve!: (r: RecordingResult) => void;
  const finished = new Promise<RecordingResult>((r) => (resolve = r));
  const recorder = new StreamRecorder({ dir, reconnectWindowMs: 0, log: silent, onFinished: resolve, ...opts }).start(hub, 'live/rec');
  return {
    hub, dir: join(dir), recorder, finished,
    publish(media, { kinds = ['video', 'audio'] as ('video' | 'audio')[], stay = false, offsetMs = 0 } = {}) {
      const pub = hub.publish('live/rec', { protocol: 'test', remoteAddress: '127.0.0.1' });
      const packets: MediaPacket[] = [...configPackets(media, kinds), ...framePackets(media, offsetMs, kinds)];
      for (const p of packets) pub.push(p);
      if (!stay) pub.close();
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface ProbedPacket { codec_type: string; pts_time: string; dts_time: string; duration_time?: string; flags: string; size: string }

export function probePackets(file: string): ProbedPacket[] {
  const out = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'packet=codec_type,pts_time,dts_time,duration_time,flags,size', '-of', 'json', file], { maxBuffer: 64 << 20 });
  return (JSON.parse(out.toString('utf8')) as { packets: ProbedPacket[] }).packets;
}

export function probeFormatDuration(file: string): number {
  const out = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file]);
  return Number(out.toString().trim());
}
