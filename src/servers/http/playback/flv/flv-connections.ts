import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import { NO_FRAMING, type FlvByteTarget } from '../../../../bridges/flv/index.js';
import { SocketOutput } from '../../../net/socket-output.js';
import { FLV_CLOSE_LINGER_MS, WS_CLOSE_REASON_MAX } from './limits.js';
import { HTTP_CHUNK_FRAMING, WS_BINARY_FRAMING } from './unit-framings.js';

/** An FLV byte target the server can end. */
export interface FlvConnection extends FlvByteTarget {
  /**
   * Ends the stream after what is queued; a viewer that does not take it within FLV_CLOSE_LINGER_MS is
   * cut off. `shutdown` says the server is going away (WebSocket 1001 rather than 1000).
   */
  end(reason: string, shutdown: boolean): void;
}

/**
 * HTTP-FLV after the response head went out (`res.flushHeaders()`). The body bypasses the response's own write
 * path: each batch arrives framed (one HTTP/1.1 chunk whose chunk header is shared by the viewer's cohort, or
 * nothing for a close-delimited HTTP/1.0 body) and goes to the socket in one write(2) (SocketOutput), as RTMP
 * players' bytes do. `res.end()` still writes the last chunk, after whatever the socket holds.
 */
export function httpFlvConnection(res: ServerResponse, socket: Socket): FlvConnection {
  const output = new SocketOutput(socket);
  return {
    framing: res.chunkedEncoding ? HTTP_CHUNK_FRAMING : NO_FRAMING,
    get pendingBytes() {
      return socket.writableLength;
    },
    write(parts) {
      // SocketOutput drops bytes once the socket is closed; after res.end() nothing more belongs in the body.
      if (!res.writableEnded) output.writev(parts);
    },
    writeOne(bytes) {
      if (!res.writableEnded) output.write(bytes);
    },
    end() {
      if (res.destroyed) return;
      if (!res.writableEnded) res.end();
      lingerThenDestroy(res, () => res.destroy());
    },
  };
}

/**
 * WS-FLV after the upgrade: each batch is one binary message, framed once per cohort (WS_BINARY_FRAMING) and
 * written to the upgraded socket like HTTP-FLV's. The ws library still owns the connection (close, ping/pong); its
 * own writes go through `socket.write`, and a direct write only happens while the socket holds nothing, so frames
 * never interleave. `bufferedAmount` counts the socket's buffer and ws's own queue.
 */
export function wsFlvConnection(ws: WebSocket, socket: Socket): FlvConnection {
  const output = new SocketOutput(socket);
  return {
    framing: WS_BINARY_FRAMING,
    get pendingBytes() {
      return ws.bufferedAmount;
    },
    write(parts) {
      if (ws.readyState === ws.OPEN) output.writev(parts);
    },
    writeOne(bytes) {
      if (ws.readyState === ws.OPEN) output.write(bytes);
    },
    end(reason, shutdown) {
      if (ws.readyState === ws.CLOSED) return;
      ws.close(shutdown ? 1001 : 1000, truncateReason(reason));
      lingerThenDestroy(ws, () => ws.terminate());
    },
  };
}

function lingerThenDestroy(emitter: { once(event: 'close', fn: () => void): unknown }, destroy: () => void): void {
  const timer = setTimeout(destroy, FLV_CLOSE_LINGER_MS);
  timer.unref();
  emitter.once('close', () => clearTimeout(timer));
}

/** Close reasons are ours, but keep them printable ASCII so the byte cap is a character cap. */
function truncateReason(reason: string): string {
  return reason.replace(/[^\x20-\x7e]/g, '?').slice(0, WS_CLOSE_REASON_MAX);
}
