import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { SharedReadBuffer } from './shared-read-buffer.js';

const connections = (server: Server) => new Promise<number>((resolve, reject) => server.getConnections((err, n) => (err ? reject(err) : resolve(n))));

test('adopted sockets deliver every byte through the shared buffer, write back, and keep the server count right', async () => {
  const shared = new SharedReadBuffer(1024); // smaller than what each client sends: reads wrap the buffer many times
  const received = new Map<number, Buffer[]>();
  let nextId = 0;
  const adopted: Socket[] = [];
  const server: Server = createServer({ pauseOnConnect: true }, (s) => {
    const id = nextId++;
    received.set(id, []);
    const socket = shared.adopt(s, server, (bytes) => {
      received.get(id)!.push(Buffer.from(bytes)); // the view is only valid during the call
      socket!.write(bytes.subarray(0, 1)); // one byte back per read: writes work on the adopted socket
    });
    assert.ok(socket, 'this Node exposes what the move needs');
    adopted.push(socket);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;

  // Two clients at once, each sending a distinct pattern, so a buffer shared wrongly would mix them.
  const payloads = [0, 1].map((k) => Buffer.from(Array.from({ length: 64 * 1024 }, (_, i) => (i * (k + 3) + k) & 0xff)));
  const clients = await Promise.all(payloads.map(async () => {
    const c = connect(port, '127.0.0.1');
    await once(c, 'connect');
    return c;
  }));
  const echoed = clients.map((c) => {
    let n = 0;
    c.on('data', (b: Buffer) => (n += b.length));
    return () => n;
  });
  for (let i = 0; i < payloads[0]!.length; i += 4096) {
    clients.forEach((c, k) => c.write(payloads[k]!.subarray(i, i + 4096)));
    await new Promise((r) => setImmediate(r));
  }
  const total = () => [...received.values()].reduce((a, parts) => a + parts.reduce((s, b) => s + b.length, 0), 0);
  while (total() < 2 * 64 * 1024) await new Promise((r) => setTimeout(r, 10));

  const byFirstByte = [...received.values()].map((parts) => Buffer.concat(parts)).sort((a, b) => a[0]! - b[0]!);
  assert.ok(byFirstByte[0]!.equals(payloads[0]!), 'client 0 bytes intact');
  assert.ok(byFirstByte[1]!.equals(payloads[1]!), 'client 1 bytes intact');
  assert.equal(await connections(server), 2);

  // The server's connection count follows the adopted sockets: close() completes once they are gone.
  const closed = new Promise<void>((r) => server.close(() => r()));
  for (const c of clients) c.end();
  await Promise.all(adopted.map((s) => once(s, 'close')));
  await closed;
  assert.equal(await connections(server), 0);
  assert.ok(echoed.some((n) => n() > 0), 'writes on adopted sockets reached the clients');
});

test('a socket that is not from the given server is not adopted (caller falls back to data events)', async () => {
  const shared = new SharedReadBuffer();
  const a = createServer({ pauseOnConnect: true });
  const b = createServer();
  a.listen(0, '127.0.0.1');
  await once(a, 'listening');
  const accepted = once(a, 'connection');
  const client = connect((a.address() as AddressInfo).port, '127.0.0.1');
  const [socket] = (await accepted) as [Socket];
  assert.equal(shared.adopt(socket, b, () => {}), null);
  socket.destroy();
  client.destroy();
  await new Promise<void>((r) => a.close(() => r()));
});
