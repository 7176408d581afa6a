import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { RtmpClient } from '../../src/servers/rtmp/rtmp-client.js';
import { startTestServer, TEST_API_TOKEN, type TestServer } from '../../support/onair.js';
import { ffmpegPublish } from '../support/clients.js';
import { sleep, waitFor, within } from '../support/proc.js';

let server: TestServer;
before(async () => {
  server = await startTestServer({ auth: 'keys' });
});
after(async () => server.close());

async function api<T>(method: string, path: string): Promise<T> {
  const res = await fetch(server.httpUrl(`/api/v1${path}`), { method, headers: { authorization: `Bearer ${TEST_API_TOKEN}`, ...(method === 'POST' ? { 'content-type': 'application/json' } : {}) }, body: method === 'POST' ? '{}' : undefined });
  return (await res.json()) as T;
}

const logLines = (msg: string) => server.logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === msg);

test('a publish URL without the app (rtmp://host/<key>) is answered with "expected live/<stream key>"', async () => {
  const { streamKey } = await api<{ streamKey: string }>('POST', '/streams');
  const pub = await ffmpegPublish(`rtmp://127.0.0.1:${server.ports.rtmp}/${streamKey}`);
  const code = await within(pub.exited, 10_000, 'running' as const);
  assert.notEqual(code, 'running');
  assert.match(pub.stderr(), /expected live\/<stream key>/, pub.stderr());
  assert.deepEqual(server.logs.filter((l) => l.includes(streamKey)), [], 'the key (sent as the app) is not logged');
});

test('the app name is logged as it is (it is no secret); a key in the app is not', async () => {
  const pub = await ffmpegPublish(`rtmp://127.0.0.1:${server.ports.rtmp}/studio/sk_notakey`);
  await within(pub.exited, 10_000, undefined);
  await pub.kill();
  const refused = logLines('publish refused').at(-1)!;
  assert.equal(refused.app, 'studio');
});

test('a player leaving logs "play ended" with its duration and bytes; a live session\'s bytesIn grows while it is live', async () => {
  const stream = await api<{ id: string; streamKey: string; playbackId: string }>('POST', '/streams');
  const pub = await ffmpegPublish(`rtmp://127.0.0.1:${server.ports.rtmp}/live/${stream.streamKey}`);
  try {
    await waitFor('active', () => server.hub.stream(`live/${stream.playbackId}`)?.isActive);
    const player = await RtmpClient.connect(`rtmp://127.0.0.1:${server.ports.rtmp}/live/${stream.playbackId}`);
    await player.play();
    await sleep(1500);
    player.destroy();
    const ended = await waitFor('play ended', () => logLines('play ended').at(-1));
    assert.equal(ended.path, `live/${stream.playbackId}`);
    assert.ok(typeof ended.durationMs === 'number' && ended.durationMs >= 1000, `durationMs ${ended.durationMs}`);
    assert.ok(typeof ended.bytes === 'number' && ended.bytes > 10_000, `bytes ${ended.bytes}`);

    const live = await waitFor('a live session with bytesIn', async () => {
      const s = await api<{ data: { endedAt: string | null; bytesIn: number }[] }>('GET', `/streams/${stream.id}/sessions`);
      const open = s.data.find((x) => x.endedAt === null);
      return open && open.bytesIn > 0 ? open : undefined;
    }, 20_000, 500);
    assert.ok(live.bytesIn > 0);
  } finally {
    await pub.kill();
  }
});
