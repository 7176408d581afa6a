import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { SharedReadBuffer } from '../../net/shared-read-buffer.js';
import { LEAN_HEAD_TIMEOUT_MS, LEAN_SEND_STALL_MS, MAX_LEAN_HEAD_BYTES } from './limits.js';
import { type LeanHeaderList, type PreparedAnswer, renderHead, utcDate } from './prepared-answer.js';
import { type LeanHead, type LeanHeaders, RequestHeadReader } from './request-head.js';

/** A request the lean front answers: what the playback handlers read of Node's IncomingMessage. */
export interface LeanRequest {
  readonly method: 'GET' | 'HEAD';
  readonly url: string;
  readonly headers: LeanHeaders;
  readonly socket: { readonly remoteAddress?: string | undefined };
}

export type { LeanHeaderList };

export type LeanHandler = (req: LeanRequest, res: LeanResponse) => void;

/** What a mounted front counts (a plain sum the metrics read at scrape time). */
export interface LeanFrontStats {
  /** Requests the front answered itself (not the ones handed to node:http). */
  requests: number;
}

/**
 * A lean HTTP/1.1 front on a Node HTTP server's port, below node:http itself: connections are taken from the
 * server's 'connection' event, request heads are parsed here (request-head.ts) and those `accepts` wants (GET/HEAD
 * of the busiest playback routes) are answered by `handle` on the socket directly: no IncomingMessage, no
 * ServerResponse, no stream machinery per request. The first request it does not take (another path, a body, a
 * malformed or unusual head) hands the connection, with every byte read so far, to the server's own connection
 * listener: Node answers it and keeps the connection from then on, exactly as without this front.
 * bench/hls-viewers.ts `--bare-net` measured the gain at 500 segment viewers (see README, "HLS serving cost").
 * Keep-alive as Node does it (`server.keepAliveTimeout` between requests, `Keep-Alive: timeout=` announced);
 * pipelined requests are answered in order, one at a time; a slow reader stops the parsing until it drains.
 * Connections are read into one shared buffer (SharedReadBuffer, as the RTMP server does: `onread`, no Buffer, no
 * Readable machinery and no 'data' event per read; each LL-HLS viewer sends about ten requests a second), so the
 * server is set to pause sockets on connect; what a connection keeps between reads (part of a head, pipelined
 * requests) is copied out. Call before `listen`. Plain HTTP only (a TLS server's connection event carries the
 * encrypted socket).
 */
export function mountLeanFront(
  server: Server, accepts: (head: LeanHead) => boolean, handle: LeanHandler, options: { readonly sendStallMs?: number } = {},
): LeanFrontStats {
  const nodeListeners = server.listeners('connection') as ((socket: Socket) => void)[];
  server.removeAllListeners('connection');
  const idle = new Set<Socket>();
  const stats: LeanFrontStats = { requests: 0 };
  const front: Front = { server, nodeListeners, idle, accepts, handle, stats, reads: new SharedReadBuffer(), sendStallMs: options.sendStallMs ?? LEAN_SEND_STALL_MS };
  // Nothing is read before a socket is adopted by the shared buffer (net.Server reads this flag per connection).
  (server as unknown as { pauseOnConnect: boolean }).pauseOnConnect = true;
  server.on('connection', (accepted: Socket) => {
    const holder: { conn?: LeanConnection } = {};
    const adopted = front.reads.adopt(accepted, server, (bytes) => holder.conn!.onBytes(bytes));
    const conn = (holder.conn = new LeanConnection(adopted ?? accepted, front, adopted !== null));
    conn.start();
    // This Node cannot move the handle: 'data' events on the accepted socket, paused by pauseOnConnect until now.
    if (!adopted) accepted.resume();
  });
  // Node's close() ends its own idle keep-alive connections; the lean front's are not in its list.
  const closeIdle = server.closeIdleConnections.bind(server);
  server.closeIdleConnections = () => {
    closeIdle();
    for (const s of idle) s.destroy();
    idle.clear();
  };
  const closeAll = server.closeAllConnections.bind(server);
  server.closeAllConnections = () => {
    closeAll();
    for (const s of front.open ?? []) s.destroy();
  };
  front.open = new Set();
  return stats;
}

interface Front {
  readonly server: Server;
  readonly nodeListeners: readonly ((socket: Socket) => void)[];
  /** Lean connections between requests (closed by closeIdleConnections). */
  readonly idle: Set<Socket>;
  /** Every lean connection (closed by closeAllConnections). */
  open?: Set<Socket>;
  readonly accepts: (head: LeanHead) => boolean;
  readonly handle: LeanHandler;
  readonly stats: LeanFrontStats;
  readonly reads: SharedReadBuffer;
  /** An answer not read at all for this long closes the connection (LEAN_SEND_STALL_MS). */
  readonly sendStallMs: number;
}

