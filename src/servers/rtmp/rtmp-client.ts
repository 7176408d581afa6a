import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { OnAirError } from '../../core/errors.js';
import type { AmfObject } from '../../formats/amf/index.js';
import { ClientSession, type RtmpMessage } from '../../protocols/rtmp/index.js';

export interface RtmpUrl {
  secure: boolean;
  host: string;
  port: number;
  app: string;
  name: string;
  tcUrl: string;
}

/** Splits rtmp(s)://host[:port]/app[/more]/name like ffmpeg: the last segment is the stream name. */
export function parseRtmpUrl(url: string): RtmpUrl {
  const u = new URL(url);
  const secure = u.protocol === 'rtmps:';
  if (!secure && u.protocol !== 'rtmp:') throw new OnAirError('ONAIR_ERR_CONFIG', `not an rtmp url: ${u.protocol}`);
  const parts = u.pathname.replace(/^\//, '').split('/');
  const name = parts.pop() ?? '';
  const app = parts.join('/');
  const port = u.port ? Number(u.port) : secure ? 443 : 1935;
  return { secure, host: u.hostname, port, app, name: name + u.search, tcUrl: `${u.protocol}//${u.hostname}:${port}/${app}` };
}

export interface RtmpClientEvents {
  onMessage?(msg: RtmpMessage): void;
  onStatus?(streamId: number, info: AmfObject): void;
  onClose?(err?: Error): void;
}

/**
 * A socket-owning RTMP client for tests, benchmarks and re-push: connect, then play or publish. Media
 * handling is the caller's (events.onMessage).
 */
export class RtmpClient {
  readonly session: ClientSession;
  readonly socket: Socket;
  private readonly statusWaiters: { code: RegExp; resolve(info: AmfObject): void; reject(err: Error): void }[] = [];
  private closed = false;

  private constructor(readonly url: RtmpUrl, private readonly events: RtmpClientEvents, opts: { digest?: boolean; rejectUnauthorized?: boolean }) {
    this.socket = url.secure
      ? tlsConnect({ host: url.host, port: url.port, rejectUnauthorized: opts.rejectUnauthorized ?? true, servername: url.host })
      : netConnect({ host: url.host, port: url.port });
    this.socket.setNoDelay(true);
    this.session = new ClientSession(
      {
        send: (b) => { if (!this.socket.destroyed) this.socket.write(b); },
        onMessage: (m) => this.events.onMessage?.(m),
        onStatus: (sid, info) => this.onStatus(sid, info),
      },
      { app: url.app, tcUrl: url.tcUrl, digest: opts.digest },
    );
    this.socket.on('data', (b: Buffer) => {
      try {
        this.session.push(b);
      } catch (err) {
        this.destroy(err as Error);
      }
    });
    this.socket.on('error', (err) => this.destroy(err));
    this.socket.on('close', () => this.destroy(new OnAirError('ONAIR_ERR_CLOSED', 'connection closed')));
  }

  /** Connects, handshakes and sends `connect`. */
  static async connect(url: string, events: RtmpClientEvents = {}, opts: { digest?: boolean; rejectUnauthorized?: boolean } = {}): Promise<RtmpClient> {
    const client = new RtmpClient(parseRtmpUrl(url), events, opts);
    await new Promise<void>((resolve, reject) => {
      client.socket.once(client.url.secure ? 'secureConnect' : 'connect', () => resolve());
      client.socket.once('error', reject);
    });
    client.session.start();
    await client.session.connect();
    return client;
  }

  /** Plays the URL's stream; resolves on NetStream.Play.Start, rejects on an error status. */
  async play(name = this.url.name): Promise<number> {
    const id = await this.session.createStream();
    const started = this.waitStatus(/^NetStream\.Play\.Start$/);
    this.session.play(id, name);
    await started;
    return id;
  }

  /** Publishes; resolves on NetStream.Publish.Start, rejects on an error status. */
  async publish(name = this.url.name): Promise<number> {
    const streamId = await this.session.createStream();
    const started = this.waitStatus(/^NetStream\.Publish\.Start$/);
    this.session.publish(streamId, name);
    await started;
    return streamId;
  }

  waitStatus(code: RegExp): Promise<AmfObject> {
    return new Promise((resolve, reject) => this.statusWaiters.push({ code, resolve, reject }));
  }

  private onStatus(streamId: number, info: AmfObject): void {
    this.events.onStatus?.(streamId, info);
    const code = String(info.code ?? '');
    for (const w of [...this.statusWaiters]) {
      if (w.code.test(code)) {
        this.statusWaiters.splice(this.statusWaiters.indexOf(w), 1);
        w.resolve(info);
      } else if (info.level === 'error') {
        this.statusWaiters.splice(this.statusWaiters.indexOf(w), 1);
        w.reject(new OnAirError('ONAIR_ERR_UNAUTHORIZED', `${code}: ${String(info.description ?? '')}`));
      }
    }
  }

  destroy(err?: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.session.fail(err ?? new OnAirError('ONAIR_ERR_CLOSED', 'closed'));
    for (const w of this.statusWaiters.splice(0)) w.reject(err ?? new OnAirError('ONAIR_ERR_CLOSED', 'closed'));
    this.socket.destroy();
    this.events.onClose?.(err);
  }
}
