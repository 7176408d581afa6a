import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { once, EventEmitter } from 'node:events';
import { startApiHarness, type ApiHarness } from '../support/api-harness.js';
import { createLogger } from '../../src/core/logger.js';
import { WebhookDispatcher } from '../../src/services/webhooks/webhook-dispatcher.js';
import { WebhookService } from '../../src/services/webhooks/webhook-service.js';
import { WebhookTargetPolicy } from '../../src/services/webhooks/target-policy.js';
import { verifyWebhookSignature } from '../../src/services/webhooks/webhook-signature.js';
import { openTemplateDatabase } from '../../support/embedded-db-template.js';

interface Received {
  body: string;
  json: { id: string; type: string; time: string; data: { stream: Record<string, unknown> } };
  signature: string;
  eventId: string;
  status: number;
}

/** A webhook receiver whose answers are scripted per request (default 200). */
class Receiver extends EventEmitter {
  readonly received: Received[] = [];
  readonly statuses: number[] = [];
  server!: Server;
  url = '';
  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d));
      req.on('end', () => {
        const status = this.statuses.shift() ?? 200;
        res.writeHead(status).end();
        this.received.push({ body, json: JSON.parse(body), signature: String(req.headers['onair-signature']), eventId: String(req.headers['onair-event-id']), status });
        this.emit('request');
      });
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }
  async waitFor(n: number): Promise<void> {
    while (this.received.length < n) await once(this, 'request');
  }
  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }
}

describe('webhook deliveries', () => {
  let h: ApiHarness;
  const rx = new Receiver();
  let secret = '';
  before(async () => {
    await rx.start();
    // No polling, as with the embedded database in production: retries must wake the worker by their due time.
    // The receiver is on loopback, which webhooks refuse unless the operator allows it.
    h = await startApiHarness({ config: { webhookAllowNetworks: '127.0.0.1/32' }, dispatcher: { retryBaseMs: 20, retryMaxMs: 100, pollIntervalMs: Infinity, maxAttempts: 3 } });
    secret = (await h.api('POST', '/api/v1/webhooks', { url: rx.url })).json.secret;
  });
  after(async () => {
    await h.close();
    await rx.stop();
  });

  it('signed JSON {id,type,time,data:{stream}} without the key; retried after a 500 with the same event id', async () => {
    rx.statuses.push(500);
    const s = (await h.api('POST', '/api/v1/streams', { name: 'hooked' })).json;
    await rx.waitFor(2);
    const [first, second] = rx.received as [Received, Received];
    assert.equal(first.status, 500);
    assert.equal(second.status, 200);
    assert.equal(first.eventId, second.eventId);
    assert.equal(second.json.id, second.eventId);
    assert.equal(second.json.type, 'stream.created');
    assert.ok(!Number.isNaN(Date.parse(second.json.time)));
    assert.equal(second.json.data.stream.id, s.id);
    assert.equal(second.json.data.stream.playbackId, s.playbackId);
    assert.ok(!second.body.includes(s.streamKey));
    assert.ok(verifyWebhookSignature(secret, second.body, second.signature, Math.floor(Date.now() / 1000)));
    assert.ok(!verifyWebhookSignature('whsec_other', second.body, second.signature, Math.floor(Date.now() / 1000)));
    assert.ok(!verifyWebhookSignature(secret, second.body + ' ', second.signature, Math.floor(Date.now() / 1000)));
    await h.dispatcher.idle();
    const log = await h.api('GET', '/api/v1/webhooks/deliveries?status=succeeded');
    const d = log.json.data.find((x: { eventId: string }) => x.eventId === first.eventId);
    assert.equal(d.attempts, 2);
    assert.equal(d.lastStatusCode, 200);
    assert.ok(d.deliveredAt);
  });

  it('lifecycle events: connected, active, disconnected, idle (after the reconnect window)', async () => {
    const s = (await h.api('POST', '/api/v1/streams', { settings: { reconnectWindowSec: 0 } })).json;
    const base = rx.received.length;
    const path = `live/${s.playbackId}`;
    const sessionId = await h.lifecycle.onPublishStart({ streamPath: path, streamId: s.id, remoteAddress: '10.1.1.1', protocol: 'rtmp' });
    await h.lifecycle.onActive(path);
    await h.lifecycle.onPublishEnd({ streamPath: path, sessionId, reason: 'eof', bytesIn: 10 });
    await rx.waitFor(base + 5);
    const types = rx.received.slice(base).map((r) => r.json.type).sort();
    assert.deepEqual(types, ['stream.active', 'stream.connected', 'stream.created', 'stream.disconnected', 'stream.idle'].sort());
    assert.equal((await h.api('GET', `/api/v1/streams/${s.id}`)).json.status, 'idle');
  });

  it('gives up after maxAttempts, then redeliver sends it again', async () => {
    rx.statuses.push(500, 500, 500);
    const base = rx.received.length;
    const s = (await h.api('POST', '/api/v1/streams', {})).json;
    await rx.waitFor(base + 3);
    await h.dispatcher.idle();
    const failed = (await h.api('GET', '/api/v1/webhooks/deliveries?status=failed')).json.data[0];
    assert.equal(failed.attempts, 3);
    assert.equal(failed.lastStatusCode, 500);
    assert.match(JSON.parse(failed.payload).data.stream.id, new RegExp(s.id));
    const r = await h.api('POST', `/api/v1/webhooks/deliveries/${failed.id}/redeliver`);
    assert.equal(r.status, 202);
    assert.equal(r.json.eventId, failed.eventId);
    await rx.waitFor(base + 4);
    assert.equal(rx.received.at(-1)!.eventId, failed.eventId);
  });
});

