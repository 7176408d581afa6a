import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, TEST_API_TOKEN, type TestServer } from '../../support/onair.js';
import { ffmpegPublish } from '../support/clients.js';
import { startTestPostgres, type TestPostgres } from '../support/postgres.js';
import { waitFor, type Proc } from '../support/proc.js';
import { callApi, type ApiStream } from '../support/stream-api.js';

/**
 * README "PostgreSQL outage", the hung case: PostgreSQL stops answering (every process SIGSTOPped: the pool's
 * connections stay open and new ones are still accepted by the kernel) instead of going away. Without a read
 * timeout an API request waits forever on an open connection, and so does every write behind it.
 */
let pgServer: TestPostgres;
let server: TestServer;
const procs: Proc[] = [];

/* eslint-disable @typescript-eslint/no-explicit-any -- API bodies are checked field by field */
const api = <T = any>(method: string, path: string, body?: unknown): Promise<T> => callApi<T>(server.httpUrl(''), method, path, body);

before(async () => {
  pgServer = await startTestPostgres();
  server = await startTestServer({ auth: 'keys', 'database-url': pgServer.url, 'reconnect-window-sec': 0 });
});
after(async () => {
  await Promise.all(procs.map((p) => p.kill('SIGKILL')));
  await pgServer?.thaw().catch(() => {});
  await server?.close();
  await pgServer?.stop();
});

it('a PostgreSQL that stops answering: the API says 503 after the query timeout, writes wait and land once it answers again', async () => {
  const s = await api<ApiStream>('POST', '/streams', {});
  const publisher = await ffmpegPublish(server.rtmpUrl(s.streamKey));
  procs.push(publisher);
  await waitFor('the stream live', () => server.hub.stream(`live/${s.playbackId}`)?.isActive, 20_000);
  const [session] = (await api('GET', `/streams/${s.id}/sessions`)).data;

  await pgServer.freeze();
  const asked = Date.now();
  // The bound here only separates "answers" from "hangs forever"; it asserts no speed.
  const res = await fetch(server.httpUrl('/api/v1/streams'), { headers: { authorization: `Bearer ${TEST_API_TOKEN}` }, signal: AbortSignal.timeout(60_000) });
  console.log(`# API answered ${res.status} ${Date.now() - asked} ms into the hang`);
  assert.equal(res.status, 503);
  assert.equal((await res.json() as any).error.code, 'database_unavailable');

  // The encoder leaves during the hang: the session's end is written once PostgreSQL answers again.
  await publisher.kill('SIGKILL');
  await waitFor('unpublished', () => !server.hub.stream(`live/${s.playbackId}`)?.publisher, 10_000);
  await pgServer.thaw();

  const ended = await waitFor('the session\'s end written', async () => {
    const list = await api('GET', `/streams/${s.id}/sessions`).catch(() => null);
    return list?.data.find((x: any) => x.id === session.id && x.endedAt) ?? null;
  }, 60_000);
  assert.ok(ended.endedAt);
  await waitFor('the stream idle', async () => (await api('GET', `/streams/${s.id}`).catch(() => null))?.status === 'idle', 30_000);
});
