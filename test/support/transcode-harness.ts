import type { MediaPacket } from '../../src/core/media-packet.js';
import type { StreamHub, SubscriberSink } from '../../src/hub/index.js';
import { startTestServer, TEST_API_TOKEN, type TestServer } from '../../support/onair.js';
import { runOk } from './proc.js';

export interface TranscodeServer extends TestServer {
  createStream(settings: Record<string, unknown>): Promise<{ id: string; streamKey: string; playbackId: string }>;
}

/**
 * A test server (keys auth, API) with the app's own TranscodeService (`transcode`, the one startOnAir wires
 * into HLS and the stream API; a second service on the same hub would fight it for the rendition paths).
 * `noFfmpeg`: discovery finds nothing (configured path /nonexistent/ffmpeg, PATH emptied while the server
 * starts, no bundled build installed), so transcoding streams fall back to passthrough.
 */
export async function startTranscodeServer(opts: { noFfmpeg?: boolean; flags?: Record<string, string | number> } = {}): Promise<TranscodeServer> {
  const savedPath = process.env.PATH;
  let server: TestServer;
  try {
    if (opts.noFfmpeg) process.env.PATH = '/nonexistent-dir';
    server = await startTestServer({ auth: 'keys', 'log-level': 'info', ...(opts.noFfmpeg ? { 'ffmpeg-path': '/nonexistent/ffmpeg' } : {}), ...opts.flags });
  } finally {
    process.env.PATH = savedPath;
  }
  return {
    ...server,
    createStream: async (settings) => {
      const res = await fetch(server.httpUrl('/api/v1/streams'), {
        method: 'POST', headers: { authorization: `Bearer ${TEST_API_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ settings }),
      });
      if (res.status !== 201 && res.status !== 200) throw new Error(`create stream: ${res.status} ${await res.text()}`);
      return (await res.json()) as { id: string; streamKey: string; playbackId: string };
    },
  };
}

/** Records video keyframe times (hub stream timeline) and frame counts of a hub path. */
export class KeyframeRecorder implements SubscriberSink {
  readonly pendingBytes = 0;
  readonly keyframes: number[] = [];
  frames = 0;
  onMetadata(): void {}
  onPacket(p: MediaPacket): void {
    if (p.kind !== 'video' || p.role !== 'frame') return;
    this.frames++;
    if (p.keyframe) this.keyframes.push(p.dts + p.cts);
  }
  onPublisherEnd(): void {}
  onPublisherStart(): void {}
  onClose(): void {}

  static attach(hub: StreamHub, path: string): KeyframeRecorder {
    const r = new KeyframeRecorder();
    hub.subscribe(path, { protocol: 'test', remoteAddress: '127.0.0.1' }, r, { waitForPublisher: true });
    return r;
  }
}

/** Keyframe pts (s) and packet count of the video in a media file, by ffprobe. */
export async function probeVideoPackets(file: string): Promise<{ keyframes: number[]; packets: number; first: number; last: number }> {
  const out = await runOk('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts_time,flags', '-of', 'csv=p=0', file], 30_000);
  const rows = out.trim().split('\n').map((l) => l.split(',')).filter((r) => r[0] !== 'N/A' && r[0] !== '');
  const times = rows.map((r) => Number(r[0]));
  return {
    keyframes: rows.filter((r) => r[1]?.startsWith('K')).map((r) => Number(r[0])),
    packets: rows.length,
    first: Math.min(...times),
    last: Math.max(...times),
  };
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * True when, after one constant shift (the recordings start at different times), every keyframe of
 * `rendition` inside the span of `source` lies on a source keyframe within `toleranceMs`, and at least
 * `minMatches` do.
 */
export function alignedTo(source: readonly number[], rendition: readonly number[], toleranceMs = 3, minMatches = 3): boolean {
  const lo = Math.min(...source) - toleranceMs;
  const hi = Math.max(...source) + toleranceMs;
  for (const s of source) {
    for (const r0 of rendition) {
      const shifted = rendition.map((r) => r + s - r0).filter((r) => r >= lo && r <= hi);
      if (shifted.length >= minMatches && shifted.every((r) => source.some((x) => Math.abs(x - r) <= toleranceMs))) return true;
    }
  }
  return false;
}
