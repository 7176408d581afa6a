import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startTestServer, TEST_API_TOKEN, type TestServer } from '../../support/onair.js';

/**
 * A server started with `--hls off` answers /hls with 404, so no stream answer offers an HLS URL: create, get, list
 * and the playback token leave `playback.hls` out (as `playback.srt` with SRT off), and the CLI prints no HLS line.
 */
let server: TestServer;
before(async () => {
  server = await startTestServer({ hls: 'off', 'log-level': 'warn' });
});
after(() => server.close());

const api = async (method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> => {
  const res = await fetch(server.httpUrl(`/api/v1${path}`), {
    method,
    headers: { authorization: `Bearer ${TEST_API_TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
};

test('with --hls off, stream answers carry no HLS playback URL, only URLs that play', async () => {
  const created = await api('POST', '/streams', { name: 'no hls', settings: { playbackPolicy: 'signed' } });
  assert.equal(created.status, 201);
  const stream = created.json as { id: string; playbackId: string; playback: Record<string, string> };
  assert.deepEqual(Object.keys(stream.playback), ['rtmp'], 'create');
  assert.match(stream.playback.rtmp!, new RegExp(`^rtmp://127\\.0\\.0\\.1:${server.ports.rtmp}/live/${stream.playbackId}$`));
  const got = await api('GET', `/streams/${stream.id}`);
  assert.deepEqual((got.json as { playback: unknown }).playback, stream.playback, 'get');
  const list = await api('GET', '/streams');
  const item = (list.json as { data: { id: string; playback: unknown }[] }).data.find((s) => s.id === stream.id);
  assert.deepEqual(item?.playback, stream.playback, 'list');
  const token = await api('POST', `/streams/${stream.id}/playback-token`, { ttlSec: 600 });
  assert.equal(token.status, 200);
  assert.deepEqual(token.json.playback, {}, 'playback token');
  // What an HLS URL would have named is not served here.
  assert.equal((await fetch(server.httpUrl(`/hls/${stream.playbackId}/index.m3u8`))).status, 404);

  const { stdout } = await promisify(execFile)(process.execPath, ['bin/onair.mjs', 'streams', 'get', stream.id], {
    env: { ...process.env, ONAIR_API_URL: server.httpUrl(''), ONAIR_API_TOKEN: TEST_API_TOKEN },
  });
  assert.match(stdout, /^Playback ID: +\S+$/m);
  assert.doesNotMatch(stdout, /HLS|undefined/);
});

test('with --hls off, the watch page starts on HTTP-FLV and offers no HLS player', async () => {
  const created = await api('POST', '/streams', { name: 'watch without hls' });
  const { playbackId } = created.json as { playbackId: string };
  for (const query of ['', '?player=hls']) {
    const html = await (await fetch(server.httpUrl(`/watch/${playbackId}${query}`))).text();
    assert.match(html, /data-player="flv"/, `the page plays HTTP-FLV (${query || 'no query'})`);
    assert.doesNotMatch(html, /hls\.min\.js|LL-HLS/, `no HLS player offered (${query || 'no query'})`);
  }
});
