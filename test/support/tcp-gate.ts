import { createServer, connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A loopback TCP relay to `target` that accepts connections at once but passes nothing on until `open()`: a client
 * (ffmpeg) can be started and connected beforehand, so that when the gate opens its session reaches the server in a
 * moment, however long the client took to start on a loaded machine. What a client sends meanwhile is kept (the
 * socket is paused: bounded by the kernel's buffers) and passed on after it.
 */
export async function tcpGate(target: { host: string; port: number }): Promise<{ port: number; waiting(): number; open(): void; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const held: Socket[] = [];
  let opened = false;
  const relay = (client: Socket): void => {
    const upstream = connect(target);
    sockets.add(upstream);
    upstream.on('error', () => {});
    upstream.on('close', () => {
      sockets.delete(upstream);
      client.destroy();
    });
    client.on('close', () => upstream.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
    client.resume();
  };
  const server = createServer({ pauseOnConnect: true }, (client) => {
    sockets.add(client);
    client.on('error', () => {});
    client.on('close', () => {
      sockets.delete(client);
      const i = held.indexOf(client);
      if (i >= 0) held.splice(i, 1);
    });
    if (opened) relay(client);
    else held.push(client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as AddressInfo).port,
    waiting: () => held.length,
    open: () => {
      opened = true;
      for (const client of held.splice(0)) relay(client);
    },
    close: () => new Promise((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    }),
  };
}
