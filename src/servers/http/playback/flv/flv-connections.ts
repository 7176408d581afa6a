import type { ServerResponse } from 'node:http';
import type { WebSocket } from 'ws';
import type { FlvByteTarget } from '../../../../bridges/flv/index.js';
import { FLV_CLOSE_LINGER_MS, WS_CLOSE_REASON_MAX } from './limits.js';

/** An FLV byte target the server can end. */
export interface FlvConnection extends FlvByteTarget {
  /**
   * Ends the stream after what is queued; a viewer that does not take it within FLV_CLOSE_LINGER_MS is
   * cut off. `shutdown` says the server is going away (WebSocket 1001 rather than 1000).
   */
  end(reason: string, shutdown: boolean): void;
}

/**
 * HTTP-FLV: a chunked response. cork/uncork makes each tag one HTTP chunk with one writev, and
 * `writableLength` counts both the response's and its socket's buffers.
 */
export function httpFlvConnection(res: ServerResponse): FlvConnection {
  return {
    get pendingBytes() {
      return res.writableLength;
    },
    write(parts) {
      if (res.writableEnded || res.destroyed) return;
      res.cork();
      for (const p of parts) res.write(p);
      res.uncork();
    },
    end() {
      if (res.destroyed) return;
      if (!res.writableEnded) res.end();
      lingerThenDestroy(res, () => res.destroy());
    },
  };
}

/**
 * WS-FLV: binary frames. Each tag goes out as one message in fragments (header, shared body parts,
 * trailer), so the shared buffers are framed without being copied; mpegts.js accepts any split anyway.
 */
export function wsFlvConnection(ws: WebSocket): FlvConnection {
  return {
    get pendingBytes() {
      return ws.bufferedAmount;
    },
    write(parts) {
      if (ws.readyState !== ws.OPEN) return;
      const last = parts.length - 1;
      parts.forEach((p, i) => ws.send(p, { binary: true, fin: i === last }));
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
