import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RtmpClient } from '../../src/servers/rtmp/rtmp-client.js';
import { startTestServer, TEST_API_TOKEN, type TestServer } from '../../support/onair.js';
import { ffmpegPublish, ffmpegRecord, ffprobeFrameCounts } from '../support/clients.js';
import { tmpFile } from '../support/media.js';
import { waitFor, within, type Proc } from '../support/proc.js';
import { launchHlsBrowser, type HlsBrowser } from '../../support/hls-browser.js';

/** The publish name an encoder holds as its secret (an OBS "Stream Key"). */
const SECRET = 'studio-secret-7f3a9c01';

/** An operator's auth callback: answers by the publish name. */
async function callbackServer(answers: Record<string, () => { status: number; body: string }>): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    let text = '';
    req.on('data', (b) => (text += b));
    req.on('end', () => {
      const { name } = JSON.parse(text) as { name: string };
      const answer = answers[name]?.() ?? { status: 403, body: '' };
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/auth`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

async function exitsWithin(p: Proc, ms: number): Promise<boolean> {
  return within(p.exited.then(() => true), ms, false);
}

describe('--auth callback: viewers watch the name the callback returns', () => {
  let server: TestServer;
  let callback: Awaited<ReturnType<typeof callbackServer>>;
  let apiPlaybackId = '';
  before(async () => {
    callback = await callbackServer({
      [SECRET]: () => ({ status: 200, body: '{"name": "Studio-A"}' }),
      nameless: () => ({ status: 200, body: '{}' }),
      empty: () => ({ status: 204, body: '' }),
      'bad-name': () => ({ status: 200, body: '{"name": "../studio"}' }),
      'not-json': () => ({ status: 200, body: 'OK' }),
      'big-body': () => ({ status: 200, body: JSON.stringify({ name: 'studio-b', pad: 'x'.repeat(5000) }) }),
      'api-clash': () => ({ status: 200, body: JSON.stringify({ name: apiPlaybackId }) }),
    });
    server = await startTestServer({ auth: 'callback', 'auth-callback-url': callback.url, 'auth-callback-timeout-ms': 2000 });
    const res = await fetch(server.httpUrl('/api/v1/streams'), {
      method: 'POST', headers: { authorization: `Bearer ${TEST_API_TOKEN}`, 'content-type': 'application/json' }, body: '{}',
    });
    apiPlaybackId = ((await res.json()) as { playbackId: string }).playbackId;
  });
  after(async () => {
    await server.close();
    await callback.close();
  });

  test('publish with the secret name; play the returned name over RTMP (ffmpeg) and HLS (hls.js); the secret is never a path', async () => {
    const pub = await ffmpegPublish(server.rtmpUrl(SECRET));
    let browser: HlsBrowser | undefined;
    try {
      await waitFor('live/studio-a active', () => server.hub.stream('live/studio-a')?.isActive);
      const out = tmpFile('callback-play.flv');
      const rec = ffmpegRecord(server.rtmpUrl('studio-a'), out, 3);
      assert.equal(await rec.exited, 0, rec.stderr());
      const frames = await ffprobeFrameCounts(out);
      assert.ok(frames.video > 25 && frames.audio > 25, `RTMP play got ${JSON.stringify(frames)}`);

      browser = await launchHlsBrowser();
      const page = await browser.open(server.httpUrl('/hls/studio-a/index.m3u8'), true);
      const playing = await waitFor('hls.js playing', async () => {
        const s = await browser!.state(page);
        assert.deepEqual(s.fatal, []);
        return s.currentTime > 1 && s.decoded > 10 ? s : null;
      }, 30_000);
      assert.ok(playing.currentTime > 1);

      const bySecret = await RtmpClient.connect(server.rtmpUrl(SECRET));
      await assert.rejects(bySecret.play(), /StreamNotFound/, 'the publish name is not playable');
      bySecret.destroy();
      assert.equal((await fetch(server.httpUrl(`/hls/${SECRET}/index.m3u8`))).status, 404);
      assert.equal([...server.hub.streams()].some((s) => s.path.includes(SECRET)), false, 'no hub path carries the secret');
    } finally {
      await browser?.close();
      await pub.kill();
    }
    // The one line allowed to carry it is the request log of this test's own probe of /hls/<secret>/.
    const ownProbe = `"path":"/hls/${SECRET}/index.m3u8"`;
    assert.deepEqual(server.logs.filter((l) => l.includes(SECRET) && !l.includes(ownProbe)), [], 'the secret publish name is in no log line');
  });

  test('a 2xx answer without a usable name refuses the publish (the publish name may be a secret)', async () => {
    for (const name of ['nameless', 'empty', 'bad-name', 'not-json', 'big-body', 'api-clash']) {
      const pub = await ffmpegPublish(server.rtmpUrl(name));
      assert.ok(await exitsWithin(pub, 8000), `${name}: refused`);
      assert.notEqual(pub.child.exitCode, 0, name);
    }
    assert.equal(server.hub.stream(`live/${apiPlaybackId}`)?.publisher, undefined, 'an API stream\'s path was not taken');
    assert.ok(server.logs.some((l) => l.includes('publish refused') && l.includes('named no stream')));
  });
});

describe('--auth callback --auth-callback-keep-name: the operator makes publish names public', () => {
  test('a 2xx answer without a name publishes under the publish name, which viewers play', async () => {
    const callback = await callbackServer({ 'open-studio': () => ({ status: 204, body: '' }) });
    const server = await startTestServer({ auth: 'callback', 'auth-callback-url': callback.url, 'auth-callback-keep-name': 'true' });
    const pub = await ffmpegPublish(server.rtmpUrl('open-studio'));
    try {
      await waitFor('live/open-studio active', () => server.hub.stream('live/open-studio')?.isActive);
      const player = await RtmpClient.connect(server.rtmpUrl('open-studio'));
      await player.play();
      player.destroy();
    } finally {
      await pub.kill();
      await server.close();
      await callback.close();
    }
  });
});
