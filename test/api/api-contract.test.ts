import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startApiHarness, type ApiHarness } from '../support/api-harness.js';
import { startTestPostgres } from '../support/postgres.js';
import { FailureRateLimiter } from '../../src/services/auth/failure-rate-limiter.js';

/** Every /api/v1 route and error, over real HTTP, against PGlite and a real PostgreSQL. */
function contract(label: string, postgres: () => string | undefined): void {
  describe(`API contract (${label})`, () => {
    let h: ApiHarness;
    before(async () => {
      h = await startApiHarness({
        postgresUrl: postgres(),
        config: { httpPort: 8080, rtmpPort: 1935, webhookAllowNetworks: '127.0.0.1/32' },
        apiAuthLimiter: new FailureRateLimiter({ maxFailures: 1000 }),
      });
    });
    after(async () => h.close());

    it('GET /healthz needs no token', async () => {
      const r = await h.api('GET', '/healthz', undefined, null);
      assert.equal(r.status, 200);
      assert.deepEqual(r.json, { status: 'ok' });
    });

    it('serves the OpenAPI document and Swagger UI without a token', async () => {
      const r = await h.api('GET', '/api/openapi.json', undefined, null);
      assert.equal(r.status, 200);
      assert.match(r.json.openapi, /^3\./);
      assert.ok(r.json.paths['/api/v1/streams'].post);
      assert.ok(r.json.paths['/api/v1/webhooks/deliveries/{id}/redeliver'].post);
      const ui = await fetch(`${h.baseUrl}/api/docs`, { redirect: 'follow' });
      assert.equal(ui.status, 200);
      assert.match(await ui.text(), /swagger/i);
    });

    it('401 unauthorized without or with a wrong token, on known and unknown routes', async () => {
      for (const [tok, path] of [[null, '/api/v1/streams'], ['wrong', '/api/v1/streams'], [null, '/api/v1/nope']] as const) {
        const r = await h.api('GET', path, undefined, tok);
        assert.equal(r.status, 401);
        assert.equal(r.json.error.code, 'unauthorized');
      }
    });

    it('POST /api/v1/streams returns everything an encoder and a player need', async () => {
      const r = await h.api('POST', '/api/v1/streams', { name: 'Studio A', settings: { playbackPolicy: 'public', reconnectWindowSec: 5 } });
      assert.equal(r.status, 201);
      const s = r.json;
      assert.match(s.id, /^str_[a-z2-7]{20}$/);
      assert.equal(s.name, 'Studio A');
      assert.equal(s.status, 'idle');
      assert.match(s.streamKey, /^sk_[a-z2-7]{32}$/);
      assert.match(s.playbackId, /^[a-z2-7]{24}$/);
      assert.notEqual(s.playbackId, s.streamKey);
      assert.ok(!Number.isNaN(Date.parse(s.createdAt)));
      assert.deepEqual(s.ingest, { rtmp: 'rtmp://127.0.0.1:1935/live' });
      assert.deepEqual(s.playback, {
        hls: `http://127.0.0.1:8080/hls/${s.playbackId}/index.m3u8`,
        rtmp: `rtmp://127.0.0.1:1935/live/${s.playbackId}`,
      });
      assert.deepEqual(s.settings, { latencyMode: h.config.latencyMode, reconnectWindowSec: 5, ladder: [], record: false, playbackPolicy: 'public', passthrough: null, srtPassphrase: null });
      assert.ok(!JSON.stringify(s.playback).includes(s.streamKey));
    });

    it('POST with an empty body uses defaults', async () => {
      const r = await fetch(`${h.baseUrl}/api/v1/streams`, { method: 'POST', headers: { authorization: `Bearer ${h.token}` } });
      assert.equal(r.status, 201);
      const s = await r.json() as { settings: { reconnectWindowSec: number; latencyMode: string } };
      assert.equal(s.settings.reconnectWindowSec, h.config.reconnectWindowSec);
      assert.equal(s.settings.latencyMode, h.config.latencyMode, 'the server default, LL-HLS unless --latency-mode says otherwise');
    });

    it('latencyMode low, lowest and standard are accepted on create and update and read back as stored', async () => {
      for (const mode of ['lowest', 'standard', 'low']) {
        const created = await h.api('POST', '/api/v1/streams', { settings: { latencyMode: mode } });
        assert.equal(created.status, 201, created.text);
        assert.equal(created.json.settings.latencyMode, mode);
        assert.equal((await h.api('GET', `/api/v1/streams/${created.json.id}`)).json.settings.latencyMode, mode);
        const other = mode === 'lowest' ? 'low' : 'lowest';
        const patched = await h.api('PATCH', `/api/v1/streams/${created.json.id}`, { settings: { latencyMode: other } });
        assert.equal(patched.status, 200, patched.text);
        assert.equal((await h.api('GET', `/api/v1/streams/${created.json.id}`)).json.settings.latencyMode, other);
        const refused = await h.api('PATCH', `/api/v1/streams/${created.json.id}`, { settings: { latencyMode: 'ultra' } });
        assert.equal(refused.status, 400);
        assert.match(refused.json.error.message, /body\.settings\.latencyMode/);
        assert.equal((await h.api('GET', `/api/v1/streams/${created.json.id}`)).json.settings.latencyMode, other, 'a refused PATCH changes nothing');
      }
    });

    it('400 validation_failed names the field; unknown fields and wrong types are refused', async () => {
      const cases: [unknown, RegExp][] = [
        [{ name: 5 }, /body\.name/],
        [{ name: '' }, /body\.name/],
        [{ colour: 'red' }, /body/],
        [{ settings: { playbackPolicy: 'private' } }, /body\.settings\.playbackPolicy/],
        [{ settings: { latencyMode: 'ultra' } }, /body\.settings\.latencyMode/],
        [{ settings: { latencyMode: 'LOWEST' } }, /body\.settings\.latencyMode/],
        [{ settings: { reconnectWindowSec: -1 } }, /body\.settings\.reconnectWindowSec/],
        [{ settings: { ladder: [{ height: 720 }] } }, /body\.settings\.ladder/],
      ];
      for (const [body, msg] of cases) {
        const r = await h.api('POST', '/api/v1/streams', body);
        assert.equal(r.status, 400, JSON.stringify(body));
        assert.equal(r.json.error.code, 'validation_failed');
        assert.match(r.json.error.message, msg);
      }
    });

    it('400 invalid_json, 415 unsupported_media_type, 413 payload_too_large', async () => {
      let r = await h.api('POST', '/api/v1/streams', '{"name":');
      assert.equal(r.status, 400);
      assert.equal(r.json.error.code, 'invalid_json');
      const res = await fetch(`${h.baseUrl}/api/v1/streams`, { method: 'POST', headers: { authorization: `Bearer ${h.token}`, 'content-type': 'text/plain' }, body: 'x' });
      assert.equal(res.status, 415);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'unsupported_media_type');
      r = await h.api('POST', '/api/v1/streams', { name: 'x'.repeat(100_000) });
      assert.equal(r.status, 413);
      assert.equal(r.json.error.code, 'payload_too_large');
    });

    it('GET, PATCH, list with cursor pagination (list carries no keys)', async () => {
      const created = [];
      for (let i = 0; i < 3; i++) created.push((await h.api('POST', '/api/v1/streams', { name: `page-${i}` })).json);
      const got = await h.api('GET', `/api/v1/streams/${created[0].id}`);
      assert.equal(got.status, 200);
      assert.equal(got.json.streamKey, created[0].streamKey);

      const patched = await h.api('PATCH', `/api/v1/streams/${created[0].id}`, { name: 'renamed', settings: { record: true, passthrough: 'app-42' } });
      assert.equal(patched.status, 200);
      assert.equal(patched.json.name, 'renamed');
      assert.equal(patched.json.settings.record, true);
      assert.equal(patched.json.settings.passthrough, 'app-42');
      assert.equal(patched.json.settings.latencyMode, h.config.latencyMode, 'a PATCH keeps settings it does not name');

      const seen = new Set<string>();
      let cursor: string | null = null;
      let pages = 0;
      do {
        const r = await h.api('GET', `/api/v1/streams?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        assert.equal(r.status, 200);
        assert.ok(r.json.data.length <= 2);
        for (const s of r.json.data) {
          assert.equal(s.streamKey, undefined);
          assert.ok(!seen.has(s.id));
          seen.add(s.id);
        }
        assert.ok(!r.text.includes('sk_'));
        cursor = r.json.nextCursor;
        pages++;
      } while (cursor && pages < 50);
      for (const c of created) assert.ok(seen.has(c.id));
      assert.ok(pages >= 2);
    });

    it('400 on bad pagination input', async () => {
      let r = await h.api('GET', '/api/v1/streams?limit=0');
      assert.equal(r.json.error.code, 'validation_failed');
      r = await h.api('GET', '/api/v1/streams?limit=abc');
      assert.equal(r.json.error.code, 'validation_failed');
      r = await h.api('GET', '/api/v1/streams?cursor=bm90LWEtY3Vyc29y');
      assert.equal(r.status, 400);
      assert.equal(r.json.error.code, 'invalid_request');
    });

    it('404 stream_not_found on every per-stream route', async () => {
      const id = 'str_aaaaaaaaaaaaaaaaaaaa';
      const calls: [string, string, unknown?][] = [
        ['GET', `/api/v1/streams/${id}`], ['PATCH', `/api/v1/streams/${id}`, { name: 'x' }], ['DELETE', `/api/v1/streams/${id}`],
        ['POST', `/api/v1/streams/${id}/reset-key`], ['POST', `/api/v1/streams/${id}/disable`], ['POST', `/api/v1/streams/${id}/enable`],
        ['GET', `/api/v1/streams/${id}/sessions`], ['POST', `/api/v1/streams/${id}/playback-token`, {}],
      ];
      for (const [m, p, b] of calls) {
        const r = await h.api(m, p, b);
        assert.equal(r.status, 404, `${m} ${p}`);
        assert.equal(r.json.error.code, 'stream_not_found');
      }
      const r = await h.api('GET', '/api/v1/nothing-here');
      assert.equal(r.status, 404);
      assert.equal(r.json.error.code, 'not_found');
    });

    it('reset-key: new key, old key refused, live publisher kicked', async () => {
      const s = (await h.api('POST', '/api/v1/streams', {})).json;
      const ok = await h.publishAuth.authorizePublish({ app: 'live', name: s.streamKey, query: '', clientIp: '10.0.0.1', protocol: 'rtmp' });
      assert.deepEqual(ok, {
        ok: true, streamPath: `live/${s.playbackId}`, streamId: s.id, playbackId: s.playbackId,
        delivery: { latencyMode: s.settings.latencyMode, reconnectWindowSec: s.settings.reconnectWindowSec, record: s.settings.record },
      });
      const r = await h.api('POST', `/api/v1/streams/${s.id}/reset-key`);
      assert.equal(r.status, 200);
      assert.notEqual(r.json.streamKey, s.streamKey);
      assert.equal(r.json.playbackId, s.playbackId);
      assert.deepEqual(h.kicked.at(-1), { streamPath: `live/${s.playbackId}`, reason: 'key_reset' });
      const old = await h.publishAuth.authorizePublish({ app: 'live', name: s.streamKey, query: '', clientIp: '10.0.0.1', protocol: 'rtmp' });
      assert.equal(old.ok, false);
      const fresh = await h.publishAuth.authorizePublish({ app: 'live', name: r.json.streamKey, query: '', clientIp: '10.0.0.1', protocol: 'rtmp' });
      assert.equal(fresh.ok, true);
    });

    it('disable refuses publishing and kicks; enable allows again', async () => {
      const s = (await h.api('POST', '/api/v1/streams', {})).json;
      const d = await h.api('POST', `/api/v1/streams/${s.id}/disable`);
      assert.equal(d.status, 200);
      assert.equal(d.json.status, 'disabled');
      assert.deepEqual(h.kicked.at(-1), { streamPath: `live/${s.playbackId}`, reason: 'disabled' });
      const refused = await h.publishAuth.authorizePublish({ app: 'live', name: s.streamKey, query: '', clientIp: '10.0.0.2', protocol: 'rtmp' });
      assert.equal(refused.ok, false);
      assert.equal(!refused.ok && refused.code, 'disabled');
      const e = await h.api('POST', `/api/v1/streams/${s.id}/enable`);
      assert.equal(e.json.status, 'idle');
      assert.equal((await h.publishAuth.authorizePublish({ app: 'live', name: s.streamKey, query: '', clientIp: '10.0.0.2', protocol: 'rtmp' })).ok, true);
    });

    it('sessions: history with start, end, duration, bytes, end reason', async () => {
      const s = (await h.api('POST', '/api/v1/streams', { settings: { reconnectWindowSec: 0 } })).json;
      const path = `live/${s.playbackId}`;
      const sessionId = await h.lifecycle.onPublishStart({ streamPath: path, streamId: s.id, remoteAddress: '10.0.0.3', protocol: 'rtmp' });
      await h.lifecycle.onActive(path);
      assert.equal((await h.api('GET', `/api/v1/streams/${s.id}`)).json.status, 'active');
      let r = await h.api('GET', `/api/v1/streams/${s.id}/sessions`);
      assert.equal(r.json.data[0].endedAt, null);
      assert.equal(r.json.data[0].durationSec, null);
      await h.lifecycle.onPublishEnd({ streamPath: path, sessionId, reason: 'eof', bytesIn: 123456 });
      r = await h.api('GET', `/api/v1/streams/${s.id}/sessions`);
      assert.equal(r.status, 200);
      assert.equal(r.json.data.length, 1);
      const sess = r.json.data[0];
      assert.equal(sess.id, sessionId);
      assert.equal(sess.bytesIn, 123456);
      assert.equal(sess.endReason, 'eof');
      assert.equal(sess.protocol, 'rtmp');
      assert.ok(sess.durationSec >= 0);
      assert.ok(sess.activeAt);
      assert.equal(r.json.nextCursor, null);
    });

    it('playback-token: signed stream plays only with a valid token', async () => {
      const s = (await h.api('POST', '/api/v1/streams', { settings: { playbackPolicy: 'signed' } })).json;
      const denied = await h.playAuth.authorizePlay({ app: 'live', name: s.playbackId, query: '', clientIp: '1.1.1.1', protocol: 'hls' });
      assert.equal(!denied.ok && denied.code, 'unauthorized');
      const t = await h.api('POST', `/api/v1/streams/${s.id}/playback-token`, { ttlSec: 600 });
      assert.equal(t.status, 200);
      assert.equal(t.json.playbackId, s.playbackId);
      assert.ok(t.json.playback.hls.endsWith(`?token=${t.json.token}`));
      const ok = await h.playAuth.authorizePlay({ app: 'live', name: s.playbackId, query: `token=${t.json.token}`, clientIp: '1.1.1.1', protocol: 'hls' });
      assert.deepEqual(ok, {
        ok: true, streamPath: `live/${s.playbackId}`, streamId: s.id, playbackId: s.playbackId, expiresAtSec: Date.parse(t.json.expiresAt) / 1000,
      });
      const bad = await h.api('POST', `/api/v1/streams/${s.id}/playback-token`, { ttlSec: 1 });
      assert.equal(bad.json.error.code, 'validation_failed');
      const key = await h.playAuth.authorizePlay({ app: 'live', name: s.streamKey, query: `token=${t.json.token}`, clientIp: '1.1.1.1', protocol: 'hls' });
      assert.equal(!key.ok && key.code, 'not_found');
    });

    it('DELETE removes the stream and kicks its publisher', async () => {
      const s = (await h.api('POST', '/api/v1/streams', {})).json;
      const r = await h.api('DELETE', `/api/v1/streams/${s.id}`);
      assert.equal(r.status, 204);
      assert.deepEqual(h.kicked.at(-1), { streamPath: `live/${s.playbackId}`, reason: 'deleted' });
      assert.equal((await h.api('GET', `/api/v1/streams/${s.id}`)).status, 404);
    });

    it('webhooks CRUD: secret only in the endpoint\'s own responses', async () => {
      const c = await h.api('POST', '/api/v1/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['stream.active'], description: 'mine' });
      assert.equal(c.status, 201);
      assert.match(c.json.id, /^whe_/);
      assert.match(c.json.secret, /^whsec_/);
      assert.deepEqual(c.json.events, ['stream.active']);
      const list = await h.api('GET', '/api/v1/webhooks');
      assert.equal(list.status, 200);
      assert.ok(list.json.data.some((e: { id: string }) => e.id === c.json.id));
      assert.ok(!list.text.includes('whsec_'));
      assert.equal((await h.api('GET', `/api/v1/webhooks/${c.json.id}`)).json.secret, c.json.secret);
      const p = await h.api('PATCH', `/api/v1/webhooks/${c.json.id}`, { enabled: false, events: ['*'] });
      assert.equal(p.status, 200);
      assert.equal(p.json.enabled, false);
      assert.deepEqual(p.json.events, ['*']);
      assert.equal((await h.api('DELETE', `/api/v1/webhooks/${c.json.id}`)).status, 204);
      for (const [m, path, body] of [['GET', `/api/v1/webhooks/${c.json.id}`], ['PATCH', `/api/v1/webhooks/${c.json.id}`, {}], ['DELETE', `/api/v1/webhooks/${c.json.id}`]] as const) {
        const r = await h.api(m, path, body);
        assert.equal(r.status, 404);
        assert.equal(r.json.error.code, 'webhook_not_found');
      }
    });

    it('webhooks: invalid url / event type -> invalid_request; missing url -> validation_failed', async () => {
      let r = await h.api('POST', '/api/v1/webhooks', { url: 'ftp://x' });
      assert.equal(r.json.error.code, 'invalid_request');
      r = await h.api('POST', '/api/v1/webhooks', { url: 'http://x.test/', events: ['stream.exploded'] });
      assert.equal(r.json.error.code, 'invalid_request');
      r = await h.api('POST', '/api/v1/webhooks', {});
      assert.equal(r.json.error.code, 'validation_failed');
    });

    it('deliveries: list, get, 404s, status filter validated', async () => {
      let r = await h.api('GET', '/api/v1/webhooks/deliveries?limit=5');
      assert.equal(r.status, 200);
      assert.ok(Array.isArray(r.json.data));
      r = await h.api('GET', '/api/v1/webhooks/deliveries?status=lost');
      assert.equal(r.json.error.code, 'validation_failed');
      r = await h.api('GET', '/api/v1/webhooks/deliveries/whd_aaaaaaaaaaaaaaaaaaaa');
      assert.equal(r.json.error.code, 'delivery_not_found');
      r = await h.api('POST', '/api/v1/webhooks/deliveries/whd_aaaaaaaaaaaaaaaaaaaa/redeliver');
      assert.equal(r.status, 404);
      assert.equal(r.json.error.code, 'delivery_not_found');
    });

    it('public URL wins over the Host header', async () => {
      const h2 = await startApiHarness({ config: { publicUrl: 'https://live.example.com', tlsCert: 'c.pem', tlsKey: 'k.pem', rtmpsPort: 443 } });
      try {
        const s = (await h2.api('POST', '/api/v1/streams', {})).json;
        assert.deepEqual(s.ingest, { rtmp: 'rtmp://live.example.com:1935/live', rtmps: 'rtmps://live.example.com:443/live' });
        assert.equal(s.playback.hls, `https://live.example.com/hls/${s.playbackId}/index.m3u8`);
      } finally {
        await h2.close();
      }
    });
  });
}

let pg: { url: string; stop(): Promise<void> } | undefined;
before(async () => {
  pg = await startTestPostgres();
});
after(async () => pg?.stop());

contract('PGlite', () => undefined);
contract('PostgreSQL', () => pg!.url);

describe('API auth rate limit', () => {
  it('429 rate_limited after repeated failures from one IP, even with the right token', async () => {
    const h = await startApiHarness({ apiAuthLimiter: new FailureRateLimiter({ maxFailures: 3 }) });
    try {
      for (let i = 0; i < 3; i++) assert.equal((await h.api('GET', '/api/v1/streams', undefined, 'bad')).status, 401);
      const r = await h.api('GET', '/api/v1/streams');
      assert.equal(r.status, 429);
      assert.equal(r.json.error.code, 'rate_limited');
    } finally {
      await h.close();
    }
  });
});
