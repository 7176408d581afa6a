import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '../../core/logger.js';
import { openTemplateDatabase } from '../../db/testing/template-database.js';
import type { Database } from '../../db/database.js';
import { NULL_EVENT_PUBLISHER } from '../streams/stream-events.js';
import { StreamService } from '../streams/stream-service.js';
import { ConfiguredPublishAuthorizer, type PublishAuthMode } from './publish-authorizer.js';
import { FailureRateLimiter } from './failure-rate-limiter.js';
import { signPublishQuery } from './signed-publish-url.js';
import type { PublishAuthRequest } from './auth-types.js';

const logs: string[] = [];
const logger = createLogger('trace', { write: (l: string) => void logs.push(l) });
let db: Database;
let streams: StreamService;
let key: string;
let playbackId: string;
let streamId: string;

const req = (name: string, query = '', app = 'live', clientIp = '192.0.2.1'): PublishAuthRequest => ({ app, name, query, clientIp, protocol: 'rtmp' });
const authorizer = (mode: PublishAuthMode, extra: Partial<ConstructorParameters<typeof ConfiguredPublishAuthorizer>[0]> = {}) =>
  new ConfiguredPublishAuthorizer({ mode, streams, logger, limiter: new FailureRateLimiter({ maxFailures: 1000 }), ...extra });

before(async () => {
  db = await openTemplateDatabase();
  streams = new StreamService({ db, logger, events: NULL_EVENT_PUBLISHER, kickPublisher: () => false, defaultReconnectWindowSec: 60, defaultLatencyMode: 'low' });
  const s = await streams.create({ name: 'auth' });
  ({ streamKey: key, playbackId, id: streamId } = s);
});
after(async () => db.close());

describe('keys mode', () => {
  it('right key -> live/<playbackId>; every spelling of the key works', async () => {
    const a = authorizer('keys');
    // The stream's delivery settings travel with the decision to the hub (HLS latency mode, reconnect window).
    const expected = { ok: true, streamPath: `live/${playbackId}`, streamId, playbackId, delivery: { latencyMode: 'low', reconnectWindowSec: 60, record: false } };
    assert.deepEqual(await a.authorizePublish(req(key)), expected);
    assert.deepEqual(await a.authorizePublish(req(key.toUpperCase())), expected);
    assert.deepEqual(await a.authorizePublish(req(`/${key}/`, '', 'live/')), expected);
    assert.deepEqual(await a.authorizePublish(req('', '', `live/${key}`)), expected);
    assert.deepEqual(await a.authorizePublish(req(`${key}?foo=bar`)), expected);
  });
  it('wrong key, other app, bad names refused', async () => {
    const a = authorizer('keys');
    assert.deepEqual(await a.authorizePublish(req('sk_wrong')), { ok: false, code: 'unauthorized', reason: 'unknown stream key' });
    assert.equal((await a.authorizePublish(req(key, '', 'other'))).ok, false);
    const bad = await a.authorizePublish(req('../x'));
    assert.equal(!bad.ok && bad.code, 'bad_name');
  });
  it('repeated failures from one IP are rate limited, even with the right key; other IPs unaffected', async () => {
    const a = authorizer('keys', { limiter: new FailureRateLimiter({ maxFailures: 3 }) });
    for (let i = 0; i < 3; i++) await a.authorizePublish(req('sk_guess', '', 'live', '198.51.100.7'));
    const r = await a.authorizePublish(req(key, '', 'live', '198.51.100.7'));
    assert.equal(!r.ok && r.code, 'rate_limited');
    assert.equal((await a.authorizePublish(req(key, '', 'live', '198.51.100.8'))).ok, true);
  });
});

