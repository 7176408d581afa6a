/**
 * End to end: an ffmpeg-made MPEG-TS file fed through createMpegTsIngest (what the SRT server does with
 * each payload) into a running OnAir, then played by ffmpeg over HLS (fMP4 and MPEG-TS variants) and over
 * RTMP, with codecs, size and frame counts checked against ffprobe's count of the source file.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createMpegTsIngest } from '../../src/bridges/mpegts/index.js';
import { createLogger } from '../../src/core/logger.js';
import { startTestServer, type TestServer } from '../../support/onair.js';
import { tmpFile } from '../support/media.js';
import { viewersOf } from '../support/playback-viewers.js';
import { run, runOk, sleep, waitFor } from '../support/proc.js';

let server: TestServer;
const log = createLogger('warn');
before(async () => {
  // Reconnect window 0: when the ingest closes, the playlists end (ENDLIST) and ffmpeg reads them whole.
  server = await startTestServer({ 'log-level': 'info', 'reconnect-window-sec': 0 });
});
after(async () => {
  await server.close();
});

interface Probed { codec_name: string; codec_type: string; width?: number; height?: number; nb_read_frames?: string }

async function probeCounts(file: string): Promise<Probed[]> {
  const json = await runOk('ffprobe', ['-v', 'error', '-count_frames', '-show_streams', '-of', 'json', file], 60_000);
  return (JSON.parse(json) as { streams: Probed[] }).streams;
}

const frames = (streams: Probed[], type: string) => Number(streams.find((s) => s.codec_type === type)?.nb_read_frames);

async function makeSource(seconds: number): Promise<{ file: string; bytes: Buffer; video: number; audio: number }> {
  const file = tmpFile('source.ts');
  await runOk('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25',
    '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', String(seconds), '-c:v', 'libx264', '-preset', 'veryfast',
    '-pix_fmt', 'yuv420p', '-g', '25', '-bf', '2', '-b:v', '500k', '-c:a', 'aac', '-ac', '2', '-b:a', '96k', '-f', 'mpegts', file,
  ], 60_000);
  const streams = await probeCounts(file);
  return { file, bytes: readFileSync(file), video: frames(streams, 'video'), audio: frames(streams, 'audio') };
}

function ingestFile(name: string, bytes: Buffer): void {
  const publisher = server.hub.publish(`live/${name}`, { protocol: 'srt', remoteAddress: '127.0.0.1' });
  const ingest = createMpegTsIngest(publisher, log);
  for (let at = 0; at < bytes.length; at += 1316) ingest.push(bytes.subarray(at, at + 1316));
  ingest.close('end of file');
}

test('a TS-ingested stream plays over HLS (fMP4 and TS) with every frame of the source', async () => {
  const src = await makeSource(5);
  ingestFile('tsin', src.bytes);
  const master = await waitFor('master playlist', async () => {
    const r = await fetch(server.httpUrl('/hls/tsin/index.m3u8'));
    return r.status === 200 ? r.text() : undefined;
  });
  assert.match(master, /CODECS="avc1\.[0-9a-f]{6},mp4a\.40\.2"/);
  assert.match(master, /RESOLUTION=640x360/);
  await waitFor('ENDLIST', async () => (await (await fetch(server.httpUrl('/hls/tsin/src/media.m3u8'))).text()).includes('#EXT-X-ENDLIST'));
  for (const q of ['', '?format=ts']) {
    const out = tmpFile(`hls${q ? '-ts' : ''}.mkv`);
    await runOk('ffmpeg', ['-hide_banner', '-v', 'error', '-y', '-i', server.httpUrl(`/hls/tsin/index.m3u8${q}`), '-c', 'copy', out], 60_000);
    const got = await probeCounts(out);
    assert.deepEqual(got.map((s) => s.codec_name).sort(), ['aac', 'h264'], q);
    const v = got.find((s) => s.codec_type === 'video')!;
    assert.equal(`${v.width}x${v.height}`, '640x360');
    assert.equal(frames(got, 'video'), src.video, `${q || 'fmp4'}: video frames`);
    assert.equal(frames(got, 'audio'), src.audio, `${q || 'fmp4'}: audio frames`);
  }
});

test('a TS-ingested stream fed in real time plays over RTMP: a player started first gets every frame', async () => {
  const src = await makeSource(3);
  const name = 'tsrtmp';
  const publisher = server.hub.publish(`live/${name}`, { protocol: 'srt', remoteAddress: '127.0.0.1' });
  const ingest = createMpegTsIngest(publisher, log);
  ingest.push(src.bytes.subarray(0, 2 * 188)); // PAT + PMT: the stream exists and says what it carries
  const out = tmpFile('rtmp.flv');
  const player = run('ffmpeg', ['-hide_banner', '-v', 'error', '-y', '-rw_timeout', '10000000', '-i', server.rtmpUrl(name), '-c', 'copy', '-f', 'flv', out], { timeoutMs: 60_000 });
  // The HLS packager subscribes at publish: wait for the RTMP player's own subscription.
  await waitFor('RTMP player subscribed', () => viewersOf(server, name, 'rtmp') > 0, 20_000);
  // About real time: the file in 30 steps 100 ms apart (a player never sees a burst it could drop).
  const steps = 30;
  for (let i = 0; i < steps; i++) {
    const from = 2 * 188 + Math.floor(((src.bytes.length - 2 * 188) * i) / steps);
    const to = 2 * 188 + Math.floor(((src.bytes.length - 2 * 188) * (i + 1)) / steps);
    for (let at = from; at < to; at += 1316) ingest.push(src.bytes.subarray(at, Math.min(at + 1316, to)));
    await sleep(100);
  }
  ingest.close('end of file');
  assert.equal(await player.exited, 0, player.stderr());
  const got = await probeCounts(out);
  assert.deepEqual(got.map((s) => s.codec_name).sort(), ['aac', 'h264']);
  assert.equal(frames(got, 'video'), src.video, 'video frames over RTMP');
  assert.equal(frames(got, 'audio'), src.audio, 'audio frames over RTMP');
});
