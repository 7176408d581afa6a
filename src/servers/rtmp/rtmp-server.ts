import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TlsOptions } from 'node:tls';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../core/logger.js';
import type { StreamHub } from '../../hub/index.js';
import { SharedChunks } from '../../bridges/rtmp/shared-chunks.js';
import { FlushScheduler } from '../../core/flush-scheduler.js';
import { SharedReadBuffer } from '../net/shared-read-buffer.js';
import { ReadPacer } from '../net/read-pacer.js';
import { RtmpConnection } from './rtmp-connection.js';
import type { RtmpAuth } from '../auth-port.js';
import type { EdgePort } from '../edge-port.js';

export interface RtmpServerOptions {
  host: string;
  port: number;
  /** When set, an RTMPS listener on tlsPort with these credentials. */
  tls?: { port: number; options: TlsOptions };
  maxMessageSize: number;
  chunkSize: number;
  handshakeTimeoutMs: number;
  idleTimeoutMs: number;
  maxConnections: number;
  tcpNodelay: boolean;
  /** Longest merged-read hold of a publisher's socket (ReadPacer); 0 reads every arrival at once. */
  mergedReadMaxMs: number;
}

/**
 * The RTMP and RTMPS listeners. After TLS the code path is the same: both hand sockets to RtmpConnection.
 */
export class RtmpServer {
  private readonly connections = new Set<RtmpConnection>();
  private readonly servers: Server[] = [];
  /** One serialisation per packet and one write round for every RTMP output of the server (players, re-push). */
  readonly shared: SharedChunks;
  readonly flusher: FlushScheduler;
  private readonly readBuffer = new SharedReadBuffer();
  private readonly pacer: ReadPacer;
  private nextId = 1;
  private closing = false;

  constructor(
    private readonly options: RtmpServerOptions,
    private readonly hub: StreamHub,
    private readonly auth: RtmpAuth,
    private readonly log: Logger,
    /** Pulls a stream with no publisher here from its owner for a player (edges, workers). */
    private readonly edge?: EdgePort,
  ) {
    this.shared = new SharedChunks(options.chunkSize);
    this.flusher = new FlushScheduler(undefined, () => this.shared.endRound());
    this.pacer = new ReadPacer(options.mergedReadMaxMs);
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /** Starts listening; resolves with the bound ports (useful with port 0). */
  async listen(): Promise<{ rtmp: number; rtmps?: number }> {
    // Plain TCP reads into one shared buffer (SharedReadBuffer), which needs the socket paused until adopted.
    const plain = createServer({ pauseOnConnect: true }, (s) => this.accept(s, 'rtmp', plain));
    const rtmp = await this.bind(plain, this.options.port);
    let rtmps: number | undefined;
    if (this.options.tls) {
      const secure = createTlsServer(this.options.tls.options, (s) => this.accept(s, 'rtmps', null));
      // A failed TLS handshake never reaches accept(): log it without the peer's bytes.
      secure.on('tlsClientError', (err, s) => this.log.warn({ remote: s.remoteAddress, reason: err.message }, 'rtmps tls handshake failed'));
      rtmps = await this.bind(secure, this.options.tls.port);
    }
    return { rtmp, rtmps };
  }

  /**
   * A loopback listener of this process alone (exclusive: not shared with other workers through the primary):
   * internal pulls from the other workers reach this worker's streams there. Resolves with the port.
   */
  async listenInternal(host = '127.0.0.1'): Promise<number> {
    const plain = createServer({ pauseOnConnect: true }, (s) => this.accept(s, 'rtmp', plain));
    this.servers.push(plain);
    return new Promise((resolve, reject) => {
      plain.once('error', reject);
      plain.listen({ port: 0, host, exclusive: true }, () => {
        plain.off('error', reject);
        resolve((plain.address() as AddressInfo).port);
      });
    });
  }

  private bind(server: Server, port: number): Promise<number> {
    this.servers.push(server);
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.options.host, () => {
        server.off('error', reject);
        resolve((server.address() as AddressInfo).port);
      });
    });
  }

  /** `plain`: the TCP server of a paused plain socket, to adopt it into the shared read buffer; null for TLS. */
  private accept(accepted: Socket, protocol: 'rtmp' | 'rtmps', plain: Server | null): void {
    if (this.closing || this.connections.size >= this.options.maxConnections) {
      this.log.warn({ remote: accepted.remoteAddress, connections: this.connections.size }, 'connection refused: limit reached');
      accepted.destroy();
      return;
    }
    // Reads start on a later event-loop turn, when `conn` exists. A publisher's drained socket may wait for
    // more input as long as its stream's consumers tolerate (merged reads, ReadPacer).
    // A read that follows a full one (the socket not drained) continues it: libuv reads again at once while reads
    // come back full, so those bytes were waiting together and arrived with the first (RtmpConnection.receive).
    let continued = false;
    const adopted = plain
      ? this.readBuffer.adopt(accepted, plain, (b, drained): boolean => {
        conn.receive(b, continued);
        continued = !drained;
        return drained ? this.pacer.afterDrainingRead(socket, conn.inputToleranceMs) : true;
      })
      : null;
    const socket: Socket = adopted ?? accepted;
    const conn = new RtmpConnection(this.nextId++, socket, {
      hub: this.hub, auth: this.auth, edge: this.edge, shared: this.shared, flusher: this.flusher, log: this.log, protocol,
      maxMessageSize: this.options.maxMessageSize, chunkSize: this.options.chunkSize,
      handshakeTimeoutMs: this.options.handshakeTimeoutMs, idleTimeoutMs: this.options.idleTimeoutMs, tcpNodelay: this.options.tcpNodelay,
      inputIsReused: adopted !== null,
      onClosed: (c) => this.connections.delete(c),
    });
    if (!adopted) {
      socket.on('data', (b: Buffer) => conn.receive(b));
      socket.resume();
    }
    this.connections.add(conn);
  }

  /** Stops accepting, tells every peer the stream ended, and waits (bounded) for sockets to go. */
  async close(reason = 'server shutting down'): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.pacer.close();
    const closed = Promise.all(this.servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
    for (const c of [...this.connections]) c.gracefulClose(reason);
    await Promise.race([closed, new Promise((r) => setTimeout(r, 2_000).unref())]);
  }
}
