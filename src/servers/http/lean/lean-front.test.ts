import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { once } from 'node:events';
import { mountLeanFront } from './lean-front.js';

/** A body large enough that writing it leaves a socket whose peer does not read in need of a drain. */
const BIG = Buffer.alloc(16 * 1024 * 1024, 0x2e);

/**
 * Node answers `node:<method> <url>`; with the front, /hls/ GET/HEAD answers `lean:<url>` (after 30 ms for `slow`,
 * followed by BIG for `big`). An upgrade request (Node's) switches to an echo of what the client sends next.
 */
async function server(lean: boolean, options: { sendStallMs?: number } = {}): Promise<{ server: Server; port: number; leanCount: () => number }> {
  const s = createServer((req, res) => {
    const body = Buffer.from(`node:${req.method} ${req.url}`);
    res.writeHead(200, ['content-type', 'text/plain', 'content-length', body.length]);
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  s.on('upgrade', (_req, socket: Socket, head: Buffer) => {
    socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n');
    const echo = (d: Buffer): void => void socket.write(`echo:${d.toString('latin1')};`);
    if (head.length) echo(head);
    socket.on('data', echo);
  });
  s.keepAliveTimeout = 5000;
  let count = 0;
  if (lean) {
    mountLeanFront(s, (head) => head.url.startsWith('/hls/'), (req, res) => {
      count++;
      const text = Buffer.from(`lean:${req.url} ua=${req.headers['user-agent'] ?? ''}`);
      const body = req.url.includes('big') ? Buffer.concat([text, BIG]) : text;
      const answer = (): void => {
        res.writeHead(200, ['content-type', 'text/plain', 'content-length', body.length]);
        res.end(req.method === 'HEAD' ? undefined : body);
      };
      if (req.url.includes('slow')) setTimeout(answer, 30);
      else answer();
    }, options);
  }
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  return { server: s, port: (s.address() as AddressInfo).port, leanCount: () => count };
}

/** Sends `pieces` on one connection (a pause between pieces) and returns everything read until `answers` responses or close. */
function exchange(port: number, pieces: (string | Buffer)[], answers: number): Promise<string> {
  return exchangeUntil(port, pieces, (got) => (got.match(/HTTP\/1\.1 \d{3}/g) ?? []).length >= answers && complete(got), 5);
}

/** Sends `pieces` (`gapMs` between them) and returns what was read once `done` says so (or after 2 s, or at close). */
async function exchangeUntil(port: number, pieces: (string | Buffer)[], done: (text: string) => boolean, gapMs = 20): Promise<string> {
  const sock = connect(port, '127.0.0.1');
  await once(sock, 'connect');
  let got = '';
  const finished = new Promise<void>((resolve) => {
    sock.on('data', (d: Buffer) => {
      got += d.toString('latin1');
      if (done(got)) resolve();
    });
    sock.on('close', () => resolve());
  });
  for (const p of pieces) {
    sock.write(p);
    await new Promise((r) => setTimeout(r, gapMs));
  }
  await Promise.race([finished, new Promise((r) => setTimeout(r, 2000))]);
  sock.destroy();
  return got.replace(/Date: [^\r]+\r\n/g, 'Date: -\r\n');
}

/** The last response's body is all there (by its Content-Length, or none). */
function complete(text: string): boolean {
  const at = text.lastIndexOf('HTTP/1.1 ');
  const headEnd = text.indexOf('\r\n\r\n', at);
  if (headEnd < 0) return false;
  const len = /content-length: (\d+)/i.exec(text.slice(at, headEnd));
  return text.length - headEnd - 4 >= (len ? Number(len[1]) : 0);
}

const get = (path: string, extra = '', method = 'GET'): string => `${method} ${path} HTTP/1.1\r\nHost: x\r\n${extra}\r\n`;

test('keep-alive: lean answers until a request it does not take; Node answers that one and the rest of the connection', async () => {
  const { server: s, port, leanCount } = await server(true);
  try {
    const text = await exchange(port, [get('/hls/a', 'User-Agent: p\r\n'), get('/hls/b'), get('/api/x'), get('/hls/c')], 4);
    const bodies = text.split(/HTTP\/1\.1 200 OK\r\n/).slice(1).map((r) => r.slice(r.indexOf('\r\n\r\n') + 4));
    assert.deepEqual(bodies, ['lean:/hls/a ua=p', 'lean:/hls/b ua=', 'node:GET /api/x', 'node:GET /hls/c']);
    assert.equal(leanCount(), 2);
  } finally {
    s.close();
  }
});

test('headers as Node writes them (the handler\'s, then Date, Connection, Keep-Alive); HEAD has no body', async () => {
  const lean = await server(true);
  const plain = await server(false);
  try {
    const fromLean = await exchange(lean.port, [get('/hls/h', '', 'HEAD')], 1);
    const fromNode = await exchange(plain.port, [get('/hls/h', '', 'HEAD')], 1);
    const headOf = (t: string): string[] => t.split('\r\n').map((l) => l.split(':')[0]!.toLowerCase());
    assert.deepEqual(headOf(fromLean), headOf(fromNode));
    assert.ok(fromLean.endsWith('Keep-Alive: timeout=5\r\n\r\n'), fromLean);
  } finally {
    lean.server.close();
    plain.server.close();
  }
});

test('pipelined requests, one answer waiting: answered in order, then handed to Node for the rest, at every split', async () => {
  const { server: s, port } = await server(true);
  try {
    const all = Buffer.from(get('/hls/slow') + get('/hls/a') + get('/other') + get('/hls/b'), 'latin1');
    for (const at of [1, 17, 40, all.length - 1]) {
      const text = await exchange(port, [all.subarray(0, at), all.subarray(at)], 4);
      const bodies = text.split(/HTTP\/1\.1 200 OK\r\n/).slice(1).map((r) => r.slice(r.indexOf('\r\n\r\n') + 4));
      assert.deepEqual(bodies, ['lean:/hls/slow ua=', 'lean:/hls/a ua=', 'node:GET /other', 'node:GET /hls/b'], `split at ${at}`);
    }
  } finally {
    s.close();
  }
});

test('split at every byte of a request: the same lean answer', async () => {
  const { server: s, port } = await server(true);
  try {
    const req = get('/hls/seg.m4s', 'User-Agent: split\r\nRange: bytes=0-1\r\n');
    const whole = await exchange(port, [req], 1);
    assert.match(whole, /lean:\/hls\/seg\.m4s ua=split$/);
    for (let i = 1; i < req.length; i += 3) assert.equal(await exchange(port, [req.slice(0, i), req.slice(i)], 1), whole, `split at ${i}`);
  } finally {
    s.close();
  }
});

test('malformed, unusual and oversized requests get exactly what Node alone answers', async () => {
  const lean = await server(true);
  const plain = await server(false);
  const cases = [
    get('/hls/a').replace('HTTP/1.1', 'HTTP/1.0'),
    'GET /hls/a HTTP/1.1\r\nAccept: x\r\n\r\n', // no Host
    'GET /hls/a HTTP/1.1\r\nHost: x\nBad: y\r\n\r\n', // bare LF
    'GET /hls/a HTTP/1.1\r\nHost: x\r\nUser-Agent: a\r\n b\r\n\r\n', // obs-fold
    'GET /hls/a HTTP/1.1\r\nHost : x\r\n\r\n',
    'GET /hls/a HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc',
    'GET /hls/a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    'POST /hls/a HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nab',
    `GET /hls/a HTTP/1.1\r\nHost: x\r\nX-Pad: ${'a'.repeat(20_000)}\r\n\r\n`, // 431 from Node
    'GARBAGE\r\n\r\n',
    get('/hls/a', 'Connection: close\r\n'),
  ];
  try {
    for (const c of cases) {
      const a = await exchange(lean.port, [c], 1);
      const b = await exchange(plain.port, [c], 1);
      assert.equal(a, b, JSON.stringify(c.slice(0, 60)));
      assert.ok(a.length > 0, 'an answer');
    }
    assert.equal(lean.leanCount(), 0);
  } finally {
    lean.server.close();
    plain.server.close();
  }
});

test('close(): an idle lean keep-alive connection does not keep the server open', async () => {
  const { server: s, port } = await server(true);
  const sock = connect(port, '127.0.0.1');
  sock.write(get('/hls/a'));
  await once(sock, 'data');
  const closed = once(s, 'close');
  s.close();
  await closed;
  await once(sock, 'close');
});

test('a client that half-closes after its requests gets every answer, then the connection ends (no half-open leftovers)', async () => {
  const { server: s, port } = await server(true);
  try {
    const sock = connect(port, '127.0.0.1');
    await once(sock, 'connect');
    let got = '';
    sock.on('data', (d: Buffer) => (got += d.toString('latin1')));
    sock.end(get('/hls/slow') + get('/hls/a'));
    await Promise.race([once(sock, 'close'), new Promise((_, reject) => setTimeout(() => reject(new Error(`still open; got ${got}`)), 3000))]);
    assert.deepEqual(got.match(/lean:\S+/g), ['lean:/hls/slow', 'lean:/hls/a']);
  } finally {
    s.close();
  }
});

test('reads share one buffer: a head split across reads is kept intact while other connections read in between', async () => {
  const { server: s, port } = await server(true);
  try {
    const a = connect(port, '127.0.0.1');
    const b = connect(port, '127.0.0.1');
    await Promise.all([once(a, 'connect'), once(b, 'connect')]);
    let gotA = '';
    let gotB = '';
    a.on('data', (d: Buffer) => (gotA += d.toString('latin1')));
    b.on('data', (d: Buffer) => (gotB += d.toString('latin1')));
    const reqA = get('/hls/aaaaaaaaaaaaaaaa', 'User-Agent: first\r\n');
    const wait = (ms: number): Promise<unknown> => new Promise((r) => setTimeout(r, ms));
    a.write(reqA.slice(0, 30));
    await wait(30);
    // B's request lands in the same shared buffer, over where A's first bytes were read.
    b.write(get('/hls/bbbbbbbbbbbbbbbb', 'User-Agent: second\r\n'));
    await wait(30);
    a.write(reqA.slice(30));
    const deadline = Date.now() + 2000;
    while ((!gotA.includes('ua=first') || !gotB.includes('ua=second')) && Date.now() < deadline) await wait(10);
    a.destroy();
    b.destroy();
    assert.match(gotA, /lean:\/hls\/aaaaaaaaaaaaaaaa ua=first$/);
    assert.match(gotB, /lean:\/hls\/bbbbbbbbbbbbbbbb ua=second$/);
  } finally {
    s.close();
  }
});

test('a connection handed to Node and upgraded there (a WebSocket) reads as without the front: every later byte once, to the upgrade', async () => {
  const lean = await server(true);
  const plain = await server(false);
  const upgrade = 'GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n';
  const last = `echo:${get('/hls/b')};`;
  try {
    for (const first of ['', get('/hls/a')]) {
      const pieces = [first + upgrade, 'hello', get('/hls/b')];
      const a = await exchangeUntil(lean.port, pieces, (t) => t.endsWith(last));
      const b = await exchangeUntil(plain.port, pieces, (t) => t.endsWith(last));
      assert.ok(b.endsWith(`\r\n\r\necho:hello;${last}`), b);
      // The same bytes but for the body of the lean answer to /hls/a (as long as Node's).
      assert.equal(a.replace('lean:/hls/a ua=', 'node:GET /hls/a'), b, JSON.stringify(first));
    }
  } finally {
    lean.server.close();
    plain.server.close();
  }
});

test('requests that arrive while a finished lean answer waits for the socket to drain are handed to Node once, and answered once', async () => {
  const { server: s, port } = await server(true);
  try {
    const sock = connect(port, '127.0.0.1');
    await once(sock, 'connect');
    const wait = (ms: number): Promise<unknown> => new Promise((r) => setTimeout(r, ms));
    // Not read yet: the lean answer (written after 30 ms) stays queued on the server's socket.
    sock.pause();
    sock.write(get('/hls/slow-big'));
    await wait(300);
    // Not the front's (another path), then one it would take, then the last (Node closes after it).
    sock.write(get('/api/x') + get('/hls/b') + get('/api/last', 'Connection: close\r\n'));
    await wait(100);
    const chunks: Buffer[] = [];
    sock.on('data', (d: Buffer) => chunks.push(d));
    sock.resume();
    await Promise.race([once(sock, 'close'), wait(5000)]);
    sock.destroy();
    const all = Buffer.concat(chunks);
    const bigAt = all.indexOf('slow-big ua=') + 'slow-big ua='.length;
    const text = all.toString('latin1', 0, bigAt) + all.toString('latin1', bigAt + BIG.length);
    assert.deepEqual(text.match(/(lean:|node:GET )\/[a-z/-]+/g), ['lean:/hls/slow-big', 'node:GET /api/x', 'node:GET /hls/b', 'node:GET /api/last'], text.slice(0, 2000));
  } finally {
    s.close();
  }
});

/**
 * Asks for the big answer with a keep-alive timeout of 200 ms, reads nothing for `pauseMs`, then everything there is:
 * the bytes read, the answer's full size, and whether the connection closed before all of it came.
 */
async function bigAnswerAfterPause(pauseMs: number, options: { sendStallMs?: number } = {}): Promise<{ bytes: number; expected: number; closed: boolean }> {
  const { server: s, port } = await server(true, options);
  s.keepAliveTimeout = 200;
  try {
    const sock = connect(port, '127.0.0.1');
    await once(sock, 'connect');
    sock.pause();
    sock.write(get('/hls/big'));
    await new Promise((r) => setTimeout(r, pauseMs));
    const expected = BIG.length + 'lean:/hls/big ua='.length;
    let bytes = 0;
    const closed = await new Promise<boolean>((resolve) => {
      sock.on('data', (d: Buffer) => (bytes += d.length) >= expected && resolve(false));
      sock.on('close', () => resolve(true));
      sock.resume();
    });
    sock.destroy();
    return { bytes, expected, closed };
  } finally {
    s.close();
  }
}

test('an answer still being written to a client that stopped reading is not cut at keepAliveTimeout (Node\'s rule: between requests)', async () => {
  // Several keep-alive timeouts with the answer queued on the server's socket.
  const { bytes, expected } = await bigAnswerAfterPause(1000);
  assert.ok(bytes >= expected, `${bytes} bytes of a ${expected}-byte body and its head`);
});

test('an answer the client reads nothing of for the send-stall time is given up: the connection closes (nginx send_timeout)', async () => {
  // Reading nothing for well past the stall time (1 s): the answer was cut and the connection closed (without the
  // rule the whole answer arrives, as in the test above).
  const { bytes, expected, closed } = await bigAnswerAfterPause(3000, { sendStallMs: 1000 });
  assert.ok(closed && bytes < expected, `${bytes} of ${expected} bytes read, closed: ${closed}`);
});

test('many connections pipelining heads split at random bytes, some answers waiting: each gets its own answers, in order', async () => {
  const { server: s, port } = await server(true);
  let seed = 7;
  const random = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
  const wait = (ms: number): Promise<unknown> => new Promise((r) => setTimeout(r, ms));
  try {
    const conns = await Promise.all(Array.from({ length: 12 }, async (_, c) => {
      const sock = connect(port, '127.0.0.1');
      await once(sock, 'connect');
      const paths = Array.from({ length: 8 }, (_, i) => `/hls/c${c}-r${i}${i % 3 === 1 ? '-slow' : ''}`);
      const bytes = Buffer.from(paths.map((p) => get(p, `User-Agent: ua-${c}-${'x'.repeat(random(40))}\r\n`)).join(''), 'latin1');
      let got = '';
      sock.on('data', (d: Buffer) => (got += d.toString('latin1')));
      return { sock, paths, bytes, sent: 0, got: () => got };
    }));
    // Interleaved: a few bytes of one connection, then of another, so reads of every connection share the buffer.
    while (conns.some((c) => c.sent < c.bytes.length)) {
      for (const c of conns) {
        if (c.sent >= c.bytes.length) continue;
        const n = 1 + random(90);
        c.sock.write(c.bytes.subarray(c.sent, c.sent + n));
        c.sent += n;
      }
      await wait(1 + random(3));
    }
    const deadline = Date.now() + 5000;
    const answered = (c: (typeof conns)[number]): string[] => c.got().match(/lean:\/hls\/\S+ ua=ua-\d+/g) ?? [];
    while (conns.some((c) => answered(c).length < c.paths.length) && Date.now() < deadline) await wait(20);
    for (const [i, c] of conns.entries()) {
      c.sock.destroy();
      const ua = `ua-${i}`;
      assert.deepEqual(answered(c), c.paths.map((p) => `lean:${p} ua=${ua}`), `connection ${i}`);
    }
  } finally {
    s.close();
  }
});

test('a client that sends requests and reads nothing: once its socket is full, no further request is answered until it drains', async () => {
  const { server: s, port, leanCount } = await server(true);
  const wait = (ms: number): Promise<unknown> => new Promise((r) => setTimeout(r, ms));
  try {
    const sock = connect(port, '127.0.0.1');
    await once(sock, 'connect');
    sock.pause();
    // Every answer waits (`slow`): the first fills the socket, the next would queue behind it in the server's memory.
    sock.write(get('/hls/slow-big'));
    await wait(200);
    for (let i = 0; i < 10; i++) {
      sock.write(get(`/hls/slow-${i}`));
      await wait(60);
    }
    const answeredWhileFull = leanCount();
    let tail = '';
    sock.on('data', (d: Buffer) => (tail = (tail + d.toString('latin1', Math.max(0, d.length - 300))).slice(-300)));
    sock.resume();
    const deadline = Date.now() + 10_000;
    while (!tail.includes('lean:/hls/slow-9 ') && Date.now() < deadline) await wait(20);
    sock.destroy();
    assert.equal(answeredWhileFull, 1, 'requests answered while the first answer was still queued');
    assert.equal(leanCount(), 11, 'all answered once it drained');
  } finally {
    s.close();
  }
});
