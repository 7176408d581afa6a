import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMasterPlaylist } from '../../src/formats/m3u8/index.js';
import { TEST_API_TOKEN } from '../../support/onair.js';
import { discoverFfmpeg } from '../../src/services/transcode/index.js';
import { ffprobeStreams } from '../support/clients.js';
import { irregularGopClip } from '../support/irregular-clip.js';
import { run, waitFor, type Proc } from '../support/proc.js';
import { startTranscodeServer, type TranscodeServer } from '../support/transcode-harness.js';

/**
 * A stream with the "default" ladder on a server that finds no ffmpeg: it plays passthrough, and the transcoder's
 * status (in the service and through the API) says why. Nothing is transcoded here, so this file runs with the other
 * integration files, two at a time, not in the serial group with the ABR files (test.sh SERIAL_RE); one server and
 * one publisher serve both tests.
 */
let bare: TranscodeServer;
let publisher: Proc;
let stream: { id: string; streamKey: string; playbackId: string };

before(async () => {
  bare = await startTranscodeServer({ noFfmpeg: true });
  stream = await bare.createStream({ ladder: 'default' });
  publisher = run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-re', '-stream_loop', '-1', '-i', await irregularGopClip(), '-c', 'copy', '-f', 'flv', bare.rtmpUrl(stream.streamKey)], { timeoutMs: 120_000 });
});

after(async () => {
  await publisher?.kill('SIGKILL');
  await bare?.close();
});

test('with no ffmpeg anywhere, a "default" stream plays passthrough and says why', async () => {
  const ffmpeg = await discoverFfmpeg({ configuredPath: '/nonexistent/ffmpeg', env: { PATH: '/nonexistent-dir' }, bundled: async () => undefined });
  assert.equal(ffmpeg.found, false);
  const sp = `live/${stream.playbackId}`;
  const status = await waitFor('a status', () => bare.transcode.status(sp), 20_000, 50);
  assert.equal(status.state, 'passthrough');
  assert.equal(status.reason, 'ffmpeg_not_found');
  assert.match(status.detail ?? '', /nonexistent\/ffmpeg: no such file/);
  assert.deepEqual(status.droppedRungs, ['480p', '360p']);
  assert.deepEqual(status.renditions.map((r) => r.name), ['source']);
  const probed = await ffprobeStreams(`rtmp://127.0.0.1:${bare.ports.rtmp}/live/${stream.playbackId}`);
  assert.equal(probed.find((x) => x.codec_type === 'video')?.height, 720);
});

test('with no ffmpeg, the API says so: passthrough, reason ffmpeg_not_found; the master lists the source only', async () => {
  const get = async () => {
    const res = await fetch(bare.httpUrl(`/api/v1/streams/${stream.id}`), { headers: { authorization: `Bearer ${TEST_API_TOKEN}` } });
    return (await res.json()) as { transcode?: { state: string; reason: string | null; detail: string | null; droppedRungs: string[]; renditions: { name: string }[] } };
  };
  const body = await waitFor('a transcode status', async () => ((await get()).transcode ? get() : undefined), 20_000, 100);
  assert.equal(body.transcode!.state, 'passthrough');
  assert.equal(body.transcode!.reason, 'ffmpeg_not_found');
  assert.match(body.transcode!.detail ?? '', /nonexistent\/ffmpeg/);
  assert.deepEqual(body.transcode!.droppedRungs, ['480p', '360p']);
  assert.deepEqual(body.transcode!.renditions.map((r) => r.name), ['source']);
  const list = await fetch(bare.httpUrl('/api/v1/streams'), { headers: { authorization: `Bearer ${TEST_API_TOKEN}` } });
  const items = ((await list.json()) as { data: { id: string; transcode?: { reason: string } }[] }).data;
  assert.equal(items.find((i) => i.id === stream.id)?.transcode?.reason, 'ffmpeg_not_found');
  const master = await waitFor('master', async () => {
    const r = await fetch(bare.httpUrl(`/hls/${stream.playbackId}/index.m3u8`));
    return r.status === 200 ? r.text() : undefined;
  }, 20_000, 250);
  assert.deepEqual(parseMasterPlaylist(master).variants.map((v) => [v.uri.split('/')[0], v.resolution?.height]), [['src', 720]]);
});
