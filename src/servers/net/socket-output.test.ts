import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { SocketOutput } from './socket-output.js';

/** A loopback pair: `server` is the accepted socket we write to, `client` reads. */
async function pair(): Promise<{ srv: Server; server: Socket; client: Socket }> {
  const srv = createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const port = (srv.address() as { port: number }).port;
  const accepted = once(srv, 'connection') as Promise<[Socket]>;
  const client = connect({ host: '127.0.0.1', port });
  await once(client, 'connect');
  const [server] = await accepted;
  return { srv, server, client };
}

function collect(client: Socket): Buffer[] {
  const got: Buffer[] = [];
  client.on('data', (b: Buffer) => got.push(b));
  return got;
}

/** Distinct bytes per block so a reordering or a lost span shows in the comparison. */
const block = (i: number, size: number): Buffer => {
  const b = Buffer.allocUnsafe(size);
  for (let j = 0; j < size; j++) b[j] = (i * 31 + j) & 0xff;
  return b;
};

test('writes to an idle socket go straight to the kernel (Node counts none of them) and arrive intact', async () => {
  const { srv, server, client } = await pair();
  const got = collect(client);
  const out = new SocketOutput(server);
  const sent = [block(1, 1000), block(2, 5000)];
  out.write(sent[0]!);
  out.writev([sent[1]!.subarray(0, 10), sent[1]!.subarray(10)]);
  assert.equal(server.bytesWritten, 0, 'the direct path bypassed socket.write');
  assert.equal(out.pendingBytes, 0);
  const total = 6000;
  while (got.reduce((n, b) => n + b.length, 0) < total) await once(client, 'data');
  assert.deepEqual(Buffer.concat(got), Buffer.concat(sent));
  client.destroy();
  server.destroy();
  srv.close();
});

test('a reader that stops: the kernel buffer fills, the rest queues in the socket, every byte arrives in order', async () => {
  const { srv, server, client } = await pair();
  client.pause();
  const out = new SocketOutput(server);
  const sent: Buffer[] = [];
  // Write until the socket holds a queue (kernel buffers full), then some more, alternating both calls.
  for (let i = 0; out.pendingBytes < 4 << 20 && i < 10_000; i++) {
    const b = block(i, 64 * 1024);
    sent.push(b);
    if (i % 3 === 0) out.writev([b.subarray(0, 100), b.subarray(100)]);
    else out.write(b);
  }
  assert.ok(out.pendingBytes > 0, 'the socket queued what the kernel did not take');
  const direct = sent.reduce((n, b) => n + b.length, 0) - server.bytesWritten;
  assert.ok(direct > 0, 'some bytes went direct before the kernel buffer filled');
  for (let i = 0; i < 3; i++) {
    const b = block(100_000 + i, 777);
    sent.push(b);
    out.write(b);
  }
  const expected = Buffer.concat(sent);
  const got = collect(client);
  client.resume();
  while (got.reduce((n, b) => n + b.length, 0) < expected.length) await once(client, 'data');
  assert.ok(Buffer.concat(got).equals(expected), 'same bytes, same order');
  client.destroy();
  server.destroy();
  srv.close();
});

test('after destroy or end nothing is written, even when the descriptor number is reused', async () => {
  const { srv, server, client } = await pair();
  const out = new SocketOutput(server);
  server.destroy();
  // The next connection is likely to get the same descriptor number.
  const second = await pair();
  const got = collect(second.client);
  out.write(Buffer.from('must not arrive'));
  out.writev([Buffer.from('nor this')]);
  assert.equal(out.closed, true);
  new SocketOutput(second.server).write(Buffer.from('ok'));
  await once(second.client, 'data');
  await sleep(50);
  assert.equal(Buffer.concat(got).toString(), 'ok');

  const ended = new SocketOutput(second.server);
  second.server.end();
  ended.write(Buffer.from('after end'));
  await once(second.client, 'end');
  assert.equal(Buffer.concat(got).toString(), 'ok');
  for (const s of [client, second.client, second.server]) s.destroy();
  srv.close();
  second.srv.close();
});

test('a peer that reset the connection: the write error goes through the socket, no throw', async () => {
  const { srv, server, client } = await pair();
  const out = new SocketOutput(server);
  const closed = new Promise((r) => server.on('close', r));
  server.on('error', () => undefined);
  client.resetAndDestroy();
  await sleep(50);
  for (let i = 0; i < 5 && !server.destroyed; i++) out.write(block(i, 64 * 1024));
  await closed;
  assert.equal(out.closed, true);
  srv.close();
});
