import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhookSignature } from '../../src/services/webhooks/webhook-signature.js';
import { RtmpClient } from '../../src/servers/rtmp/rtmp-client.js';
import { startTestServer, type TestServer } from '../../support/onair.js';
import { serverApi } from '../support/stream-api.js';
import { ffmpegPublish } from '../support/clients.js';
import { waitFor, within, type Proc } from '../support/proc.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- API responses are checked field by field */

const api = serverApi;

/** Resolves with the exit code, or 'running' if ffmpeg is still publishing after `ms`. */
async function exitWithin(p: Proc, ms: number): Promise<number | null | 'running'> {
  return within(p.exited, ms, 'running' as const);
}

interface Hook { type: string; verified: boolean; body: any }

/** A webhook receiver: answers 500 to the first delivery (to exercise retries), then 200. */
async function webhookReceiver(): Promise<{ url: string; hooks: Hook[]; secret: { value: string }; attempts: number[]; close(): Promise<void> }> {
  const hooks: Hook[] = [];
  const attempts: number[] = [];
  const secret = { value: '' };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let text = '';
    req.on('data', (b) => (text += b));
    req.on('end', () => {
      attempts.push(Date.now());
      if (attempts.length === 1) {
        res.statusCode = 500;
        res.end();
        return;
      }
      const body = JSON.parse(text);
      const verified = verifyWebhookSignature(secret.value, text, String(req.headers['onair-signature'] ?? ''), Math.floor(Date.now() / 1000));
      hooks.push({ type: body.type, verified, body });
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, hooks, secret, attempts,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

describe('stream keys (--auth keys)', () => {
  let server: TestServer;
  let receiver: Awaited<ReturnType<typeof webhookReceiver>>;
  before(async () => {
    // The webhook receiver is on loopback, which webhooks refuse unless the operator allows it.
    server = await startTestServer({ auth: 'keys', 'webhook-allow-networks': '127.0.0.1/32' });
    receiver = await webhookReceiver();
    const hook = await api(server, 'POST', '/webhooks', { url: receiver.url });
    receiver.secret.value = hook.secret;
  });
  after(async () => {
    await server.close();
    await receiver.close();
  });

  test('create a stream, publish with its key, play by playbackId; webhooks signed and retried', async () => {
    const stream = await api(server, 'POST', '/streams', { name: 'e2e' });
    assert.match(stream.ingest.rtmp, /^rtmp:\/\/127\.0\.0\.1:\d+\/live$/);
    assert.ok(!JSON.stringify(stream.playback).includes(stream.streamKey), 'playback URLs never contain the key');
    const pub = await ffmpegPublish(`${stream.ingest.rtmp}/${stream.streamKey}`);
    try {
      await waitFor('active', () => server.hub.stream(`live/${stream.playbackId}`)?.isActive);
      const player = await RtmpClient.connect(stream.playback.rtmp);
      await player.play();
      player.destroy();
      const byKey = await RtmpClient.connect(`${stream.ingest.rtmp}/${stream.streamKey}`);
      await assert.rejects(byKey.play(), /StreamNotFound|Failed/, 'the key is not a playable name');
      byKey.destroy();
      await waitFor('status active', async () => (await api(server, 'GET', `/streams/${stream.id}`)).status === 'active');
    } finally {
      await pub.kill();
    }
    await waitFor('connected, active and disconnected webhooks', () => {
      const types = receiver.hooks.map((h) => h.type);
      return ['stream.connected', 'stream.active', 'stream.disconnected'].every((t) => types.includes(t));
    }, 30_000);
    assert.ok(receiver.attempts.length > receiver.hooks.length, 'the first delivery got a 500 and was retried');
    assert.ok(receiver.hooks.every((h) => h.verified), 'every webhook signature verifies');
    const sessions = await api(server, 'GET', `/streams/${stream.id}/sessions`);
    const first = (sessions.items ?? sessions.data ?? sessions)[0];
    assert.ok(first, 'the session was recorded');
  });

  test('a wrong key is refused within a second', async () => {
    const t0 = Date.now();
    const pub = await ffmpegPublish(server.rtmpUrl('sk_thisisnotavalidkeyatall0000000000'));
    const code = await exitWithin(pub, 5000);
    assert.notEqual(code, 'running');
    assert.notEqual(code, 0);
    assert.ok(Date.now() - t0 < 4000, 'refused promptly');
    assert.ok(server.logs.some((l) => l.includes('"code":"unauthorized"') || l.includes('"code":"bad_name"')));
  });

  test('reset-key closes the live session and the old key stops working', async () => {
    const stream = await api(server, 'POST', '/streams', {});
    const pub = await ffmpegPublish(`${stream.ingest.rtmp}/${stream.streamKey}`);
    await waitFor('active', () => server.hub.stream(`live/${stream.playbackId}`)?.isActive);
    const reset = await api(server, 'POST', `/streams/${stream.id}/reset-key`);
    assert.notEqual(reset.streamKey, stream.streamKey);
    assert.notEqual(await exitWithin(pub, 5000), 'running', 'the live publisher was kicked');
    const old = await ffmpegPublish(`${stream.ingest.rtmp}/${stream.streamKey}`);
    assert.notEqual(await exitWithin(old, 5000), 'running', 'the old key is refused');
    const fresh = await ffmpegPublish(`${stream.ingest.rtmp}/${reset.streamKey}`);
    await waitFor('active with the new key', () => server.hub.stream(`live/${stream.playbackId}`)?.isActive);
    await fresh.kill();
  });

  test('disable kicks a live stream and refuses publishing; enable allows it again', async () => {
    const stream = await api(server, 'POST', '/streams', {});
    const pub = await ffmpegPublish(`${stream.ingest.rtmp}/${stream.streamKey}`);
    await waitFor('active', () => server.hub.stream(`live/${stream.playbackId}`)?.isActive);
    await api(server, 'POST', `/streams/${stream.id}/disable`);
    assert.notEqual(await exitWithin(pub, 5000), 'running', 'kicked');
    const again = await ffmpegPublish(`${stream.ingest.rtmp}/${stream.streamKey}`);
    assert.notEqual(await exitWithin(again, 5000), 'running', 'refused while disabled');
    await api(server, 'POST', `/streams/${stream.id}/enable`);
    const ok = await ffmpegPublish(`${stream.ingest.rtmp}/${stream.streamKey}`);
    await waitFor('active after enable', () => server.hub.stream(`live/${stream.playbackId}`)?.isActive);
    await ok.kill();
  });

  test('no stream key appears in any log line', async () => {
    const list = await api(server, 'GET', '/streams?limit=100');
    const items: any[] = list.items ?? list.data ?? [];
    assert.ok(items.length >= 3);
    for (const item of items) {
      const full = await api(server, 'GET', `/streams/${item.id}`);
      const leaks = server.logs.filter((l) => l.includes(full.streamKey));
      assert.deepEqual(leaks, [], 'stream key found in logs');
    }
  });
});

describe('signed publish URLs (--auth signed)', () => {
  const secret = 'signing-secret-for-tests-0123456789';
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ auth: 'signed', 'publish-secret': secret });
  });
  after(async () => server.close());

  const sign = (key: string, exp: number) => createHmac('sha256', secret).update(`live/${key}:${exp}`).digest('hex');

  test('valid signature publishes; expired and forged are refused', async () => {
    const stream = await api(server, 'POST', '/streams', {});
    const now = Math.floor(Date.now() / 1000);
    const expired = await ffmpegPublish(`${stream.ingest.rtmp}/${stream.streamKey}?exp=${now - 10}&sig=${sign(stream.streamKey, now - 10)}`);
    assert.notEqual(await exitWithin(expired, 5000), 'running', 'expired refused');
    const forged = await ffmpegPublish(`${stream.ingest.rtmp}/${stream.streamKey}?exp=${now + 600}&sig=${'0'.repeat(64)}`);
    assert.notEqual(await exitWithin(forged, 5000), 'running', 'forged refused');
    const valid = await ffmpegPublish(`${stream.ingest.rtmp}/${stream.streamKey}?exp=${now + 600}&sig=${sign(stream.streamKey, now + 600)}`);
    await waitFor('active with a valid signature', () => server.hub.stream(`live/${stream.playbackId}`)?.isActive);
    await valid.kill();
  });
});

