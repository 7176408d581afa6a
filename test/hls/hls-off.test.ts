import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer } from '../../support/onair.js';
import { ffmpegPublish, ffprobeStreams } from '../support/clients.js';
import { waitFor } from '../support/proc.js';

test('--hls off: no packager runs, /hls answers 404 with the reason, RTMP and HTTP-FLV still play', async () => {
  const server = await startTestServer({ hls: 'off' });
  const pub = await ffmpegPublish(server.rtmpUrl('nohls'), 'av.flv');
  try {
    await waitFor('nohls active', () => server.hub.stream('live/nohls')?.isActive, 20_000);
    const subscribers = server.hub.stream('live/nohls')!.subscriberCount;
    assert.equal(subscribers, 0, 'nothing subscribes to package HLS');
    const res = await fetch(server.httpUrl('/hls/nohls/index.m3u8'));
    assert.equal(res.status, 404);
    assert.match(await res.text(), /HLS is off/);
    const rtmp = await ffprobeStreams(server.rtmpUrl('nohls'));
    assert.deepEqual(rtmp.map((s) => s.codec_name).sort(), ['aac', 'h264']);
    const flv = await ffprobeStreams(server.httpUrl('/live/nohls.flv'));
    assert.deepEqual(flv.map((s) => s.codec_name).sort(), ['aac', 'h264']);
  } finally {
    await pub.kill();
    await server.close();
  }
});