class LeanConnection {
  private readonly reader = new RequestHeadReader();
  /** A response is being answered (possibly waiting: a blocking playlist reload, a held part). */
  private busy = false;
  private pumping = false;
  /** When the incomplete head held by the reader started (0: none). */
  private headStartedAt = 0;
  /** The client sent FIN (Node's HTTP server is half-open): the connection ends once what it sent is answered. */
  private clientEnded = false;
  /** The peer's address, read once per connection (every request's play decision and log line asks for it). */
  private peer: { readonly remoteAddress?: string | undefined } = {};
  /** Node's HTTP server has the connection (handOff): nothing here parses or answers on it any more. */
  private handedOff = false;
  /** A stall of the answer being written: when it started and when its last timer period ended (0: none). */
  private stalledSince = 0;
  private lastStallAt = 0;
  /**
   * The request parked on this connection (a blocking reload, a held part), as the waiters tell it (ParkingClient of
   * protocols/hls/blocking-reload.ts): released when the client leaves, so its slot is free at once. One request at a
   * time is answered here, so one at most.
   */
  private waiting: { release(): void } | undefined = undefined;

  constructor(
    readonly socket: Socket,
    private readonly front: Front,
    /** Reads arrive as views of the front's shared buffer (onBytes), valid only during the call. */
    private readonly sharedReads: boolean,
  ) {}

  start(): void {
    const { socket, front } = this;
    front.open?.add(socket);
    front.idle.add(socket);
    this.peer = { remoteAddress: socket.remoteAddress };
    if (!this.sharedReads) socket.on('data', this.onData);
    socket.on('error', this.onError);
    socket.on('close', this.onClose);
    socket.on('timeout', this.onTimeout);
    socket.on('end', this.onEnd);
    if (front.server.keepAliveTimeout > 0) socket.setTimeout(front.server.keepAliveTimeout);
  }

  parked(wait: { release(): void }): void {
    this.waiting = wait;
  }

  unparked(wait: { release(): void }): void {
    if (this.waiting === wait) this.waiting = undefined;
  }

  /** The response in progress ended: answer the next pipelined request, if any. */
  responseDone(): void {
    this.busy = false;
    if (this.socket.destroyed || this.handedOff) return;
    if (!this.front.server.listening) return void this.socket.end(); // closing: no further request on this connection
    this.front.idle.add(this.socket);
    if (this.pumping) return;
    if (this.socket.writableNeedDrain) {
      // Not reading meanwhile (Node's rule too): a client that sends and never reads would queue answers without bound.
      this.socket.pause();
      this.socket.once('drain', () => this.resume());
      return;
    }
    this.resume();
  }

  get keepAliveSeconds(): number {
    return Math.floor(this.front.server.keepAliveTimeout / 1000);
  }

  private resume(): void {
    this.pump(undefined);
    if (!this.busy && !this.socket.destroyed && this.socket.isPaused()) this.socket.resume();
  }

  /**
   * A read into the shared buffer: handled at once; what the reader keeps of it is copied before the next read.
   * Once Node has the connection its HTTP parser reads the socket itself, until it lets go of it (an upgrade, a
   * 'data' listener): the reads come here again and are the socket's data, as they would be without the front.
   */
  onBytes(bytes: Buffer): boolean {
    if (this.handedOff) return this.socket.push(Buffer.from(bytes));
    this.onData(bytes);
    const held = this.reader.held();
    if (held && this.front.reads.owns(held)) this.reader.replaceHeld(Buffer.from(held));
    return true;
  }

  private readonly onData = (data: Buffer): void => {
    if (this.busy) {
      // Pipelined while an answer waits: kept and parsed after it; past a head's worth, reading stops until then.
      this.reader.hold(data);
      if ((this.reader.held()?.length ?? 0) > MAX_LEAN_HEAD_BYTES) this.socket.pause();
      return;
    }
    this.pump(data);
  };

  private pump(data: Buffer | undefined): void {
    this.pumping = true;
    try {
      let input = data;
      while (!this.busy && !this.socket.destroyed && !this.handedOff) {
        const step = this.reader.next(input);
        input = undefined;
        if (step === 'more') {
          if (this.clientEnded) return void this.socket.end();
          this.checkHeadTime();
          return;
        }
        if (step === 'not-mine') return this.handOff(this.reader.held());
        if (!this.front.accepts(step.head)) return this.handOff(step.bytes);
        this.headStartedAt = 0;
        this.busy = true;
        this.front.idle.delete(this.socket);
        const res = new LeanResponse(this);
        this.front.stats.requests++;
        this.front.handle({ method: step.head.method, url: step.head.url, headers: step.head.headers, socket: this.peer }, res);
        if (!this.busy && this.socket.writableNeedDrain) {
          this.pumping = false;
          this.socket.pause();
          this.socket.once('drain', () => this.resume());
          return;
        }
      }
    } finally {
      this.pumping = false;
    }
  }

  private checkHeadTime(): void {
    if (!this.reader.held()) return void (this.headStartedAt = 0);
    const now = Date.now();
    if (this.headStartedAt === 0) this.headStartedAt = now;
    else if (now - this.headStartedAt > LEAN_HEAD_TIMEOUT_MS) this.socket.destroy();
  }