describe('HTTP callback auth (--auth callback)', () => {
  let server: TestServer;
  let callback: Server;
  const decisions = new Map<string, 'allow' | 'refuse' | 'hang'>();
  before(async () => {
    callback = createServer((req, res) => {
      let text = '';
      req.on('data', (b) => (text += b));
      req.on('end', () => {
        const { name } = JSON.parse(text) as { name: string };
        const d = decisions.get(name) ?? 'refuse';
        if (d === 'hang') return; // never answers: the server's timeout must refuse
        res.statusCode = d === 'allow' ? 200 : 403;
        // The public name viewers use (a 2xx that names no stream refuses: the publish name may be a secret).
        res.end(d === 'allow' ? JSON.stringify({ name: `${name}-public` }) : '{}');
      });
    });
    await new Promise<void>((r) => callback.listen(0, '127.0.0.1', () => r()));
    const port = (callback.address() as AddressInfo).port;
    server = await startTestServer({ auth: 'callback', 'auth-callback-url': `http://127.0.0.1:${port}/auth`, 'auth-callback-timeout-ms': 1000 });
  });
  after(async () => {
    await server.close();
    callback.closeAllConnections();
    await new Promise<void>((r) => callback.close(() => r()));
  });

  test('allow publishes; refuse and hang are refused', async () => {
    decisions.set('allowed', 'allow').set('refused', 'refuse').set('hanging', 'hang');
    const ok = await ffmpegPublish(server.rtmpUrl('allowed'));
    await waitFor('allowed is live', () => server.hub.stream('live/allowed-public')?.isActive);
    await ok.kill();
    const no = await ffmpegPublish(server.rtmpUrl('refused'));
    assert.notEqual(await exitWithin(no, 5000), 'running');
    const t0 = Date.now();
    const hang = await ffmpegPublish(server.rtmpUrl('hanging'));
    assert.notEqual(await exitWithin(hang, 6000), 'running', 'a hanging callback refuses at the timeout');
    assert.ok(Date.now() - t0 >= 900, 'waited for the callback timeout');
  });
});
