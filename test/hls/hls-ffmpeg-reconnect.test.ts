import { after, before, describe, test } from 'node:test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../../support/onair.js';
import { ffmpegPublish } from '../support/clients.js';
import { run, sleep, waitFor, type Proc } from '../support/proc.js';
import { mediaPlaylist } from '../support/hls-http.js';

/**
 * ffmpeg 5.1 as an HLS client (its hls demuxer knows no EXT-X-GAP: it loads every listed segment) reads OnAir's HLS
 * through a publisher SIGKILL and reconnect within the reconnect window, where the absence is listed as EXT-X-GAP
 * segments and their URIs answer a fragment without media (gap-segment.ts). It loads the gap segments, reads on
 * into the new session, and no request of its failed; ffprobe of the playlist as the new session starts (its window
 * from the gaps on) finds video and audio without a failed request. `-f framecrc` prints a line per packet as read.
 * (Answered 404, as before gap-segment.ts, ffmpeg logged every gap segment as failed, retried and skipped it.)
 * HLS_FFMPEG_LOG=<dir> writes each reader's log there (diagnosis).
 */
const FPS = 25;
const FORMATS = ['fmp4', 'ts'] as const;
let server: TestServer;
const publishers = new Map<string, Proc>();
before(async () => {
  server = await startTestServer({ 'log-level': 'warn', 'reconnect-window-sec': 30 });
  // Both streams offered before either test counts refusals: a master playlist asked before it is offered is a 404.
  await Promise.all(FORMATS.map(async (format) => {
    publishers.set(format, await ffmpegPublish(server.rtmpUrl(`ff-${format}`), 'av.flv'));
    await waitFor('playlist offered', async () => (await fetch(server.httpUrl(`/hls/ff-${format}/index.m3u8`))).status === 200, 30_000, 250);
  }));
});
after(async () => {
  for (const p of publishers.values()) await p.kill();
  await server?.close();
});

interface Reader { readonly proc: Proc; readonly videoPackets: { atMs: number; dts: number }[] }

