import { writeSync, writevSync } from 'node:fs';
import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';

/**
 * Writes to a TCP socket with one write(2) on its descriptor when nothing is queued, and through
 * `socket.write` otherwise.
 *
 * Why: fan-out writes the same shared buffer to every player once per video frame (6000 writes a second at 200
 * players), and `socket.write` costs far more than the system call: the Writable state machine, a native
 * write request object per call, and a nextTick for its completion. A synchronous write on the non-blocking
 * descriptor has none of that. Ordering is kept by going direct only while the socket has nothing queued; when
 * the kernel buffer is full (a slow player) the rest goes to `socket.write`, which queues it and keeps
 * `writableLength` (the hub's byte budget) and every error path as they are.
 *
 * Plain TCP only: a TLS socket's bytes must pass through its cipher, so it always uses `socket.write`.
 */
export class SocketOutput {
  /** The descriptor while direct writes are possible; -1 for TLS or a handle without one. */
  private readonly fd: number;
  private readonly handle: unknown;

  constructor(private readonly socket: Socket) {
    const handle = (socket as unknown as { _handle: { fd?: unknown } | null })._handle;
    const fd = handle?.fd;
    this.fd = !(socket instanceof TLSSocket) && typeof fd === 'number' && fd >= 0 ? fd : -1;
    this.handle = handle;
  }

  /** Bytes accepted but not yet handed to the kernel. */
  get pendingBytes(): number {
    return this.socket.writableLength;
  }

  /** True once nothing more can be written (destroyed or ended). */
  get closed(): boolean {
    return this.socket.destroyed || !this.socket.writable;
  }

  write(bytes: Buffer): void {
    let written = 0;
    if (this.canWriteDirect()) {
      try {
        written = writeSync(this.fd, bytes, 0, bytes.length);
      } catch {
        // EAGAIN (kernel buffer full) or a dead peer: socket.write queues the bytes or reports the error.
      }
      if (written === bytes.length) return;
    } else if (this.closed) return;
    this.socket.write(written === 0 ? bytes : bytes.subarray(written));
  }

  /** Writes `parts` in order, as one writev(2) when nothing is queued. */
  writev(parts: readonly Buffer[]): void {
    let written = 0;
    if (this.canWriteDirect()) {
      try {
        written = writevSync(this.fd, parts as Buffer[]);
      } catch {
        // As in write: the socket takes it from here.
      }
    } else if (this.closed) return;
    this.socket.cork();
    for (const part of parts) {
      if (written >= part.length) written -= part.length;
      else {
        this.socket.write(written === 0 ? part : part.subarray(written));
        written = 0;
      }
    }
    this.socket.uncork();
  }

  /** Cheap on the hot path: a destroyed socket has dropped its handle, so no `destroyed`/`writable` getters. */
  private canWriteDirect(): boolean {
    // The handle check matters: a destroyed socket's descriptor number may already belong to another connection.
    const s = this.socket as unknown as { _handle: unknown };
    return this.fd >= 0 && s._handle === this.handle && this.socket.writableLength === 0 && !this.socket.writableEnded;
  }
}
