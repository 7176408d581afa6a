import { Socket, type Server } from 'node:net';

/**
 * Reading accepted TCP sockets into one shared buffer (`onread`) instead of 'data' events.
 *
 * Why: with 'data' events Node allocates a 64 KiB backing store per read, shrinks it, wraps it in a Buffer
 * and runs it through the Readable machinery. An ingest read every ~10 ms makes that a large part of a
 * stream's cost (bench/receive-floor.ts: 0.56 % of a core per 2.7 Mb/s stream with 'data', 0.33 % with
 * `onread`), and every retained read buffer is external memory that drives old-space collections.
 *
 * Node offers `onread` only to sockets it creates from options, not to accepted ones, so the accepted
 * socket's handle moves to a new Socket built with `onread` (the server must be created with
 * `pauseOnConnect` so nothing is read before). The server's connection count moves with it, so
 * `server.close()` still waits for the socket. Everything else (writes, timeouts, keepalive, 'close') is
 * the ordinary net.Socket API.
 *
 * The buffer is shared by every socket adopted with it: JavaScript runs one read callback at a time, and
 * the callback must be done with the bytes when it returns (copy what it keeps).
 */
export class SharedReadBuffer {
  private readonly buffer: Buffer;

  constructor(size = 64 * 1024) {
    this.buffer = Buffer.allocUnsafe(size);
  }

  /** True when `bytes` is a view of this buffer (so it is overwritten by the next read of any adopted socket). */
  owns(bytes: Buffer): boolean {
    return bytes.buffer === this.buffer.buffer;
  }

  /**
   * Returns a socket whose received bytes go to `onBytes` (a view of the shared buffer, valid only during
   * the call), or null when this Node build does not expose what the move needs: the caller then reads the
   * original socket with 'data' events.
   *
   * `drained` is true when the read did not fill the buffer, i.e. the socket's receive queue is now empty
   * (libuv reads again at once after a full buffer). `onBytes` returning false stops reading until
   * `socket.resume()`.
   */
  adopt(accepted: Socket, server: Server, onBytes: (bytes: Buffer, drained: boolean) => boolean | void): Socket | null {
    const internals = accepted as unknown as SocketInternals;
    const handle = internals._handle;
    if (!handle || typeof handle.useUserBuffer !== 'function' || internals._server !== server) return null;
    internals._handle = null;
    internals._server = null;
    internals.server = null;
    const shared = this.buffer;
    const socket = new Socket({
      handle,
      // As the server made the accepted socket (an HTTP server answers a client that half-closed).
      allowHalfOpen: accepted.allowHalfOpen,
      onread: { buffer: shared, callback: (n: number) => onBytes(shared.subarray(0, n), n < shared.length) },
    } as ConstructorParameters<typeof Socket>[0]);
    const adopted = socket as unknown as SocketInternals;
    adopted._server = server;
    adopted.server = server;
    socket.resume();
    return socket;
  }
}

/** The net.Socket fields Node's own accept path sets (lib/net.js onconnection); not public API. */
interface SocketInternals {
  _handle: { useUserBuffer?: unknown } | null;
  _server: Server | null;
  server: Server | null;
}
