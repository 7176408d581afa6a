import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { startTestServer, type TestServer } from '../../support/onair.js';

/**
 * The playback front's shared rules, with no stream live: one error shape with registry codes for every
 * refusal (routes, the router, Node's HTTP parser), one playback-id rule, one CORS policy.
 */
let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server.close());

/** A raw HTTP/1.1 exchange, so paths and headers reach the server exactly as written. */
function rawRequest(head: string): Promise<{ status: number; headers: string; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(server.ports.http, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const split = text.indexOf('\r\n\r\n');
      resolve({ status: Number(text.slice(9, 12)), headers: text.slice(0, split), body: text.slice(split + 4) });
    });
    socket.end(head);
  });
}

async function errorOf(res: Response): Promise<{ code: string; message: string }> {
  assert.match(res.headers.get('content-type') ?? '', /application\/json/);
  return ((await res.json()) as { error: { code: string; message: string } }).error;
}

test('HLS, HTTP-FLV and the watch page refuse in the one error shape, with registry codes', async () => {
  const cases: [string, number, string][] = [
    ['/hls/nobody/index.m3u8', 404, 'stream_not_live'],
    ['/hls/nobody/src/media.m3u8', 404, 'stream_not_live'],
    ['/hls/bad.id/index.m3u8', 404, 'not_found'],
    ['/live/nobody.flv', 404, 'stream_not_live'],
    ['/live/nobody.mp4', 404, 'not_found'],
    ['/watch/%3Cscript%3E', 404, 'not_found'],
    ['/no/such/route', 404, 'not_found'],
  ];
  for (const [path, status, code] of cases) {
    const res = await fetch(server.httpUrl(path), { headers: { origin: 'https://player.example' } });
    assert.equal(res.status, status, path);
    assert.equal((await errorOf(res)).code, code, path);
    if (!path.startsWith('/no/')) assert.equal(res.headers.get('access-control-allow-origin'), 'https://player.example', `${path}: readable cross-origin`);
  }
});

test('a 128-character playback id is routed (404 not live), a 300-character segment is 414 without the path echoed', async () => {
  const id = 'a'.repeat(128);
  for (const path of [`/hls/${id}/index.m3u8`, `/live/${id}.flv`, `/watch/${id}`]) {
    const res = await fetch(server.httpUrl(path));
    if (path.startsWith('/watch/')) assert.equal(res.status, 200, path);
    else assert.deepEqual([res.status, (await errorOf(res)).code], [404, 'stream_not_live'], path);
  }
  const tooLong = 'x'.repeat(300);
  for (const path of [`/live/${tooLong}.flv`, `/hls/${tooLong}/index.m3u8`, `/watch/${tooLong}`]) {
    const res = await fetch(server.httpUrl(path));
    assert.equal(res.status, 414, path);
    const err = await errorOf(res);
    assert.equal(err.code, 'uri_too_long');
    assert.ok(!err.message.includes(tooLong), 'the path is not echoed');
  }
  // The stricter id rule still applies under the router's cap.
  assert.equal((await errorOf(await fetch(server.httpUrl(`/live/${'a'.repeat(129)}.flv`)))).code, 'not_found');
});

test('a malformed URL is 400 invalid_url and over-large headers 431 headers_too_large, in the same shape', async () => {
  const bad = await rawRequest('GET /watch/%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  assert.equal(bad.status, 400);
  const badError = (JSON.parse(bad.body) as { error: { code: string; message: string } }).error;
  assert.equal(badError.code, 'invalid_url');
  assert.ok(!badError.message.includes('%zz'), 'the path is not echoed');
  const huge = await rawRequest(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: ${'p'.repeat(20_000)}\r\n\r\n`);
  assert.equal(huge.status, 431);
  assert.match(huge.headers, /content-type: application\/json/i);
  assert.equal((JSON.parse(huge.body) as { error: { code: string } }).error.code, 'headers_too_large');
  const garbage = await rawRequest('NOT HTTP AT ALL\r\n\r\n');
  assert.equal(garbage.status, 400);
  assert.equal((JSON.parse(garbage.body) as { error: { code: string } }).error.code, 'malformed_request');
});

test('one CORS policy: HLS and FLV preflights echo only well-formed request headers', async () => {
  for (const path of ['/hls/x/index.m3u8', '/live/x.flv']) {
    const ok = await fetch(server.httpUrl(path), {
      method: 'OPTIONS', headers: { origin: 'https://p.example', 'access-control-request-method': 'GET', 'access-control-request-headers': 'range, x-token' },
    });
    assert.equal(ok.status, 204, path);
    assert.equal(ok.headers.get('access-control-allow-origin'), 'https://p.example', path);
    assert.equal(ok.headers.get('access-control-allow-credentials'), 'true', path);
    assert.equal(ok.headers.get('access-control-allow-headers'), 'range, x-token', path);
    const odd = await fetch(server.httpUrl(path), {
      method: 'OPTIONS', headers: { origin: 'https://p.example', 'access-control-request-method': 'GET', 'access-control-request-headers': 'range, <script>' },
    });
    assert.equal(odd.status, 204, path);
    assert.equal(odd.headers.get('access-control-allow-headers'), null, `${path}: not reflected`);
  }
});