describe('webhook queue persistence', () => {
  it('an event queued before a restart is delivered after it', async () => {
    const rx = new Receiver();
    await rx.start();
    const logger = createLogger('silent');
    const db = await openTemplateDatabase();
    try {
      const targets = new WebhookTargetPolicy('127.0.0.1/32'); // the receiver is on loopback
      const first = new WebhookDispatcher({ db, logger, targets }); // never started: like a crash before sending
      await new WebhookService({ db, dispatcher: first, targets }).create({ url: rx.url, events: ['stream.idle'] });
      const stream = { id: 'str_x', name: 'n', playbackId: 'p', status: 'idle' as const, createdAt: new Date(), updatedAt: new Date(),
        settings: { latencyMode: 'standard' as const, reconnectWindowSec: 1, ladder: [], record: false, playbackPolicy: 'public' as const, passthrough: null } };
      await first.publish('stream.idle', { stream });
      await first.publish('stream.active', { stream }); // not subscribed: no delivery
      await first.close();
      const second = new WebhookDispatcher({ db, logger, options: { pollIntervalMs: Infinity }, targets });
      second.start();
      await rx.waitFor(1);
      assert.equal(rx.received[0]!.json.type, 'stream.idle');
      await second.close();
      assert.equal(rx.received.length, 1);
    } finally {
      await db.close();
      await rx.stop();
    }
  });
});

describe('webhook worker at rest', () => {
  /** Counts the queries a dispatcher makes over 300 ms once it has nothing to do. */
  /** Queries made at rest: over 300 ms, or (`until`) as soon as that many were made, within 20 s on a busy machine. */
  async function queriesAtRest(pollIntervalMs: number, until?: number): Promise<number> {
    const db = await openTemplateDatabase();
    let queries = 0;
    const counting = Object.assign(Object.create(db) as typeof db, {
      query: (sql: string, params?: readonly unknown[]) => (queries++, db.query(sql, params)),
    });
    const dispatcher = new WebhookDispatcher({ db: counting, logger: createLogger('silent'), options: { pollIntervalMs } });
    try {
      dispatcher.start();
      await dispatcher.idle();
      const before = queries;
      const deadline = Date.now() + (until === undefined ? 300 : 20_000);
      do await new Promise((r) => setTimeout(r, 50));
      while (Date.now() < deadline && (until === undefined || queries - before < until));
      await dispatcher.idle();
      return queries - before;
    } finally {
      await dispatcher.close();
      await db.close();
    }
  }

  it('without polling (embedded database) an idle worker makes no queries; with polling it does', async () => {
    assert.equal(await queriesAtRest(Infinity), 0);
    assert.ok((await queriesAtRest(20, 4)) >= 4);
  });
});
