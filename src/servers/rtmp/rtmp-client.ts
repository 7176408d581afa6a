import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { OnAirError } from '../../core/errors.js';
import type { AmfObject } from '../../formats/amf/index.js';
import { ClientSession, RtmpStatusError, type RtmpMessage } from '../../protocols/rtmp/index.js';
import { SocketOutput } from '../net/socket-output.js';
import { parseRtmpUrl, tlsServerName, type RtmpUrl } from './rtmp-url.js';

export { parseRtmpUrl, parseRtmpServerUrl, type RtmpUrl } from './rtmp-url.js';

export interface RtmpClientEvents {
  onMessage?(msg: RtmpMessage): void;
  onStatus?(streamId: number, info: AmfObject): void;
  /** Once, when the connection ends: `err` is why (undefined after our own close()). */
  onClose?(err?: Error): void;
}

export interface RtmpClientOptions {
  /** Digest ("complex") handshake like ffmpeg (default true); false = plain, like OBS and librtmp. */
  digest?: boolean;
  /** RTMPS: verify the server's certificate chain and host name (default true). */
  rejectUnauthorized?: boolean;
  /**
   * Deadline of each step in ms: TCP/TLS connect + handshake + `connect`, then `publish` or `play` (default
   * DEFAULT_STEP_TIMEOUT_MS). A server that accepts the socket and never answers fails with ONAIR_ERR_TIMEOUT.
   */
  timeoutMs?: number;
  /** Outgoing chunk size announced before connect (default 4096). */
  chunkSize?: number;
  /** Largest message the server may send (default 8 MiB). */
  maxMessageSize?: number;
  /** Aborts a connection in progress (or established): destroyed at once, pending steps reject. */
  signal?: AbortSignal;
}

/** 10 s per step: ffmpeg's rw_timeout is unset (infinite), OBS waits ~10 s for an ingest to answer. */
export const DEFAULT_STEP_TIMEOUT_MS = 10_000;

/** After close() the server gets this long to read our last commands before the socket is destroyed. */
const CLOSE_GRACE_MS = 1_000;

/** TCP keepalive once publishing or playing: a vanished peer shows up as an error instead of silence. */
const KEEPALIVE_MS = 30_000;

/**
 * A socket-owning RTMP client (re-push, tests, benchmarks): connect over TCP or TLS, then publish or play,
 * each step under a deadline. Every byte goes out through one SocketOutput (session commands and media
 * alike), so order is kept and `pendingBytes` is the whole queue. Media handling is the caller's.
 */
export class RtmpClient {
  readonly session: ClientSession;
  readonly socket: Socket;
  private out: SocketOutput | undefined;
  private readonly timeoutMs: number;
  private publishing: { streamId: number; name: string } | undefined;
  private closed = false;
  private rejectClosed!: (err: Error) => void;
  private readonly closedPromise: Promise<never>;

  private constructor(readonly url: RtmpUrl, private readonly events: RtmpClientEvents, opts: RtmpClientOptions) {
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_STEP_TIMEOUT_MS;
    this.closedPromise = new Promise<never>((_, reject) => (this.rejectClosed = reject));
    this.closedPromise.catch(() => {});
    this.socket = url.secure
      ? tlsConnect({ host: url.host, port: url.port, rejectUnauthorized: opts.rejectUnauthorized ?? true, servername: tlsServerName(url.host) })
      : netConnect({ host: url.host, port: url.port });
    this.socket.setNoDelay(true);
    this.session = new ClientSession(
      {
        send: (b) => this.output.write(b),
        onMessage: (m) => this.events.onMessage?.(m),
        onStatus: (sid, info) => this.onStatus(sid, info),
      },
      { app: url.app, tcUrl: url.tcUrl, digest: opts.digest, chunkSize: opts.chunkSize, maxMessageSize: opts.maxMessageSize },
    );
    this.socket.on('data', (b: Buffer) => {
      try {
        this.session.push(b);
      } catch (err) {
        this.destroy(err as Error);
      }
    });
    this.socket.on('error', (err) => this.destroy(err));
    if (opts.signal?.aborted) queueMicrotask(() => this.destroy(new OnAirError('ONAIR_ERR_CLOSED', 'aborted')));
    opts.signal?.addEventListener('abort', () => this.destroy(new OnAirError('ONAIR_ERR_CLOSED', 'aborted')), { once: true });
    this.socket.on('close', () => this.destroy(new OnAirError('ONAIR_ERR_CLOSED', 'connection closed by the server')));
  }

