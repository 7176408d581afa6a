import { HLS_SESSION_IDLE_MS, MAX_HLS_CLIENT_KEY, MAX_HLS_SESSIONS_PER_STREAM } from './limits.js';

interface StreamAudience {
  /** client key -> monotonic ms of its last media playlist request. */
  readonly sessions: Map<string, number>;
  bytesServed: number;
}

/**
 * HLS viewers of each stream, estimated: HLS has no connection per viewer, so a session is a client (address +
 * user agent) that asked for a media playlist within HLS_SESSION_IDLE_MS. Two players behind one address with
 * the same browser count once. Also sums the bytes HLS served per stream.
 */
export class HlsAudience {
  private readonly streams = new Map<string, StreamAudience>();

  /** One HLS response for `path`; `playlist`: a media playlist (the request every player repeats). */
  record(path: string, client: { ip: string; userAgent: string | undefined }, bytes: number, playlist: boolean, nowMs: number): void {
    let a = this.streams.get(path);
    if (!a) this.streams.set(path, (a = { sessions: new Map(), bytesServed: 0 }));
    a.bytesServed += bytes;
    if (!playlist) return;
    const key = `${client.ip} ${client.userAgent ?? ''}`.slice(0, MAX_HLS_CLIENT_KEY);
    if (a.sessions.has(key) || a.sessions.size < MAX_HLS_SESSIONS_PER_STREAM) {
      a.sessions.delete(key); // re-inserted last: the map stays ordered oldest-seen first
      a.sessions.set(key, nowMs);
    }
  }

  /** Sessions seen lately; expired ones are dropped (oldest first, so the scan stops at the first live one). */
  viewers(path: string, nowMs: number): number {
    const a = this.streams.get(path);
    if (!a) return 0;
    for (const [key, seen] of a.sessions) {
      if (nowMs - seen <= HLS_SESSION_IDLE_MS) break;
      a.sessions.delete(key);
    }
    return a.sessions.size;
  }

  bytesServed(path: string): number {
    return this.streams.get(path)?.bytesServed ?? 0;
  }

  /** The stream is gone from the server: its sessions and byte count go too. */
  forget(path: string): void {
    this.streams.delete(path);
  }

  paths(): IterableIterator<string> {
    return this.streams.keys();
  }
}
