import { WebSocket } from 'ws';
import type { TestServer } from '../../support/onair.js';
import { run, type Proc } from './proc.js';

/** ffmpeg playing a live URL (HTTP-FLV or RTMP) into nothing until the server ends it (or 120 s). */
export function ffmpegViewer(url: string): Proc {
  return run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-rw_timeout', '10000000', '-i', url, '-c', 'copy', '-f', 'null', '-'], { timeoutMs: 120_000 });
}

/** Whether ffprobe can open a live URL (false when the server refuses it). */
export async function ffprobeOpens(url: string): Promise<boolean> {
  const p = run('ffprobe', ['-hide_banner', '-v', 'error', '-rw_timeout', '10000000', '-show_streams', '-of', 'json', url], { timeoutMs: 30_000 });
  return (await p.exited) === 0;
}

/** A WS-FLV viewer (what mpegts.js does over WebSocket): bytes received, how the server closed it, and leaving. */
export function wsFlvViewer(url: string): { bytes(): number; closed: Promise<{ code: number; reason: string }>; stop(): void } {
  const ws = new WebSocket(url);
  let bytes = 0;
  ws.on('message', (m: Buffer) => (bytes += m.length));
  ws.on('error', () => {});
  return {
    bytes: () => bytes,
    closed: new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }))),
    stop: () => ws.terminate(),
  };
}

/** Subscribers of the API stream `playbackId` on `server` speaking `protocol` (`flv`, `ws-flv`, `rtmp`). */
export function viewersOf(server: TestServer, playbackId: string, protocol: string): number {
  const stream = server.hub.stream(`live/${playbackId}`);
  return stream ? [...stream.subscriptions()].filter((s) => s.info.protocol === protocol).length : 0;
}

/** The URIs of the newest segment and part of a media playlist (relative to it), once it lists both. */
export function newestSegmentAndPart(playlist: string): { segment: string; part: string } | undefined {
  const lines = playlist.split('\n');
  const segment = lines.filter((l) => l.startsWith('seg-')).pop();
  const part = lines.map((l) => /^#EXT-X-PART:.*URI="([^"]+)"/.exec(l)?.[1]).filter((u): u is string => u !== undefined).pop();
  return segment && part ? { segment, part } : undefined;
}
