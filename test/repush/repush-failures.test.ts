import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { startTestServer, type TestServer } from '../../support/onair.js';
import { ffmpegPublish } from '../support/clients.js';
import { freePort } from '../support/nginx-rtmp.js';
import { waitFor, type Proc } from '../support/proc.js';
import { runCli } from '../../src/cli/onair-cli.js';
import { TEST_API_TOKEN } from '../../support/onair.js';
import { addTarget, api, apiOk, createStream, waitTarget, webhookReceiver, type TestStream } from '../support/repush-harness.js';

/** Accepts TCP connections and never says a word: an ingest that hangs in the handshake. */
async function silentServer(): Promise<{ port: number; sockets: Socket[]; close(): Promise<void> }> {
  const sockets: Socket[] = [];
  const server: Server = createServer((s) => {
    sockets.push(s);
    s.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as { port: number }).port, sockets,
    close: () => new Promise((r) => {
      sockets.forEach((s) => s.destroy());
      server.close(() => r());
    }),
  };
}

let server: TestServer;
before(async () => {
  server = await startTestServer({ auth: 'keys', 'webhook-allow-networks': '127.0.0.1/32', 'repush-timeout-ms': 2000, 'repush-retry-min-ms': 200, 'repush-retry-max-ms': 1000 });
});
after(async () => server?.close());

describe('re-push targets that fail', () => {
  let receiver: Awaited<ReturnType<typeof webhookReceiver>>;
  let silent: Awaited<ReturnType<typeof silentServer>>;
  let stream: TestStream;
  let sink: TestStream;
  let pub: Proc;
  const targets: Record<string, { id: string }> = {};

  before(async () => {
    receiver = await webhookReceiver();
    silent = await silentServer();
    await apiOk(server, 'POST', '/webhooks', { url: receiver.url, events: ['target.connected', 'target.failed'] });
    stream = await createStream(server);
    sink = await createStream(server);
    const closedPort = await freePort();
    const rtmpBase = `rtmp://127.0.0.1:${server.ports.rtmp}/live`;
    const add = async (name: string, url: string, streamKey: string) => (targets[name] = await addTarget(server, stream.id, { url, streamKey }));
    await add('refused', `rtmp://127.0.0.1:${closedPort}/live`, 'refused-key-00000001');
    await add('hang', `rtmp://127.0.0.1:${silent.port}/live`, 'hang-key-0000000001');
    await add('dns', 'rtmp://no-such-host.invalid/live', 'dns-key-00000000001');
    await add('auth', rtmpBase, 'sk_not_a_key_of_this_server_0001');
    // The same server, another stream's key: a target that works, next to the failing ones.
    await add('healthy', rtmpBase, sink.streamKey);
    pub = await ffmpegPublish(stream.ingest);
  });
  after(async () => {
    await pub?.kill();
    await receiver?.close();
    await silent?.close();
  });

  test('a closed port is `refused`, and `failed` after three attempts (target.failed webhook)', async () => {
    const t = await waitTarget(server, stream.id, targets.refused!.id, 'refused target failed', (v) => v.status === 'failed');
    assert.equal(t.lastError.class, 'refused');
    assert.ok(t.reconnects >= 2, `retried: ${t.reconnects}`);
    assert.ok(t.nextAttemptAt, 'it keeps retrying at the backoff cap');
    await waitFor('target.failed webhook', () => receiver.hooks.find((h) => h.type === 'target.failed' && h.body.data.target.id === targets.refused!.id), 20_000);
  });

  test('an ingest that accepts and never answers the handshake times out', async () => {
    const t = await waitTarget(server, stream.id, targets.hang!.id, 'hanging target timed out', (v) => v.lastError?.class === 'timeout');
    assert.ok(['reconnecting', 'failed'].includes(t.status), t.status);
    assert.ok(silent.sockets.length >= 1, 'it did connect');
  });

  test('a host that does not resolve is `dns`', async () => {
    const t = await waitTarget(server, stream.id, targets.dns!.id, 'dns failure', (v) => v.lastError !== null);
    assert.equal(t.lastError.class, 'dns', t.lastError.message);
  });

  test('a refused stream key is `auth` and `failed` at once; the key is not in the message', async () => {
    const t = await waitTarget(server, stream.id, targets.auth!.id, 'auth failure', (v) => v.lastError !== null);
    assert.equal(t.lastError.class, 'auth', t.lastError.message);
    assert.equal(t.status, 'failed');
    assert.ok(!t.lastError.message.includes('sk_not_a_key'), t.lastError.message);
  });

  test('a working target next to the failing ones is live, and says so by webhook', async () => {
    const t = await waitTarget(server, stream.id, targets.healthy!.id, 'healthy target live', (v) => v.status === 'live');
    assert.equal(t.lastError, null);
    await waitFor('the sink stream is active', () => server.hub.stream(`live/${sink.playbackId}`)?.isActive);
    const hook = await waitFor('target.connected webhook', () => receiver.hooks.find((h) => h.type === 'target.connected'), 20_000);
    assert.equal(hook.body.data.target.id, targets.healthy!.id);
    assert.equal(hook.body.data.stream.id, stream.id);
    const body = JSON.stringify(receiver.hooks);
    for (const key of ['refused-key-00000001', 'hang-key-0000000001', sink.streamKey]) assert.ok(!body.includes(key), 'no target key in webhooks');
    const t2 = await waitTarget(server, stream.id, targets.healthy!.id, 'bytes flowing', (v) => v.bytesOut > 100_000 && v.bitrateOut > 0);
    assert.ok(t2.bitrateOut > 100_000, `bitrate ${t2.bitrateOut}`);
  });

  test('no target key ever appears in the server log', () => {
    const logs = server.logs.join('\n');
    for (const key of ['refused-key-00000001', 'hang-key-0000000001', 'dns-key-00000000001', 'sk_not_a_key_of_this_server_0001', sink.streamKey]) {
      assert.ok(!logs.includes(key), `${key} leaked into the log`);
    }
  });
});