  /** Connects (TCP or TLS), handshakes and sends `connect`; rejects with the socket, TLS, status or timeout error. */
  static async connect(url: string | RtmpUrl, events: RtmpClientEvents = {}, opts: RtmpClientOptions = {}): Promise<RtmpClient> {
    const client = new RtmpClient(typeof url === 'string' ? parseRtmpUrl(url) : url, events, opts);
    await client.step('connect', async () => {
      await new Promise<void>((resolve) => client.socket.once(client.url.secure ? 'secureConnect' : 'connect', () => resolve()));
      client.out = new SocketOutput(client.socket);
      client.session.start();
      await client.session.connect();
    });
    return client;
  }

  /**
   * Where every byte goes. Made once the socket is connected: before that its descriptor does not exist yet, and
   * SocketOutput's direct writes need it.
   */
  get output(): SocketOutput {
    return (this.out ??= new SocketOutput(this.socket));
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Bytes accepted for sending but not yet handed to the kernel. */
  get pendingBytes(): number {
    return this.output.pendingBytes;
  }

  /** Plays the URL's stream; resolves on NetStream.Play.Start, rejects on an error status. */
  async play(name = this.url.name): Promise<number> {
    return this.step('play', async () => {
      const id = await this.session.createStream();
      const started = this.session.waitStatus(id, /^NetStream\.Play\.Start$/);
      this.session.play(id, name);
      await started;
      this.socket.setKeepAlive(true, KEEPALIVE_MS);
      return id;
    });
  }

  /**
   * Publishes as OBS and ffmpeg do (releaseStream, FCPublish, createStream, publish); resolves with the message
   * stream id on NetStream.Publish.Start, rejects with RtmpStatusError when the server refuses the name.
   */
  async publish(name = this.url.name): Promise<number> {
    return this.step('publish', async () => {
      this.session.announcePublish(name);
      const streamId = await this.session.createStream();
      const started = this.session.waitStatus(streamId, /^NetStream\.Publish\.Start$/);
      this.session.publish(streamId, name);
      await started;
      this.publishing = { streamId, name };
      this.socket.setKeepAlive(true, KEEPALIVE_MS);
      return streamId;
    });
  }

  /** Ends politely: FCUnpublish + deleteStream when publishing, then FIN; destroyed if the server lingers. Idempotent. */
  close(): void {
    if (this.closed) return;
    if (this.publishing) this.session.unpublish(this.publishing.streamId, this.publishing.name);
    this.finish(undefined);
    this.socket.end();
    setTimeout(() => this.socket.destroy(), CLOSE_GRACE_MS).unref();
  }

  /** Ends at once (error or abort). Idempotent. */
  destroy(err?: Error): void {
    if (this.closed) return;
    this.finish(err);
    this.socket.destroy();
  }

  /** Runs one step under the deadline; any failure destroys the connection and is rethrown. */
  private async step<T>(what: string, work: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new OnAirError('ONAIR_ERR_TIMEOUT', `${what}: no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
    });
    try {
      return await Promise.race([work(), deadline, this.closedPromise]);
    } catch (err) {
      this.destroy(err as Error);
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  private onStatus(streamId: number, info: AmfObject): void {
    this.events.onStatus?.(streamId, info);
    // A server that turns against a live publish (an ingest refusing mid-stream) says so with an error status.
    if (this.publishing && info.level === 'error') this.destroy(RtmpStatusError.from(info, 'NetStream.Failed'));
  }

  private finish(err: Error | undefined): void {
    this.closed = true;
    const reason = err ?? new OnAirError('ONAIR_ERR_CLOSED', 'closed');
    this.session.close(reason);
    this.rejectClosed(reason);
    this.events.onClose?.(err);
  }
}
