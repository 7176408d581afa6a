import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startApiHarness } from '../support/api-harness.js';
import { signPublishQuery } from '../../src/services/auth/signed-publish-url.js';

describe('secrets never reach the logs', () => {
  it('no stream key, admin token or signature in any log line across API, auth, lifecycle and webhooks', async () => {
    const h = await startApiHarness({ config: { auth: 'signed', publishSecret: 'pub-secret-value', webhookAllowNetworks: '127.0.0.1/32' } });
    const secrets: string[] = [h.token, 'pub-secret-value'];
    try {
      await h.api('POST', '/api/v1/webhooks', { url: 'http://127.0.0.1:9/unreachable' });
      const s = (await h.api('POST', '/api/v1/streams', { settings: { reconnectWindowSec: 0 } })).json;
      secrets.push(s.streamKey);
      const q = signPublishQuery('pub-secret-value', 'live', s.streamKey, Math.floor(Date.now() / 1000) + 60);
      secrets.push(q.split('sig=')[1]!);
      await h.publishAuth.authorizePublish({ app: 'live', name: s.streamKey, query: q, clientIp: '10.9.9.9', protocol: 'rtmp' });
      await h.publishAuth.authorizePublish({ app: 'live', name: s.streamKey, query: '', clientIp: '10.9.9.9', protocol: 'rtmp' });
      await h.publishAuth.authorizePublish({ app: `live/${s.streamKey}`, name: 'x', query: q, clientIp: '10.9.9.9', protocol: 'rtmp' });
      await h.playAuth.authorizePlay({ app: 'live', name: s.streamKey, query: '', clientIp: '10.9.9.9', protocol: 'hls' });
      const reset = (await h.api('POST', `/api/v1/streams/${s.id}/reset-key`)).json;
      secrets.push(reset.streamKey);
      await h.api('GET', `/api/v1/streams/${s.id}`);
      await h.api('GET', '/api/v1/streams', undefined, s.streamKey); // a key used as a bearer token
      const sid = await h.lifecycle.onPublishStart({ streamPath: `live/${s.playbackId}`, streamId: s.id, remoteAddress: '10.9.9.9', protocol: 'rtmp' });
      await h.lifecycle.onActive(`live/${s.playbackId}`);
      await h.lifecycle.onPublishEnd({ streamPath: `live/${s.playbackId}`, sessionId: sid, reason: 'eof', bytesIn: 1 });
      await h.dispatcher.idle();
    } finally {
      await h.close();
    }
    assert.ok(h.logs.length > 10, 'the flow logged');
    for (const line of h.logs) {
      for (const secret of secrets) assert.ok(!line.toLowerCase().includes(secret.toLowerCase()), `secret in log: ${line}`);
    }
  });
});
