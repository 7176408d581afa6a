import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ffmpegRecord, ffprobeStreams } from '../support/clients.js';
import { tmpFile } from '../support/media.js';
import { run, sleep, waitFor, type Proc } from '../support/proc.js';
import { irregularGopClip } from '../support/irregular-clip.js';
import { KeyframeRecorder, alignedTo, isAlive, probeVideoPackets, startTranscodeServer, type TranscodeServer } from '../support/transcode-harness.js';

let server: TranscodeServer;
let publisher: Proc;
let stream: { id: string; streamKey: string; playbackId: string };
let path: string;

function publish(file: string, url: string): Proc {
  return run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-re', '-stream_loop', '-1', '-i', file, '-c', 'copy', '-f', 'flv', url], { timeoutMs: 180_000 });
}

before(async () => {
  server = await startTranscodeServer();
  stream = await server.createStream({ ladder: 'default' });
  path = `live/${stream.playbackId}`;
  publisher = publish(await irregularGopClip(), server.rtmpUrl(stream.streamKey));
  await waitFor('480p and 360p renditions', () => server.transcode.renditions(path).length === 3, 30_000, 100);
});

after(async () => {
  await publisher?.kill('SIGKILL');
  await server?.close();
});

test('ladder "default" on a 720p30 source: the source on top, then 480p and 360p, in the status', () => {
  const list = server.transcode.renditions(path);
  assert.deepEqual(list.map((r) => [r.name, r.path, r.width, r.height, r.fps, r.source]), [
    ['source', path, 1280, 720, 30, true],
    ['480p', `${path}/480p`, 854, 480, 30, false],
    ['360p', `${path}/360p`, 640, 360, 30, false],
  ]);
  assert.deepEqual(list.slice(1).map((r) => [r.videoBitrate, r.audioBitrate]), [[1_200_000, 96_000], [700_000, 96_000]]);
  const status = server.transcode.status(path)!;
  assert.equal(status.ladder, 'default');
  assert.equal(status.reason, null);
  assert.ok(['running', 'starting'].includes(status.state));
});

/**
 * Side by side: three readers of the running ladder (two ffmpeg recordings and the hub's own timelines), none of which
 * changes it; one after another they took ~20 s of the serial phase, where this file runs alone.
 */
