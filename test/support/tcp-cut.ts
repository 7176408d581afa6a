import { createServer, connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A loopback TCP relay to `target` that can be cut (every relayed connection reset, new ones refused) and
 * restored: a network partition between one process and a server, the others still reaching it directly.
 */
export async function tcpCut(target: { host: string; port: number }): Promise<{ port: number; cut(): void; restore(): void; close(): Promise<void> }> {
  const open = new Set<Socket>();
  let severed = false;
  const server = createServer((client) => {
    if (severed) return client.destroy();
    const upstream = connect(target);
    for (const s of [client, upstream]) {
      open.add(s);
      s.on('error', () => {});
      s.on('close', () => {
        open.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as AddressInfo).port,
    cut: () => {
      severed = true;
      for (const s of open) s.destroy();
    },
    restore: () => (severed = false),
    close: () => new Promise((r) => {
      severed = true;
      for (const s of open) s.destroy();
      server.close(() => r());
    }),
  };
}
