import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { startTestServer, type TestServer } from '../support/onair.js';
import { clip } from '../support/media.js';
import { ffprobeStreams } from '../support/clients.js';
import { startTestNginx, type TestNginx } from '../support/nginx-rtmp.js';
import { waitFor } from '../support/proc.js';
import { addTarget, createStream, packetCounts, publishOnce, waitTarget } from './support/repush-harness.js';

/** Waits until nginx has closed the recording (its size stops changing after the publish ended). */
async function settledRecording(nginx: TestNginx, index: number): Promise<string> {
  let last = -1;
  return waitFor(`recording ${index} settled`, () => {
    const file = nginx.recordings()[index];
    if (!file) return undefined;
    const size = statSync(file).size;
    const settled = size > 0 && size === last;
    last = size;
    return settled ? file : undefined;
  }, 30_000, 500);
}

describe('re-push to nginx-rtmp', () => {
  let server: TestServer;
  let nginx: TestNginx;
  before(async () => {
    server = await startTestServer({ auth: 'keys', 'repush-retry-min-ms': 200, 'repush-retry-max-ms': 1000 });
    nginx = await startTestNginx();
  });
  after(async () => {
    await server?.close();
    await nginx?.close();
  });

  test('nginx receives the stream: same codecs, frame counts within 1 % of the source', async () => {
    const stream = await createStream(server);
    const target = await addTarget(server, stream.id, { url: nginx.url, streamKey: 'nginx-target-key-0001' });
    assert.equal(target.status, 'idle');
    assert.equal(target.streamKey, '****0001', 'the key is masked from the first response on');
    const pub = await publishOnce(stream.ingest);
    const live = await waitTarget(server, stream.id, target.id, 'target live', (t) => t.status === 'live');
    assert.ok(live.connectedSince);
    assert.equal(await pub.exited, 0, pub.stderr());
    await waitTarget(server, stream.id, target.id, 'target idle after the source ended', (t) => t.status === 'idle');
    const file = await settledRecording(nginx, 0);
    assert.match(file, /nginx-target-key-0001/, 'nginx recorded under the pushed stream key');

    const source = await packetCounts(await clip('av.flv'));
    const pushed = await packetCounts(file);
    assert.ok(Math.abs(pushed.video - source.video) <= source.video * 0.01, `video frames: pushed ${pushed.video}, source ${source.video}`);
    assert.ok(Math.abs(pushed.audio - source.audio) <= source.audio * 0.01, `audio frames: pushed ${pushed.audio}, source ${source.audio}`);
    assert.ok(pushed.firstVideoKey, 'the push starts at a keyframe');
    const streams = await ffprobeStreams(file);
    assert.deepEqual(streams.map((s) => s.codec_name).sort(), ['aac', 'h264']);
    assert.equal(streams.find((s) => s.codec_type === 'video')?.width, 640);
  });
});
