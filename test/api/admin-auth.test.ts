import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startApiHarness } from '../support/api-harness.js';
import { FailureRateLimiter } from '../../src/services/auth/failure-rate-limiter.js';

const get = (baseUrl: string, headers: Record<string, string>) => fetch(`${baseUrl}/api/v1/streams`, { headers });

describe('admin API authentication', () => {
  it('the Bearer scheme is case-insensitive (RFC 9110)', async () => {
    const h = await startApiHarness();
    try {
      for (const scheme of ['Bearer', 'bearer', 'BEARER', 'bEaReR']) {
        assert.equal((await get(h.baseUrl, { authorization: `${scheme} ${h.token}` })).status, 200, scheme);
      }
      assert.equal((await get(h.baseUrl, { authorization: `Basic ${h.token}` })).status, 401);
    } finally {
      await h.close();
    }
  });

  it('a limited address gets 429 with Retry-After, and the body says the right token is refused too', async () => {
    const h = await startApiHarness({ apiAuthLimiter: new FailureRateLimiter({ maxFailures: 2, windowMs: 60_000 }) });
    try {
      for (let i = 0; i < 2; i++) assert.equal((await get(h.baseUrl, { authorization: 'Bearer wrong' })).status, 401);
      const res = await get(h.baseUrl, { authorization: `Bearer ${h.token}` });
      assert.equal(res.status, 429);
      const retryAfter = Number(res.headers.get('retry-after'));
      assert.ok(Number.isInteger(retryAfter) && retryAfter > 0 && retryAfter <= 60, `Retry-After ${res.headers.get('retry-after')}`);
      const body = (await res.json()) as { error: { code: string; message: string } };
      assert.equal(body.error.code, 'rate_limited');
      assert.match(body.error.message, /even with the right token/);
      assert.match(body.error.message, new RegExp(`${retryAfter} s`));
    } finally {
      await h.close();
    }
  });

  it('--trust-proxy: off by default (X-Forwarded-For ignored); on, each client behind the proxy is limited on its own', async () => {
    const limiter = () => new FailureRateLimiter({ maxFailures: 2, windowMs: 60_000 });
    const fail = (baseUrl: string, client: string) => get(baseUrl, { authorization: 'Bearer wrong', 'x-forwarded-for': client });
    const off = await startApiHarness({ apiAuthLimiter: limiter() });
    try {
      await fail(off.baseUrl, '203.0.113.1');
      await fail(off.baseUrl, '203.0.113.2');
      const admin = await get(off.baseUrl, { authorization: `Bearer ${off.token}`, 'x-forwarded-for': '203.0.113.3' });
      assert.equal(admin.status, 429, 'without --trust-proxy a forged X-Forwarded-For changes nothing');
    } finally {
      await off.close();
    }
    const on = await startApiHarness({ apiAuthLimiter: limiter(), config: { trustProxy: '127.0.0.1' } });
    try {
      for (let i = 0; i < 3; i++) await fail(on.baseUrl, '203.0.113.1');
      assert.equal((await fail(on.baseUrl, '203.0.113.1')).status, 429, 'the bad client is limited');
      const admin = await get(on.baseUrl, { authorization: `Bearer ${on.token}`, 'x-forwarded-for': '203.0.113.3' });
      assert.equal(admin.status, 200, 'another client behind the same proxy is not');
    } finally {
      await on.close();
    }
  });
});
