import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { startTestServer, type TestServer } from '../support/onair.js';
import { ffmpegPublish } from '../support/clients.js';
import { freePort } from '../support/nginx-rtmp.js';
import { waitFor, type Proc } from '../support/proc.js';
import { addTarget, apiOk, createStream, waitTarget, webhookReceiver, type TestStream } from './support/repush-harness.js';

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

describe('re-push targets that fail', () => {
  let server: TestServer;
  let receiver: Awaited<ReturnType<typeof webhookReceiver>>;
  let silent: Awaited<ReturnType<typeof silentServer>>;
  let stream: TestStream;
  let sink: TestStream;
  let pub: Proc;
  const targets: Record<string, { id: string }> = {};

  before(async () => {
    server = await startTestServer({ auth: 'keys', 'repush-timeout-ms': 2000, 'repush-retry-min-ms': 200, 'repush-retry-max-ms': 1000 });
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
    await server?.close();
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
