import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../../support/onair.js';
import { redactName } from '../../src/core/logger.js';
import { ffmpegPublish, ffmpegRecord, ffprobeFrameCounts, ffprobeStreams, flvTagCounts, rtmpdumpLive } from '../support/clients.js';
import { clip, tmpFile } from '../support/media.js';
import { run, runOk, waitFor } from '../support/proc.js';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server.close();
});

const live = (path: string) => () => server.hub.stream(path)?.isActive;

/**
 * Each test plays its own stream names, with stream copies and players that wait on real time, not on the CPU: they
 * run side by side.
 */
describe('RTMP with real clients', { concurrency: true }, () => {
  test('ffmpeg publishes H.264/AAC; ffprobe and ffmpeg play it with the right codecs and frames', async () => {
    const pub = await ffmpegPublish(server.rtmpUrl('ff'));
    try {
      await waitFor('stream active', live('live/ff'));
      const streams = await ffprobeStreams(server.rtmpUrl('ff'));
      const video = streams.find((s) => s.codec_type === 'video');
      const audio = streams.find((s) => s.codec_type === 'audio');
      assert.equal(video?.codec_name, 'h264');
      assert.equal(video?.width, 640);
      assert.equal(video?.height, 360);
      assert.equal(audio?.codec_name, 'aac');
      assert.equal(audio?.sample_rate, '48000');
      const out = tmpFile('ff.flv');
      const rec = ffmpegRecord(server.rtmpUrl('ff'), out, 3);
      assert.equal(await rec.exited, 0, rec.stderr());
      const frames = await ffprobeFrameCounts(out);
      // 3 s at 25 fps and ~47 AAC frames/s, with slack for the GOP-cache start
      assert.ok(frames.video >= 60, `video frames ${frames.video}`);
      assert.ok(frames.audio >= 100, `audio frames ${frames.audio}`);
    } finally {
      await pub.kill();
    }
  });

  test('B-frames keep their composition offsets through the relay', async () => {
    const pub = await ffmpegPublish(server.rtmpUrl('bf'), 'bframes.flv');
    try {
      await waitFor('stream active', live('live/bf'));
      const out = tmpFile('bf.flv');
      const rec = ffmpegRecord(server.rtmpUrl('bf'), out, 3);
      assert.equal(await rec.exited, 0, rec.stderr());
      const pts = (await runOk('ffprobe', ['-v', 'error', '-select_streams', 'v', '-show_entries', 'packet=pts,dts', '-of', 'csv=p=0', out]))
        .trim().split('\n').map((l) => l.split(',').map(Number) as [number, number]);
      assert.ok(pts.length > 30);
      assert.ok(pts.some(([p, d]) => p > d), 'some packets must have pts > dts (B-frames)');
      for (let i = 1; i < pts.length; i++) assert.ok(pts[i]![1] >= pts[i - 1]![1], 'dts must not go back');
    } finally {
      await pub.kill();
    }
  });

  test('rtmpdump plays the stream (plain handshake, librtmp command sequence)', async () => {
    const pub = await ffmpegPublish(server.rtmpUrl('dump'));
    try {
      await waitFor('stream active', live('live/dump'));
      const out = tmpFile('dump.flv');
      const dump = rtmpdumpLive(server.rtmpUrl('dump'), out, { video: 50, audio: 50 });
      await dump.received.finally(() => dump.stop());
      const streams = await ffprobeStreams(out);
      assert.deepEqual(streams.map((s) => s.codec_name).sort(), ['aac', 'h264']);
    } finally {
      await pub.kill();
    }
  });

  test('GStreamer rtmp2sink publishes and rtmp2src plays', async () => {
    const file = await clip('av.flv');
    const sink = run('gst-launch-1.0', ['-q', 'filesrc', `location=${file}`, '!', 'flvdemux', 'name=d',
      'd.video', '!', 'queue', '!', 'h264parse', '!', 'flvmux', 'streamable=true', 'name=m', '!', 'rtmp2sink', `location=${server.rtmpUrl('gst')}`,
      'd.audio', '!', 'queue', '!', 'aacparse', '!', 'm.'], { timeoutMs: 60_000 });
    try {
      await waitFor('gstreamer stream active', live('live/gst'), 20_000);
      const stream = server.hub.stream('live/gst')!;
      await waitFor('frames from gstreamer', () => stream.stats.videoFrames > 25);
      const out = tmpFile('gst.flv');
      const src = run('gst-launch-1.0', ['-q', '-e', 'rtmp2src', `location=${server.rtmpUrl('gst')}`, '!', 'filesink', `location=${out}`], { timeoutMs: 30_000 });
      // Until its file holds a second of video (it was a fixed 3 s), then stopped.
      await waitFor('rtmp2src to write 25 video tags', () => existsSync(out) && flvTagCounts(out).video >= 25, 20_000, 200);
      await src.kill('SIGINT');
      const counts = flvTagCounts(out);
      assert.ok(counts.video >= 25, `rtmp2src got ${counts.video} video tags`);
      const streams = await ffprobeStreams(out);
      assert.ok(streams.some((s) => s.codec_name === 'h264' && s.width === 640));
    } finally {
      await sink.kill();
    }
  });

  test('audio-only, video-only and MP3 streams relay', async () => {
    // Side by side, each on its own stream (stream copies: each case waits on its own publisher and player).
    await Promise.all(([
      ['ao', 'audio-only.flv', ['aac']], ['vo', 'video-only.flv', ['h264']], ['mp3', 'mp3.flv', ['h264', 'mp3']],
    ] as const).map(async ([name, clipName, expect]) => {
      const pub = await ffmpegPublish(server.rtmpUrl(name), clipName);
      try {
        await waitFor(`${name} active`, live(`live/${name}`));
        const out = tmpFile(`${name}.flv`);
        const rec = ffmpegRecord(server.rtmpUrl(name), out, 2);
        assert.equal(await rec.exited, 0, rec.stderr());
        const streams = await ffprobeStreams(out);
        assert.deepEqual(streams.map((s) => s.codec_name).sort(), [...expect], name);
      } finally {
        await pub.kill();
      }
    }));
  });

  test('playing a stream that does not exist gets StreamNotFound and a closed connection', async () => {
    const p = run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-rw_timeout', '5000000', '-i', server.rtmpUrl('nope'), '-f', 'null', '-'], { timeoutMs: 15_000 });
    const code = await p.exited;
    assert.notEqual(code, 0);
    // This play's refusal (the tests run at once: not another's; names are logged redacted).
    assert.ok(server.logs.some((l) => l.includes('"code":"not_found"') && l.includes(`"name":"${redactName('nope')}"`)), 'refusal logged with a reason');
  });
});