describe('signed mode', () => {
  const now = 1_700_000_000;
  const a = () => authorizer('signed', { publishSecret: 'pubsecret', nowSec: () => now });
  it('valid signature -> allowed', async () => {
    const r = await a().authorizePublish(req(key, signPublishQuery('pubsecret', 'live', key, now + 60)));
    assert.equal(r.ok, true);
  });
  it('expired, forged, unsigned and signed-for-an-unknown-key refused', async () => {
    const cases = [
      signPublishQuery('pubsecret', 'live', key, now - 1),
      signPublishQuery('wrongsecret', 'live', key, now + 60),
      signPublishQuery('pubsecret', 'live', key, now + 60).replace(/exp=\d+/, `exp=${now + 9999}`),
      '',
    ];
    for (const q of cases) {
      const r = await a().authorizePublish(req(key, q));
      assert.equal(!r.ok && r.code, 'unauthorized', q);
    }
    const unknown = await a().authorizePublish(req('sk_unknown', signPublishQuery('pubsecret', 'live', 'sk_unknown', now + 60)));
    assert.equal(unknown.ok, false);
  });
  it('needs a secret', () => {
    assert.throws(() => new ConfiguredPublishAuthorizer({ mode: 'signed', streams, logger }), /publish-secret/);
  });
});

