import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { TEST_API_TOKEN, type TestServer } from '../../support/onair.js';
import { summarize } from '../../src/services/streams/stream-types.js';
import { startSrtTestServer } from '../../support/srt-hub.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- API responses are checked field by field */

let server: TestServer;
let port: number;
before(async () => {
  server = await startSrtTestServer({ auth: 'keys' });
  port = server.ports.srt!;
});
after(async () => {
  await server.close();
});

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(server.httpUrl(`/api/v1${path}`), {
    method, headers: { authorization: `Bearer ${TEST_API_TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, json: await res.json().catch(() => null) };
}

test('settings.srtPassphrase: shown to the stream owner, masked in lists, validated, clearable', async () => {
  const passphrase = 'owner-visible-passphrase';
  const created = await api('POST', '/streams', { settings: { srtPassphrase: passphrase } });
  assert.equal(created.status, 201);
  assert.equal(created.json.settings.srtPassphrase, passphrase);
  assert.equal((await api('GET', `/streams/${created.json.id}`)).json.settings.srtPassphrase, passphrase);
  const list = await api('GET', '/streams');
  assert.equal(list.status, 200, server.logs.filter((l) => l.includes('"level":50')).join('\n'));
  const item = list.json.data.find((s: any) => s.id === created.json.id);
  assert.equal(item.settings.srtPassphrase, '********');
  assert.ok(!JSON.stringify(list.json).includes(passphrase));
  assert.equal((await api('POST', '/streams', { settings: { srtPassphrase: 'short' } })).status, 400);
  assert.equal((await api('POST', '/streams', { settings: { srtPassphrase: 'x'.repeat(80) } })).status, 400);
  const cleared = await api('PATCH', `/streams/${created.json.id}`, { settings: { srtPassphrase: null } });
  assert.equal(cleared.json.settings.srtPassphrase, null);
  const plain = await api('POST', '/streams', {});
  assert.equal(plain.json.settings.srtPassphrase, null);
  assert.ok(!server.logs.some((l) => l.includes(passphrase)), 'never logged');
});

test('stream responses carry the SRT ingest and playback URLs', async () => {
  const created = await api('POST', '/streams', {});
  assert.equal(created.json.ingest.srt, `srt://127.0.0.1:${port}`);
  assert.equal(created.json.playback.srt, `srt://127.0.0.1:${port}?streamid=#!::r=live/${created.json.playbackId},m=request`);
});

test('webhook payloads (stream summaries) carry the passphrase masked', async () => {
  const stream = await server.streams.create({ settings: { srtPassphrase: 'webhook-hidden-passphrase' } });
  assert.equal(summarize(stream).settings.srtPassphrase, '********');
  assert.equal(stream.settings.srtPassphrase, 'webhook-hidden-passphrase', 'the record itself keeps it for SRT');
});