function ffmpegRead(url: string): Reader {
  const proc = run('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'verbose', '-i', url, '-map', '0:v', '-c', 'copy', '-f', 'framecrc', '-'], { timeoutMs: 60_000 });
  const videoPackets: Reader['videoPackets'] = [];
  let tail = '';
  proc.child.stdout!.on('data', (b: Buffer) => {
    const lines = (tail + b.toString()).split('\n');
    tail = lines.pop()!;
    for (const l of lines) {
      const m = /^0,\s*(-?\d+),/.exec(l);
      if (m) videoPackets.push({ atMs: Date.now(), dts: Number(m[1]) });
    }
  });
  return { proc, videoPackets };
}

/** What ffprobe finds in a media playlist whose window starts with EXT-X-GAP segments, and what it complained of. */
async function probe(url: string): Promise<{ streams: { codec_type: string; width?: number; sample_rate?: string }[]; complaints: string[] }> {
  const p = run('ffprobe', ['-hide_banner', '-v', 'warning', '-rw_timeout', '10000000', '-show_streams', '-of', 'json', url], { timeoutMs: 30_000 });
  const code = await p.exited;
  assert.equal(code, 0, `ffprobe exited ${code}: ${p.stderr().slice(-800)}`);
  const complaints = p.stderr().split('\n').filter((l) => FAILED.test(l));
  return { streams: (JSON.parse(p.stdout()) as { streams: { codec_type: string; width?: number; sample_rate?: string }[] }).streams, complaints };
}

/** ffmpeg's hls demuxer's words for a request that failed. */
const FAILED = /HTTP error|Server returned|Failed to open segment|Failed to reload playlist|Error when loading first segment/i;

/** OnAir's HLS answers so far with an error status (4xx, 5xx), by kind and status (its Prometheus exposition). */
async function refusedRequests(): Promise<Map<string, number>> {
  const text = await (await fetch(server.httpUrl('/metrics'))).text();
  const out = new Map<string, number>();
  for (const m of text.matchAll(/^onair_hls_request_duration_seconds_count\{kind="([a-z_]+)",status="(\d+)"\} (\d+)/gm)) {
    if (Number(m[2]) >= 400) out.set(`${m[1]} ${m[2]}`, Number(m[3]));
  }
  return out;
}

/** The error answers counted since `before`. */
async function refusedSince(before: Map<string, number>): Promise<string[]> {
  return [...await refusedRequests()].filter(([k, n]) => n > (before.get(k) ?? 0)).map(([k, n]) => `${k} x${n - (before.get(k) ?? 0)}`);
}

describe('ffmpeg through a publisher reconnect', { concurrency: true }, () => {
  for (const format of FORMATS) {
    test(`ffmpeg reads ${format} HLS on through a publisher kill and reconnect (EXT-X-GAP segments loaded, none refused)`, async (t) => {
      const id = `ff-${format}`;
      const file = format === 'ts' ? 'ts.m3u8' : 'media.m3u8';
      const refusedBefore = await refusedRequests();
      const reader = ffmpegRead(server.httpUrl(`/hls/${id}/index.m3u8${format === 'ts' ? '?format=ts' : ''}`));
      try {
        await waitFor('ffmpeg reads 2 s of video', () => reader.videoPackets.length >= 2 * FPS, 20_000, 100);
        await publishers.get(format)!.kill('SIGKILL');
        await sleep(2500);
        publishers.set(format, await ffmpegPublish(server.rtmpUrl(id), 'av.flv'));
        const listed = await waitFor('the new session listed after EXT-X-GAP segments', async () => {
          const p = await mediaPlaylist(server, id, file);
          return p.segments.some((s) => s.discontinuity && !s.gap) && p.segments.some((s) => s.gap) ? p : undefined;
        }, 20_000, 250);
        const probed = probe(server.httpUrl(`/hls/${id}/src/${file}`));
        const resumedAt = Date.now();
        const lastDtsBefore = reader.videoPackets.at(-1)?.dts ?? 0;
        await Promise.race([sleep(6000), reader.proc.exited]);
        const after = reader.videoPackets.filter((p) => p.atMs > resumedAt && p.dts > lastDtsBefore).length;
        const exit = reader.proc.child.exitCode ?? reader.proc.child.signalCode;
        if (process.env.HLS_FFMPEG_LOG) writeFileSync(join(process.env.HLS_FFMPEG_LOG, `ffmpeg-${format}.log`), reader.proc.stderr());
        const err = reader.proc.stderr();
        const failed = err.split('\n').filter((l) => FAILED.test(l));
        const gapsOpened = listed.segments.filter((s) => s.gap && err.includes(s.uri)).length;
        t.diagnostic(`${format}: ${reader.videoPackets.length} video packets, ${after} after the reconnect, exit ${exit}, gaps listed ${listed.segments.filter((s) => s.gap).length}, gaps opened ${gapsOpened}`);
        const { streams, complaints } = await probed;
        t.diagnostic(`ffprobe: ${JSON.stringify(streams.map((s) => [s.codec_type, s.width ?? s.sample_rate]))}, ${complaints.length} complaints`);
        assert.deepEqual(complaints, [], 'ffprobe reported no failed request');
        assert.ok(streams.some((s) => s.codec_type === 'video' && (s.width ?? 0) > 0) && streams.some((s) => s.codec_type === 'audio' && Number(s.sample_rate) > 0), 'ffprobe found video and audio');
        assert.equal(exit, null, `ffmpeg exited ${exit}: ${err.slice(-800)}`);
        assert.ok(gapsOpened > 0, 'ffmpeg loaded the gap segments (it knows no EXT-X-GAP); if a newer one does not, update README and this test');
        assert.deepEqual(failed, [], 'ffmpeg reported no failed request');
        assert.deepEqual(await refusedSince(refusedBefore), [], 'OnAir refused no HLS request of ffmpeg');
        assert.ok(after >= 4 * FPS, `${after} video packets of the new session in 6 s`);
      } finally {
        await reader.proc.kill('SIGKILL');
      }
    });
  }
});
