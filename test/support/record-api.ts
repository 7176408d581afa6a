import { createReadStream } from 'node:fs';
import assert from 'node:assert/strict';
import { clip, type ClipName } from './media.js';
import { run, runOk, waitFor, type Proc } from './proc.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- API responses are checked field by field */

/** The admin API of a server at `base` with bearer `token`; throws on non-2xx unless `expect` is given. */
export function apiClient(base: string, token: string) {
  return async (method: string, path: string, body?: unknown): Promise<any> => {
    const res = await fetch(`${base}/api/v1${path}`, {
      method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const json = res.status === 204 ? null : await res.json().catch(() => null);
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
}

/** ffmpeg publishing a clip once in real time (`-t` cuts it), ending by itself. */
export async function publishOnce(url: string, name: ClipName = 'av.flv', seconds?: number): Promise<Proc> {
  const file = await clip(name);
  return run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-re', ...(seconds ? ['-t', String(seconds)] : []), '-i', file, '-c', 'copy', '-f', 'flv', url], { timeoutMs: 120_000 });
}

/**
 * Like publishOnce, but ffmpeg is started now and publishes only once `release()` hands it the clip (on its standard
 * input: it connects after reading the input's head). An encoder's reconnect then takes the same short time however
 * long the program takes to start on a busy machine.
 */
export async function publishOnceHeld(url: string, name: ClipName, seconds: number): Promise<{ proc: Proc; release(): void }> {
  const file = await clip(name);
  const proc = run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-re', '-t', String(seconds), '-f', 'flv', '-i', 'pipe:0', '-c', 'copy', '-f', 'flv', url], { timeoutMs: 120_000, stdin: 'pipe' });
  const stdin = proc.child.stdin!;
  stdin.on('error', () => {}); // ffmpeg stops reading after `seconds` and exits: the rest of the clip is not wanted
  return {
    proc,
    release: () => {
      const input = createReadStream(file);
      input.pipe(stdin);
      void proc.exited.then(() => input.destroy());
    },
  };
}

/**
 * Like publishOnce, and the same packets also go to a local FLV (ffmpeg's tee muxer): exactly what was
 * published, to count frames against.
 */
export async function publishOnceTee(url: string, copy: string, name: ClipName, seconds: number): Promise<Proc> {
  const file = await clip(name);
  return run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-re', '-t', String(seconds), '-i', file, '-map', '0', '-c', 'copy',
    '-f', 'tee', `[f=flv]${url}|[f=flv]${copy}`], { timeoutMs: 120_000 });
}

/** ffmpeg publishing a clip looped in real time until killed. */
export async function publishLooped(url: string, name: ClipName = 'av.flv'): Promise<Proc> {
  const file = await clip(name);
  return run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-re', '-stream_loop', '-1', '-i', file, '-c', 'copy', '-f', 'flv', url], { timeoutMs: 180_000 });
}

export async function waitAsset(api: ReturnType<typeof apiClient>, streamId: string, done: (a: any) => boolean, what: string, ms = 30_000): Promise<any> {
  return waitFor(what, async () => {
    const page = await api('GET', `/assets?streamId=${streamId}`);
    return page.items.find(done);
  }, ms, 200);
}

export interface ProbedMp4 {
  durationSec: number;
  video: { start: number; duration: number; packets: number };
  audio: { start: number; duration: number; packets: number };
}

/** ffprobe's reading of an MP4: format duration, per-stream first pts, duration and packet count. */
export async function probeMp4(file: string): Promise<ProbedMp4> {
  const out = await runOk('ffprobe', ['-v', 'error', '-count_packets', '-show_entries',
    'format=duration:stream=codec_type,start_time,duration,nb_read_packets', '-of', 'json', file], 60_000);
  const j = JSON.parse(out) as { format: { duration: string }; streams: { codec_type: string; start_time: string; duration: string; nb_read_packets: string }[] };
  const s = (kind: string) => {
    const st = j.streams.find((x) => x.codec_type === kind);
    assert.ok(st, `${kind} stream in ${file}`);
    return { start: Number(st.start_time), duration: Number(st.duration), packets: Number(st.nb_read_packets) };
  };
  return { durationSec: Number(j.format.duration), video: s('video'), audio: s('audio') };
}

export { webhookReceiver, type Hook } from './webhook-receiver.js';
