import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { mountLeanFront } from '../../lean/lean-front.js';
import { proxyHls } from './hls-proxy.js';

/**
 * Workers' HLS forwarding (proxyHls) from the lean front: the owner's answer passed on with the front's own
 * connection headers, a large body through a viewer that stops reading, keep-alive afterwards with no listener left
 * behind, a viewer leaving mid-body, an owner that does not answer.
 */
async function listen(server: Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

/** A lean front whose every /hls/ request is forwarded to `base`; its server-side sockets are collected. */
async function front(base: string): Promise<{ server: Server; port: number; sockets: Socket[] }> {
  const server = createServer((_req, res) => res.end('node'));
  mountLeanFront(server, (head) => head.url.startsWith('/hls/'), (req, res) => proxyHls(req, res, base));
  const sockets: Socket[] = [];
  server.on('connection', (s: Socket) => sockets.push(s));
  return { server, port: await listen(server), sockets };
}

/** Reads one response (Content-Length framed) from a raw socket; `pauseMs`: stops reading that long first. */
function readResponse(socket: Socket, pauseMs = 0): Promise<{ head: string; body: Buffer }> {
  return new Promise((resolve, reject) => {
    // Chunks kept and joined once the response is whole: joining at every chunk copied ~0.5 GB per 8 MiB body, which
    // under CI's load outlasted the front's 5 s keep-alive before the next request (ECONNRESET, seen once).
    const chunks: Buffer[] = [];
    let have = 0;
    let headEnd = -1;
    let head = '';
    let length = 0;
    const onData = (d: Buffer): void => {
      chunks.push(d);
      have += d.length;
      if (headEnd < 0) {
        const sofar = Buffer.concat(chunks);
        headEnd = sofar.indexOf('\r\n\r\n');
        if (headEnd < 0) return;
        head = sofar.subarray(0, headEnd).toString('latin1');
        length = Number(/\r\ncontent-length: (\d+)/i.exec(head)?.[1] ?? 0);
      }
      if (have < headEnd + 4 + length) return;
      socket.removeListener('data', onData);
      resolve({ head, body: Buffer.concat(chunks).subarray(headEnd + 4, headEnd + 4 + length) });
    };
    socket.on('data', onData);
    socket.once('error', reject);
    if (pauseMs > 0) {
      socket.pause();
      setTimeout(() => socket.resume(), pauseMs);
    }
  });
}

test('forwarded through the lean front: the owner headers in order, the front\'s own connection headers, a large body through a paused reader, then keep-alive', async () => {
  const body = randomBytes(8 * 1024 * 1024);
  const owner = createServer((req, res) => {
    assert.equal(req.headers['x-onair-hop'], '1');
    res.writeHead(200, ['content-type', 'video/mp4', 'etag', '"e1"', 'content-length', body.length]);
    // In pieces, as a socket delivers them.
    for (let i = 0; i < body.length; i += 256 * 1024) res.write(body.subarray(i, i + 256 * 1024));
    res.end();
  });
  const ownerPort = await listen(owner);
  const f = await front(`http://127.0.0.1:${ownerPort}`);
  const socket = connect(f.port, '127.0.0.1');
  try {
    const ask = `GET /hls/x/src/seg-a-1.m4s HTTP/1.1\r\nHost: h\r\n\r\n`;
    socket.write(ask);
    const first = await readResponse(socket, 500);
    assert.ok(first.body.equals(body), 'the body intact');
    const lines = first.head.split('\r\n');
    assert.equal(lines[0], 'HTTP/1.1 200 OK');
    assert.deepEqual(lines.slice(1, 4), ['content-type: video/mp4', 'etag: "e1"', `content-length: ${body.length}`]);
    assert.match(lines[4]!, /^Date: /);
    assert.deepEqual(lines.slice(5), ['Connection: keep-alive', 'Keep-Alive: timeout=5']);
    const server = f.sockets[0]!;
    const listeners = (): number[] => [server.listenerCount('close'), server.listenerCount('drain')];
    const after1 = listeners();
    for (let i = 0; i < 3; i++) {
      socket.write(ask);
      assert.ok((await readResponse(socket)).body.equals(body));
    }
    assert.deepEqual(listeners(), after1, 'no listener left on the viewer\'s socket per forwarded request');
  } finally {
    socket.destroy();
    f.server.close();
    owner.close();
  }
});

// A reset (a viewer gone for good); a FIN alone is a half-close, answered to its end as the lean front does (lean-front.ts).
test('a viewer whose connection resets mid-body ends the request to the owner', async () => {
  let ownerRes: ServerResponse | undefined;
  const owner = createServer((_req, res) => {
    ownerRes = res;
    res.writeHead(200, ['content-length', 1_000_000]);
    res.write(Buffer.alloc(1000));
  });
  const ownerPort = await listen(owner);
  const f = await front(`http://127.0.0.1:${ownerPort}`);
  const socket = connect(f.port, '127.0.0.1');
  try {
    socket.write('GET /hls/x/src/seg-a-1.m4s HTTP/1.1\r\nHost: h\r\n\r\n');
    await new Promise<void>((r) => socket.once('data', () => r()));
    const closed = new Promise<void>((r) => ownerRes!.once('close', () => r()));
    socket.resetAndDestroy();
    await closed;
    assert.equal(ownerRes!.writableFinished, false, 'the owner\'s answer was cut, not finished');
  } finally {
    f.server.close();
    owner.close();
  }
});

test('an owner that does not answer: 502 with a length, and the connection goes on', async () => {
  const gone = createServer();
  const gonePort = await listen(gone);
  await new Promise((r) => gone.close(r));
  const f = await front(`http://127.0.0.1:${gonePort}`);
  const socket = connect(f.port, '127.0.0.1');
  try {
    socket.write('GET /hls/x/src/media.m3u8 HTTP/1.1\r\nHost: h\r\n\r\n');
    const r = await readResponse(socket);
    assert.match(r.head, /^HTTP\/1\.1 502 Bad Gateway\r\n/);
    assert.equal(JSON.parse(r.body.toString()).error.code, 'bad_gateway');
    socket.write('GET /other HTTP/1.1\r\nHost: h\r\n\r\n');
    assert.equal((await readResponse(socket)).body.toString(), 'node', 'the next request, not HLS, answered by node:http');
  } finally {
    socket.destroy();
    f.server.close();
  }
});