describe('targets API', () => {
  let stream: TestStream;
  before(async () => {
    stream = await createStream(server);
  });

  test('validation: rtmp(s) URLs with an app, a key, known fields only', async () => {
    const post = (body: unknown) => api(server, 'POST', `/streams/${stream.id}/targets`, body);
    const cases: [unknown, number, string][] = [
      [{ url: 'http://example.com/live', streamKey: 'k' }, 400, 'validation_failed'],
      [{ url: 'rtmp://example.com', streamKey: 'k' }, 400, 'invalid_request'],
      [{ url: 'rtmp://user:pw@example.com/live', streamKey: 'k' }, 400, 'invalid_request'],
      [{ url: 'rtmp://example.com/live' }, 400, 'validation_failed'],
      [{ url: 'rtmp://example.com/live', streamKey: '' }, 400, 'validation_failed'],
      [{ url: 'rtmp://example.com/live', streamKey: 'a b' }, 400, 'invalid_request'],
      [{ url: 'rtmp://example.com/live', streamKey: 'k', rendition: 'HD!' }, 400, 'validation_failed'],
      [{ url: 'rtmp://example.com/live', streamKey: 'k', color: 'red' }, 400, 'validation_failed'],
    ];
    for (const [body, status, code] of cases) {
      const r = await post(body);
      assert.equal(r.status, status, JSON.stringify(body));
      assert.equal(r.json.error.code, code, JSON.stringify(body));
    }
    const missing = await api(server, 'POST', '/streams/str_nope/targets', { url: 'rtmp://example.com/live', streamKey: 'k' });
    assert.equal(missing.json.error.code, 'stream_not_found');
  });

  test('the key is write-only: masked in create, get, list and patch; patch and delete by id', async () => {
    const key = 'abcd-efgh-ijkl-mnop-qrst';
    const t = await addTarget(server, stream.id, { url: 'rtmps://a.rtmps.example.com/live2', streamKey: key, enabled: false, rendition: '480p' });
    assert.deepEqual([t.streamKey, t.enabled, t.rendition, t.tlsVerify, t.status], ['****qrst', false, '480p', true, 'idle']);
    const all = JSON.stringify([
      t, await apiOk(server, 'GET', `/streams/${stream.id}/targets/${t.id}`), await apiOk(server, 'GET', `/streams/${stream.id}/targets`),
      await apiOk(server, 'PATCH', `/streams/${stream.id}/targets/${t.id}`, { streamKey: 'zzzz-zzzz-zzzz-zzzz-9999', tlsVerify: false }),
    ]);
    assert.ok(!all.includes(key) && !all.includes('zzzz-zzzz'), 'no key in any response');
    const patched = await apiOk(server, 'GET', `/streams/${stream.id}/targets/${t.id}`);
    assert.deepEqual([patched.streamKey, patched.tlsVerify, patched.url], ['****9999', false, 'rtmps://a.rtmps.example.com/live2']);
    const other = await createStream(server);
    assert.equal((await api(server, 'GET', `/streams/${other.id}/targets/${t.id}`)).json.error.code, 'target_not_found', 'only under its own stream');
    assert.equal((await api(server, 'DELETE', `/streams/${stream.id}/targets/${t.id}`)).status, 204);
    assert.equal((await api(server, 'GET', `/streams/${stream.id}/targets/${t.id}`)).json.error.code, 'target_not_found');
    assert.ok(!server.logs.join('\n').includes('zzzz-zzzz'), 'the new key is not logged either');
  });

  test('at most 20 targets per stream; deleting the stream deletes its targets', async () => {
    const s = await createStream(server);
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) ids.push((await addTarget(server, s.id, { url: `rtmp://ingest${i}.example/live`, streamKey: `key-${i}`, enabled: false })).id);
    const over = await api(server, 'POST', `/streams/${s.id}/targets`, { url: 'rtmp://x.example/live', streamKey: 'k' });
    assert.deepEqual([over.status, over.json.error.code], [409, 'limit_reached']);
    assert.equal((await apiOk(server, 'GET', `/streams/${s.id}/targets`)).data.length, 20);
    await apiOk(server, 'DELETE', `/streams/${s.id}`);
    assert.equal((await api(server, 'GET', `/streams/${s.id}/targets`)).json.error.code, 'stream_not_found');
    assert.equal((await api(server, 'GET', `/streams/${s.id}/targets/${ids[0]}`)).json.error.code, 'target_not_found');
  });

  test('OpenAPI documents the routes and the CLI drives them', async () => {
    const doc = await (await fetch(server.httpUrl('/api/openapi.json'))).json() as { paths: Record<string, unknown> };
    assert.ok(doc.paths['/api/v1/streams/{id}/targets']);
    assert.ok(doc.paths['/api/v1/streams/{id}/targets/{targetId}']);
    const out: string[] = [];
    const cli = (...argv: string[]) => runCli(argv, { out: (l) => out.push(l), err: (l) => out.push(l), env: { ONAIR_API_URL: server.httpUrl(''), ONAIR_API_TOKEN: TEST_API_TOKEN } });
    assert.equal(await cli('targets', 'add', stream.id, '--url', 'rtmp://cli.example/live', '--key', 'cli-key-0000000000001', '--disabled'), 0);
    const id = /^(tgt_\S+)/.exec(out.at(-1)!)?.[1];
    assert.ok(id, out.join('\n'));
    assert.match(out.at(-1)!, /disabled .*key \*\*\*\*0001/);
    assert.equal(await cli('targets', 'list', stream.id), 0);
    assert.ok(out.some((l) => l.startsWith(id)));
    assert.equal(await cli('targets', 'delete', stream.id, id), 0);
    assert.ok(!out.join('\n').includes('cli-key-0000000000001'));
  });
});