  /** Node's HTTP server takes the connection from here on, starting with `bytes` (unparsed or refused here). */
  private handOff(bytes: Buffer | undefined): void {
    const { socket, front } = this;
    // A 'drain' or read waited for here must not parse these bytes again: they are Node's now.
    this.handedOff = true;
    this.reader.clear();
    if (!this.sharedReads) socket.removeListener('data', this.onData);
    socket.removeListener('error', this.onError);
    socket.removeListener('close', this.onClose);
    socket.removeListener('timeout', this.onTimeout);
    socket.removeListener('end', this.onEnd);
    socket.setTimeout(0);
    this.onClose();
    socket.pause();
    // Node reads them after this returns: a view of the shared buffer would be overwritten by then.
    if (bytes && bytes.length) socket.unshift(this.sharedReads ? Buffer.from(bytes) : bytes);
    for (const listener of front.nodeListeners) listener.call(front.server, socket);
    socket.resume();
  }

  private readonly onError = (): void => {
    this.socket.destroy();
  };

  private readonly onClose = (): void => {
    this.front.idle.delete(this.socket);
    this.front.open?.delete(this.socket);
    this.waiting?.release();
  };

  private readonly onEnd = (): void => {
    // A client that leaves while its request is parked (FIN: a player closing the connection) is not waited for:
    // node:http does the same to any request in progress (httpAllowHalfOpen off: the request is aborted).
    if (this.waiting) return void this.socket.destroy();
    this.clientEnded = true;
    if (!this.busy && !this.pumping) this.pump(undefined);
  };

  private readonly onTimeout = (): void => {
    // Idle between requests past keepAliveTimeout (Node's rule); a waiting answer is bounded by its own timer, and
    // one still being written to a slow reader is not idle (Node arms the keep-alive timer once an answer is flushed;
    // the socket's timer starts again when the write completes).
    if (this.socket.writableLength === 0) {
      this.stalledSince = 0;
      if (!this.busy) this.socket.destroy();
      return;
    }
    // 'timeout' comes only after a whole period in which the write made no progress; consecutive ones are one stall.
    const period = this.front.server.keepAliveTimeout;
    const now = performance.now();
    if (this.stalledSince === 0 || now - this.lastStallAt > period * 1.5) this.stalledSince = now - period;
    this.lastStallAt = now;
    if (now - this.stalledSince >= this.front.sendStallMs) return void this.socket.destroy();
    this.socket.setTimeout(period);
  };
}

/**
 * The response of one lean request, with the part of ServerResponse the playback handlers use: status line and
 * headers rendered as Node renders them (the given headers in order, then Date, Connection and Keep-Alive) and
 * written with the body in one corked write (one writev). Bodies are written as given, never copied.
 */
export class LeanResponse {
  headersSent = false;
  writableEnded = false;
  private head = '';

  constructor(private readonly conn: LeanConnection) {}

  get destroyed(): boolean {
    return this.conn.socket.destroyed;
  }

  /** The connection, where a waiting request is parked (ParkingClient of protocols/hls/blocking-reload.ts). */
  get parking(): { parked(wait: { release(): void }): void; unparked(wait: { release(): void }): void } {
    return this.conn;
  }

  writeHead(status: number, headers: LeanHeaderList): this {
    this.head = renderHead(status, headers, utcDate(), this.conn.keepAliveSeconds);
    this.headersSent = true;
    return this;
  }

  /**
   * The whole answer, head and body, as prepared once for every request that gets the same bytes (an answer of
   * its own making: nothing written before it): one write of one Buffer.
   */
  endPrepared(answer: PreparedAnswer): this {
    if (this.writableEnded) return this;
    const { socket } = this.conn;
    this.headersSent = true;
    this.writableEnded = true;
    socket.write(answer.wire(this.conn.keepAliveSeconds));
    while (socket.writableCorked > 0) socket.uncork();
    this.conn.responseDone();
    return this;
  }

  cork(): void {
    this.conn.socket.cork();
  }

  write(chunk: Buffer): boolean {
    if (!this.head) return this.conn.socket.write(chunk);
    // Head and first chunk in one writev (a forwarded answer's body arrives in chunks, hls-proxy.ts).
    const { socket } = this.conn;
    socket.cork();
    this.flushHead();
    const ok = socket.write(chunk);
    socket.uncork();
    return ok;
  }

  /** The socket's events: it is the connection's, so a listener is removed once its request is answered. */
  once(event: 'drain' | 'close', listener: () => void): this {
    this.conn.socket.once(event, listener);
    return this;
  }

  removeListener(event: 'drain' | 'close', listener: () => void): this {
    this.conn.socket.removeListener(event, listener);
    return this;
  }

  end(body?: Buffer): this {
    if (this.writableEnded) return this;
    const { socket } = this.conn;
    socket.cork();
    this.flushHead();
    if (body && body.length) socket.write(body);
    this.writableEnded = true;
    // Uncorked at once, the caller's cork() too: status line, headers and body leave in one writev.
    while (socket.writableCorked > 0) socket.uncork();
    this.conn.responseDone();
    return this;
  }

  destroy(): void {
    this.conn.socket.destroy();
  }

  private flushHead(): void {
    if (!this.head) return;
    this.conn.socket.write(this.head, 'latin1');
    this.head = '';
  }
}
