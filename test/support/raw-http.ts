import { connect } from 'node:net';

/**
 * One HTTP/1.1 request written by hand on a connection of its own (as players send them, keep-alive; on a shared
 * `--workers` port, round-robin spreads such connections over the workers): resolves to the response's raw bytes,
 * read until its Content-Length (none for HEAD and 304), then the connection is closed.
 */
export function rawRequest(port: number, head: string, timeoutMs = 10_000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(port, '127.0.0.1', () => socket.write(head));
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no complete answer to ${head.split('\r\n')[0]}`)));
    socket.on('error', reject);
    socket.on('data', (d: Buffer) => {
      chunks.push(d);
      const all = Buffer.concat(chunks);
      const end = all.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = /\r\ncontent-length: (\d+)/i.exec(all.subarray(0, end).toString('latin1'));
      const bodyless = head.startsWith('HEAD ') || / 304 /.test(all.subarray(0, 16).toString('latin1'));
      if (all.length >= end + 4 + (bodyless ? 0 : Number(length?.[1] ?? 0))) {
        socket.destroy();
        resolve(all);
      }
    });
  });
}

/** A request head: `method path`, Host, then `extra` header lines (each ending in \r\n). */
export function requestHead(port: number, path: string, extra = '', method = 'GET'): string {
  return `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${extra}\r\n`;
}

export interface RawAnswer {
  readonly status: number;
  /** The status line and headers, as sent. */
  readonly headers: string;
  readonly body: Buffer;
}

/** rawRequest of `method path` on 127.0.0.1:`port`, split into status, head and body. */
export async function rawGet(port: number, path: string, extra = '', method = 'GET', timeoutMs = 20_000): Promise<RawAnswer> {
  const all = await rawRequest(port, requestHead(port, path, extra, method), timeoutMs);
  const end = all.indexOf('\r\n\r\n');
  const headers = all.subarray(0, end).toString('latin1');
  return { status: Number(headers.slice(9, 12)), headers, body: all.subarray(end + 4) };
}
