import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { WebSocket } from 'ws';
import type { TestServer } from '../../support/onair.js';
import { run, waitFor, type Proc } from './proc.js';

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

/**
 * Viewers with a playback token that expires `margin` s from now, all playing before that expiry, or there is nothing
 * to check: when their starts (ffmpeg, handshakes) on a loaded machine outlast a margin, they are stopped and started
 * again with the next, longer one. Resolves with the expiry (epoch s) and the viewers.
 */
export async function playingBeforeExpiry<V>(t: TestContext, margins: readonly number[], viewers: {
  start(exp: number): V;
  playing(v: V): boolean;
  /** Ends them and waits until the server has seen them go. */
  stop(v: V): Promise<void>;
}): Promise<{ exp: number; viewers: V }> {
  for (const margin of margins) {
    const exp = Math.floor(Date.now() / 1000) + margin;
    const v = viewers.start(exp);
    await waitFor('viewers playing', () => viewers.playing(v) || Date.now() >= exp * 1000, 20_000 + margin * 1000);
    if (viewers.playing(v) && Date.now() < exp * 1000) return { exp, viewers: v };
    t.diagnostic(`the viewers were not all playing ${margin} s after the token was minted: again with a later expiry`);
    await viewers.stop(v);
  }
  assert.fail(`the viewers started before the expiry (a slow start leaves nothing to check), not even with ${margins.at(-1)} s`);
}