describe('callback mode', () => {
  let server: Server;
  let url = '';
  const bodies: unknown[] = [];
  before(async () => {
    server = createServer((r: IncomingMessage, res) => {
      let text = '';
      r.on('data', (d: Buffer) => (text += d));
      r.on('end', () => {
        const body = JSON.parse(text) as { name: string };
        bodies.push(body);
        if (body.name === 'hang') return; // never answers
        if (body.name === 'renamed') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"name":"public-name"}');
        if (body.name === 'tuned') return void res.writeHead(200).end('{"name":"tuned-pub","latencyMode":"standard","reconnectWindowSec":0}');
        if (body.name === 'fastest') return void res.writeHead(200).end('{"name":"fastest-pub","latencyMode":"lowest"}');
        if (body.name === 'mistuned') return void res.writeHead(200).end('{"latencyMode":"ultra","reconnectWindowSec":3601,"name":"mistuned-pub"}');
        if (body.name === 'misnamed') return void res.writeHead(200).end('{"name":7}');
        if (body.name === 'clash') return void res.writeHead(200).end(JSON.stringify({ name: playbackId }));
        res.writeHead(body.name.startsWith('allow') || body.name.startsWith('sk_') ? 204 : 403).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/auth`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
  // A generous timeout (a busy machine answers slowly); the hanging case sets a short one.
  const a = (callbackTimeoutMs = 5000) => authorizer('callback', { callbackUrl: url, callbackTimeoutMs });
  const keeping = () => authorizer('callback', { callbackUrl: url, callbackTimeoutMs: 5000, callbackKeepName: true });

  it('a 2xx without a name refuses (the publish name may be a secret); the callback sees the request fields', async () => {
    assert.deepEqual(await a().authorizePublish(req('Allow-Me', 'x=1')), { ok: false, code: 'unauthorized', reason: 'callback answer named no stream (no "name")' });
    assert.deepEqual(bodies.at(-1), { app: 'live', name: 'allow-me', query: 'x=1', clientIp: '192.0.2.1', protocol: 'rtmp' });
  });
  it('with --auth-callback-keep-name a 2xx without a usable name keeps the canonical publish name', async () => {
    assert.deepEqual(await keeping().authorizePublish(req('Allow-Me', 'x=1')), { ok: true, streamPath: 'live/allow-me' });
    assert.deepEqual(await keeping().authorizePublish(req('misnamed')), { ok: true, streamPath: 'live/misnamed' });
  });
  it('an invalid name refuses; so does a name that is an API stream\'s playback id', async () => {
    assert.deepEqual(await a().authorizePublish(req('misnamed')), { ok: false, code: 'unauthorized', reason: 'callback answer named no stream ("name" is not 1-128 of [A-Za-z0-9_-])' });
    assert.deepEqual(await a().authorizePublish(req('clash')), { ok: false, code: 'unauthorized', reason: 'that name is an API stream\'s playback id' });
  });
  it('a 2xx may rename the stream; an API key still lands on its playback id', async () => {
    assert.deepEqual(await a().authorizePublish(req('renamed')), { ok: true, streamPath: 'live/public-name' });
    assert.deepEqual(await a().authorizePublish(req(key)), { ok: true, streamPath: `live/${playbackId}`, streamId, playbackId, delivery: { latencyMode: 'low', reconnectWindowSec: 60, record: false } });
  });
  it("a 2xx may set the stream's latency mode and reconnect window; invalid values are ignored, the publish goes ahead", async () => {
    assert.deepEqual(await a().authorizePublish(req('tuned')), { ok: true, streamPath: 'live/tuned-pub', delivery: { latencyMode: 'standard', reconnectWindowSec: 0 } });
    assert.deepEqual(await a().authorizePublish(req('fastest')), { ok: true, streamPath: 'live/fastest-pub', delivery: { latencyMode: 'lowest' } });
    assert.deepEqual(await a().authorizePublish(req('mistuned')), { ok: true, streamPath: 'live/mistuned-pub' });
  });
  it('non-2xx refuses', async () => {
    const r = await a().authorizePublish(req('deny-me'));
    assert.deepEqual(r, { ok: false, code: 'unauthorized', reason: 'callback answered 403' });
  });
  it('a hanging callback refuses at the timeout', async () => {
    const r = await a(300).authorizePublish(req('hang'));
    assert.deepEqual(r, { ok: false, code: 'unauthorized', reason: 'callback timed out' });
  });
  it('an unreachable callback refuses', async () => {
    const r = await authorizer('callback', { callbackUrl: 'http://127.0.0.1:9/none', callbackTimeoutMs: 300 }).authorizePublish(req('allow'));
    assert.equal(r.ok, false);
  });
});

describe('callback answers', () => {
  let server: Server;
  let url = '';
  const answers: Record<string, string> = {
    'not-json': 'OK',
    'json-array': '["studio"]',
    'too-big': JSON.stringify({ name: 'studio', pad: 'x'.repeat(5000) }),
    'upper': '{"name": "Studio-B"}',
    'dotted': '{"name": "studio.b"}',
  };
  before(async () => {
    server = createServer((r: IncomingMessage, res) => {
      let text = '';
      r.on('data', (d: Buffer) => (text += d));
      r.on('end', () => void res.writeHead(200).end(answers[(JSON.parse(text) as { name: string }).name]));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/auth`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('an answer that is not a readable JSON object names no stream, so the publish is refused', async () => {
    const a = authorizer('callback', { callbackUrl: url });
    const reasons = await Promise.all(['not-json', 'json-array', 'too-big', 'dotted'].map(async (n) => {
      const r = await a.authorizePublish(req(n));
      return r.ok ? 'allowed' : r.reason;
    }));
    assert.deepEqual(reasons, [
      'callback answer named no stream (answer is not JSON)',
      'callback answer named no stream (answer is not a JSON object)',
      'callback answer named no stream (answer over 4096 bytes)',
      'callback answer named no stream ("name" is not 1-128 of [A-Za-z0-9_-])',
    ]);
  });
  it('a returned name is case-folded like every stream name', async () => {
    assert.deepEqual(await authorizer('callback', { callbackUrl: url }).authorizePublish(req('upper')), { ok: true, streamPath: 'live/studio-b' });
  });
});

describe('open mode', () => {
  it('any whitelisted <app>/<name> publishes to its canonical path', async () => {
    assert.deepEqual(await authorizer('open').authorizePublish(req('My%20Show'.replace('%20', '-'), '', 'Live')), { ok: true, streamPath: 'live/my-show' });
    assert.equal((await authorizer('open').authorizePublish(req('..'))).ok, false);
  });
  it("an API stream's playback path is not open to anyone", async () => {
    assert.deepEqual(await authorizer('open').authorizePublish(req(playbackId)), { ok: false, code: 'unauthorized', reason: 'that name is an API stream\'s playback id' });
  });
});

describe('logging', () => {
  it('the stream key appears in no log line', () => {
    assert.ok(logs.length > 10);
    for (const line of logs) assert.ok(!line.toLowerCase().includes(key.toLowerCase()), line);
  });
});
