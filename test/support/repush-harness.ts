import { clip, type ClipName } from './media.js';
import { run, runOk, waitFor, type Proc } from './proc.js';
import { TEST_API_TOKEN, type TestServer } from '../../support/onair.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- API responses are checked field by field */

export async function api(server: TestServer, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(server.httpUrl(`/api/v1${path}`), {
    method, headers: { authorization: `Bearer ${TEST_API_TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

/** The API call must succeed; returns its JSON. */
export async function apiOk(server: TestServer, method: string, path: string, body?: unknown): Promise<any> {
  const r = await api(server, method, path, body);
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.json)}`);
  return r.json;
}

export interface TestStream {
  id: string;
  streamKey: string;
  playbackId: string;
  ingest: string;
}

export async function createStream(server: TestServer, settings: Record<string, unknown> = {}): Promise<TestStream> {
  const s = await apiOk(server, 'POST', '/streams', { name: 'repush', settings });
  return { id: s.id, streamKey: s.streamKey, playbackId: s.playbackId, ingest: `${s.ingest.rtmp}/${s.streamKey}` };
}

export async function addTarget(server: TestServer, streamId: string, body: Record<string, unknown>): Promise<any> {
  return apiOk(server, 'POST', `/streams/${streamId}/targets`, body);
}

export async function targetStatus(server: TestServer, streamId: string, targetId: string): Promise<any> {
  return apiOk(server, 'GET', `/streams/${streamId}/targets/${targetId}`);
}

/** Polls the target until `pred` holds; returns that view. */
export async function waitTarget(server: TestServer, streamId: string, targetId: string, what: string, pred: (t: any) => boolean, timeoutMs = 30_000): Promise<any> {
  let last: any;
  try {
    return await waitFor(what, async () => {
      last = await targetStatus(server, streamId, targetId);
      return pred(last) ? last : undefined;
    }, timeoutMs, 100);
  } catch (err) {
    throw new Error(`${(err as Error).message}; last view: ${JSON.stringify(last)}`);
  }
}

/** ffmpeg publishing a clip once in real time (not looped): it exits at the end of the clip. */
export async function publishOnce(url: string, name: ClipName = 'av.flv'): Promise<Proc> {
  const file = await clip(name);
  return run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-re', '-i', file, '-c', 'copy', '-f', 'flv', url], { timeoutMs: 120_000 });
}

/** Packets per type in a file or URL (ffprobe, reading to the end). */
export async function packetCounts(input: string, timeoutMs = 60_000): Promise<{ video: number; audio: number; firstVideoKey: boolean }> {
  const out = await runOk('ffprobe', ['-hide_banner', '-v', 'error', '-rw_timeout', '15000000', '-show_entries', 'packet=codec_type,flags', '-of', 'csv=p=0', input], timeoutMs);
  const lines = out.split('\n').filter(Boolean);
  const video = lines.filter((l) => l.startsWith('video'));
  return { video: video.length, audio: lines.filter((l) => l.startsWith('audio')).length, firstVideoKey: video[0]?.split(',')[1]?.startsWith('K') ?? false };
}

export { webhookReceiver, type Hook } from './webhook-receiver.js';
