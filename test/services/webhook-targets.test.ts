import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startApiHarness, type ApiHarness } from '../support/api-harness.js';
import { isOnAirError } from '../../src/core/errors.js';
import { WebhookEndpointStore } from '../../src/services/webhooks/webhook-endpoint-store.js';
import { WebhookTargetPolicy, embeddedIpv4, type Resolve } from '../../src/services/webhooks/target-policy.js';
import { postWebhook } from '../../src/services/webhooks/webhook-post.js';

/** A receiver on loopback that counts what reaches it. */
async function receiver(): Promise<{ port: number; hits: number[]; close(): Promise<void> }> {
  const hits: number[] = [];
  const server: Server = createServer((_req, res) => {
    hits.push(Date.now());
    res.end('ok');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port, hits,
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

const INTERNAL_URLS = [
  'http://127.0.0.1:9/hook', 'http://127.8.9.1/', 'http://localhost:9/hook', 'http://169.254.169.254/latest/meta-data/',
  'http://0.0.0.0:8080/', 'http://10.0.0.5/', 'http://172.16.3.4/', 'http://192.168.1.1/', 'http://100.64.0.1/',
  'http://[::1]/', 'http://[fd12:3456::1]/', 'http://[fe80::1]/', 'http://[::ffff:127.0.0.1]/', 'http://[::ffff:a9fe:a9fe]/',
  'http://[64:ff9b::a9fe:a9fe]/', 'http://[2002:7f00:1::]/', 'http://[::]/',
];

describe('webhook targets (server-side request forgery)', () => {
  let h: ApiHarness;
  let rx: Awaited<ReturnType<typeof receiver>>;
  before(async () => {
    rx = await receiver();
    h = await startApiHarness({ dispatcher: { retryBaseMs: 60_000, pollIntervalMs: Infinity, maxAttempts: 1 } });
  });
  after(async () => {
    await h.close();
    await rx.close();
  });

  it('loopback, private, link-local, unspecified, unique-local and mapped addresses are refused when a webhook is created or changed', async () => {
    for (const url of INTERNAL_URLS) {
      const r = await h.api('POST', '/api/v1/webhooks', { url });
      assert.equal(r.status, 400, `${url}: ${r.text}`);
      assert.equal(r.json.error.code, 'invalid_request');
      assert.match(r.json.error.message, /--webhook-allow-networks/);
    }
    const ok = await h.api('POST', '/api/v1/webhooks', { url: 'https://hooks.example.com/onair' });
    assert.equal(ok.status, 201, ok.text);
    const patched = await h.api('PATCH', `/api/v1/webhooks/${ok.json.id}`, { url: 'http://169.254.169.254/' });
    assert.equal(patched.status, 400);
    await h.api('DELETE', `/api/v1/webhooks/${ok.json.id}`);
  });

  it('the address is checked again at delivery: an endpoint whose name now resolves inside is not sent to', async () => {
    // As if DNS changed after the check at creation (rebinding): the row is written past the API.
    const store = new WebhookEndpointStore(h.db);
    const now = new Date();
    for (const [id, url] of [['whe_rebound00000000000', `http://localhost:${rx.port}/hook`], ['whe_literal00000000000', `http://127.0.0.1:${rx.port}/hook`]]) {
      await store.insert(id!, 'whsec_x', { url: url!, events: ['*'], enabled: true, description: null }, now);
    }
    await h.api('POST', '/api/v1/streams', {});
    await h.dispatcher.idle();
    const deliveries = (await h.api('GET', '/api/v1/webhooks/deliveries?limit=10')).json.data as { endpointId: string; status: string; lastError: string | null }[];
    const ours = deliveries.filter((d) => d.endpointId.startsWith('whe_rebound') || d.endpointId.startsWith('whe_literal'));
    assert.equal(ours.length, 2, JSON.stringify(deliveries));
    for (const d of ours) {
      assert.notEqual(d.status, 'succeeded');
      assert.match(d.lastError ?? '', /not a public address|--webhook-allow-networks/);
      assert.doesNotMatch(d.lastError ?? '', /ECONNREFUSED|answered/, 'nothing about the internal port');
    }
    assert.equal(rx.hits.length, 0, 'nothing reached the internal receiver');
  });
});

describe('--webhook-allow-networks', () => {
  it('lets operators deliver to the internal receivers they name, and only those', async () => {
    const rx = await receiver();
    const h = await startApiHarness({ config: { webhookAllowNetworks: '127.0.0.1/32' }, dispatcher: { pollIntervalMs: Infinity } });
    try {
      assert.equal((await h.api('POST', '/api/v1/webhooks', { url: 'http://127.0.0.2:9/' })).status, 400, 'outside the allowed network');
      assert.equal((await h.api('POST', '/api/v1/webhooks', { url: 'http://10.0.0.1/' })).status, 400);
      assert.equal((await h.api('POST', '/api/v1/webhooks', { url: `http://127.0.0.1:${rx.port}/hook` })).status, 201);
      await h.api('POST', '/api/v1/streams', {});
      for (let i = 0; i < 100 && rx.hits.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
      assert.ok(rx.hits.length > 0, 'delivered to the allowed receiver');
    } finally {
      await h.close();
      await rx.close();
    }
  });
});

describe('WebhookTargetPolicy', () => {
  it('judges addresses, including IPv4 carried inside IPv6', () => {
    const policy = new WebhookTargetPolicy();
    for (const a of ['127.0.0.1', '10.1.2.3', '172.31.255.255', '192.168.0.1', '169.254.169.254', '0.0.0.0', '100.64.1.1', '224.0.0.1', '255.255.255.255',
      '::1', '::', 'fd00::1', 'fe80::1', 'ff02::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '64:ff9b::a9fe:a9fe', '2002:c0a8:101::1', '2001:db8::1']) {
      assert.notEqual(policy.refusal(a), null, a);
    }
    for (const a of ['8.8.8.8', '1.1.1.1', '93.184.216.34', '2606:4700:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808']) assert.equal(policy.refusal(a), null, a);
    assert.equal(embeddedIpv4('::ffff:169.254.169.254'), '169.254.169.254');
    assert.equal(embeddedIpv4('2002:7f00:1::'), '127.0.0.1');
    assert.equal(embeddedIpv4('2606:4700::1111'), undefined);
  });

  it('an allow-list opens exactly its networks, and a malformed one is a start-up error naming the flag', () => {
    const policy = new WebhookTargetPolicy('127.0.0.1/32, 10.0.0.0/8,fd00::/8');
    assert.equal(policy.refusal('127.0.0.1'), null);
    assert.equal(policy.refusal('10.200.0.1'), null);
    assert.equal(policy.refusal('fd12::1'), null);
    assert.equal(policy.refusal('::ffff:127.0.0.1'), null);
    assert.notEqual(policy.refusal('127.0.0.2'), null);
    assert.notEqual(policy.refusal('192.168.1.1'), null);
    for (const bad of ['10.0.0.0/33', 'localhost', '10.0.0.0/8/1', '10.0.0.0/x']) {
      assert.throws(() => new WebhookTargetPolicy(bad), (e) => isOnAirError(e, 'ONAIR_ERR_CONFIG') && /--webhook-allow-networks/.test((e as Error).message), bad);
    }
  });

  it('DNS rebinding: the delivery connects to the address it checked, not to what the name resolved to earlier', async () => {
    const rx = await receiver();
    try {
      // A name that looked public when the endpoint was created and resolves to loopback at delivery.
      const answers = [[{ address: '93.184.216.34', family: 4 }], [{ address: '127.0.0.1', family: 4 }]];
      const rebinding: Resolve = async () => answers.shift() ?? [{ address: '127.0.0.1', family: 4 }];
      const policy = new WebhookTargetPolicy('', rebinding);
      const url = `http://rebind.test:${rx.port}/hook`;
      await policy.checkUrl(new URL(url));
      const post = { url, headers: {}, body: '{}', signal: AbortSignal.timeout(5000) };
      await assert.rejects(postWebhook(post, policy), /not a public address/);
      assert.equal(rx.hits.length, 0);
      // The same name allowed by the operator: the request reaches the receiver through our resolver (the
      // system's DNS has never heard of rebind.test), so the socket uses the address the policy checked.
      const allowed = new WebhookTargetPolicy('127.0.0.1/32', async () => [{ address: '127.0.0.1', family: 4 }]);
      assert.equal(await postWebhook(post, allowed), 200);
      assert.equal(rx.hits.length, 1);
    } finally {
      await rx.close();
    }
  });
});