describe('the running ladder, read three ways', { concurrency: true }, () => {
  test('every rendition plays over RTMP as H.264 + AAC 48 kHz at its size and frame rate, keyframes where the source has them', async () => {
    const names = ['', '/480p', '/360p'];
    const files = names.map((n) => tmpFile(`rend${n.replace('/', '-')}.flv`));
    // Recorded at once, so every file starts at the same source keyframe (the GOP cache's).
    const recs = names.map((n, i) => ffmpegRecord(`rtmp://127.0.0.1:${server.ports.rtmp}/live/${stream.playbackId}${n}`, files[i]!, 9));
    const codes = await Promise.all(recs.map((r) => r.exited));
    assert.deepEqual(codes, [0, 0, 0], recs.map((r) => r.stderr()).join('\n'));
    const expected = [[1280, 720], [854, 480], [640, 360]];
    const source = await probeVideoPackets(files[0]!);
    for (const [i, file] of files.entries()) {
      const streams = await ffprobeStreams(file);
      const v = streams.find((s) => s.codec_type === 'video')!;
      const a = streams.find((s) => s.codec_type === 'audio')!;
      assert.deepEqual([v.codec_name, v.width, v.height], ['h264', ...expected[i]!], file);
      assert.deepEqual([a.codec_name, a.sample_rate], ['aac', '48000'], file);
      if (i > 0) assert.ok(['High', 'Main'].includes(v.profile ?? ''), v.profile);
      const p = await probeVideoPackets(file);
      const fps = (p.packets - 1) / (p.last - p.first);
      assert.ok(fps > 27 && fps < 33, `${file}: ${fps} fps`);
      // Keyframe interval follows the irregular source GOP (1.3 s, 0.7 s, 1.7 s, ...), not a fixed GOP.
      assert.ok(p.keyframes.length >= 3, `${file}: keyframes ${p.keyframes}`);
      // 10 ms: ms-rounded FLV stamps on both recordings plus the source's B-frame cts (6 ms seen after a loop
      // of the clip); source keyframes are >= 700 ms apart, so this still pins every keyframe to its source one.
      if (i > 0) assert.ok(alignedTo(source.keyframes.map((t) => t * 1000), p.keyframes.map((t) => t * 1000), 10), `${file}: ${p.keyframes} vs source ${source.keyframes}`);
    }
  });

  test('a rendition plays over HTTP-FLV at /live/<playbackId>/<name>.flv; a malformed or unknown rendition URL is a 404', async () => {
    const file = tmpFile('rend-http-480p.flv');
    const rec = ffmpegRecord(server.httpUrl(`/live/${stream.playbackId}/480p.flv`), file, 4);
    assert.equal(await rec.exited, 0, rec.stderr());
    const v = (await ffprobeStreams(file)).find((s) => s.codec_type === 'video')!;
    assert.deepEqual([v.codec_name, v.width, v.height], ['h264', 854, 480]);
    for (const bad of [`/live/${stream.playbackId}/1080p.flv`, `/live/${stream.playbackId}/480P.flv`, `/live/${stream.playbackId}/480p.ts`, '/live/nope/480p.flv']) {
      const res = await fetch(server.httpUrl(bad));
      assert.equal(res.status, 404, bad);
      await res.body?.cancel();
    }
  });

  test('keyframe times are identical across renditions and on the source keyframes (hub timelines)', async () => {
    const recorders = ['', '/480p', '/360p'].map((n) => KeyframeRecorder.attach(server.hub, `${path}${n}`));
    await waitFor('5 keyframes on every rendition', () => recorders.every((r) => r.keyframes.length >= 5), 30_000, 100);
    const [src, r480, r360] = recorders.map((r) => r.keyframes);
    const n = Math.min(r480!.length, r360!.length);
    const shift = r480![0]! - r360![0]!;
    for (let i = 0; i < n; i++) assert.ok(Math.abs(r480![i]! - r360![i]! - shift) <= 2, `480p ${r480} vs 360p ${r360}`);
    // ffmpeg -stream_loop starts each 10 s loop of the clip 6 ms late (10.006 s: the audio's duration), so the source's
    // keyframes jump 6 ms at every loop while a rendition's stay on its frame grid: a window of keyframes that spans a
    // loop (it depends on when this test starts) is aligned within 10 ms, as the probed keyframes above are.
    assert.ok(alignedTo(src!, r480!, 10), `480p ${r480} vs source ${src}`);
    assert.ok(alignedTo(src!, r360!, 10), `360p ${r360} vs source ${src}`);
    // A regular GOP would not fit: the source intervals are irregular.
    const gaps = new Set(src!.slice(1).map((t, i) => Math.round((t - src![i]!) / 100)));
    assert.ok(gaps.size >= 3, `source keyframe gaps ${[...gaps]}`);
  });
});

test('killing ffmpeg mid-stream: it restarts and the renditions keep going', async () => {
  const pid = server.transcode.pidOf(path)!;
  assert.ok(isAlive(pid));
  const rec = KeyframeRecorder.attach(server.hub, `${path}/360p`);
  server.transcode.killForTest(path);
  await waitFor('a restart', () => server.transcode.status(path)!.restarts >= 1, 15_000, 50);
  await waitFor('a new ffmpeg', () => { const p = server.transcode.pidOf(path); return p !== undefined && p !== pid; }, 15_000, 50);
  const before = rec.frames;
  await waitFor('frames from the new ffmpeg', () => rec.frames > before + 30, 30_000, 100);
  assert.equal(isAlive(pid), false);
  assert.equal(server.transcode.renditions(path).length, 3);
});

test('unpublish stops ffmpeg and clears the renditions', async () => {
  const pid = server.transcode.pidOf(path)!;
  await publisher.kill('SIGKILL');
  await waitFor('ffmpeg gone', () => !isAlive(pid), 15_000, 50);
  await waitFor('status cleared', () => server.transcode.status(path) === undefined, 5_000, 50);
  assert.deepEqual(server.transcode.renditions(path), []);
  await sleep(200);
  assert.equal(server.hub.stream(`${path}/480p`)?.publisher, undefined);
});
