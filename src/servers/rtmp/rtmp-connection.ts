import type { Socket } from 'node:net';
import { isOnAirError, OnAirError, type ErrorCode } from '../../core/errors.js';
import { redactName, type Logger } from '../../core/logger.js';
import type { AmfObject } from '../../formats/amf/index.js';
import type { StreamHub, Subscription } from '../../hub/index.js';
import { ServerSession, Status, type PlayRequest, type PublishRequest, type RtmpMessage } from '../../protocols/rtmp/index.js';
import { RtmpIngest } from '../../bridges/rtmp/rtmp-ingest.js';
import { RtmpPlaySink } from '../../bridges/rtmp/rtmp-play-sink.js';
import type { SharedChunks } from '../../bridges/rtmp/shared-chunks.js';
import type { FlushScheduler } from '../../core/flush-scheduler.js';
import type { RtmpAuth } from '../auth-port.js';
import type { EdgePort } from '../edge-port.js';
import { PULL_SUBSCRIBER_PROTOCOL } from '../../services/edge/index.js';
import { SocketOutput } from '../net/socket-output.js';

export interface RtmpConnectionDeps {
  hub: StreamHub;
  auth: RtmpAuth;
  /** Pulls a stream that has no publisher here from its owner (edges, workers); absent = no pulls. */
  edge?: EdgePort;
  shared: SharedChunks;
  flusher: FlushScheduler;
  log: Logger;
  protocol: 'rtmp' | 'rtmps';
  maxMessageSize: number;
  chunkSize: number;
  handshakeTimeoutMs: number;
  idleTimeoutMs: number;
  tcpNodelay: boolean;
  /** The owner feeds `receive` from one buffer it reuses after each call (SharedReadBuffer): keep nothing of it. */
  inputIsReused: boolean;
  /** Callbacks for publish lifecycle bookkeeping (sessions, webhooks); optional. */
  onClosed(conn: RtmpConnection): void;
}

/** TCP keepalive probe delay for players once their idle timer is off. */
const PLAYER_KEEPALIVE_MS = 30_000;

/** Grace period for a peer to read our final status before the socket is destroyed. */
const CLOSE_GRACE_MS = 1_000;

/**
 * One RTMP client: the socket, its sans-IO session, deadlines, and the publish/play bridges into the hub.
 * Everything it owns (timers, publisher, subscriptions) ends in `close`, which is idempotent.
 */
export class RtmpConnection {
  private readonly session: ServerSession;
  private readonly publishers = new Map<number, RtmpIngest>();
  private readonly players = new Map<number, { sub: Subscription; sink: RtmpPlaySink; path: string; startedMs: number }>();
  private readonly output: SocketOutput;
  private connectTimer: NodeJS.Timeout | undefined;
  private closed = false;
  /** Per playing stream id: stops the watch that ends the player when its authorisation lapses. */
  private readonly playWatches = new Map<number, () => void>();
  readonly log: Logger;

  constructor(
    readonly id: number,
    private readonly socket: Socket,
    private readonly deps: RtmpConnectionDeps,
  ) {
    this.log = deps.log.child({ conn: id, remote: socket.remoteAddress, proto: deps.protocol });
    this.output = new SocketOutput(socket);
    this.session = new ServerSession(
      {
        send: (b) => this.write(b),
        onConnect: (req) => this.onConnect(req.app, req.object),
        onPublish: (req) => void this.onPublish(req),
        onPlay: (req) => void this.onPlay(req),
        onMedia: (sid, msg) => this.onMedia(sid, msg),
        onMetadata: (sid, meta) => this.publishers.get(sid)?.onMetadata(meta),
        onStreamEnd: (sid, reason) => this.endStream(sid, reason),
        onPause: (sid, paused) => this.onPause(sid, paused),
        onReceive: (sid, kind, enabled) => {
          const p = this.players.get(sid);
          if (p) p.sink[kind === 'audio' ? 'receiveAudio' : 'receiveVideo'] = enabled;
        },
      },
      { maxMessageSize: deps.maxMessageSize, chunkSize: deps.chunkSize, inputIsReused: deps.inputIsReused },
    );
    // The handshake and connect must finish in time; a silent or trickling peer is cut off.
    this.connectTimer = setTimeout(() => this.fail(new OnAirError('ONAIR_ERR_TIMEOUT', 'handshake/connect timeout')), deps.handshakeTimeoutMs);
    socket.setTimeout(deps.idleTimeoutMs, () => this.fail(new OnAirError('ONAIR_ERR_TIMEOUT', 'idle timeout')));
    // Publishers: our few control replies should not wait. Players follow --tcp-nodelay once playing.
    socket.setNoDelay(true);
    socket.on('error', (err) => this.log.debug({ err: err.message }, 'socket error'));
    socket.on('close', () => this.close('peer disconnected'));
  }

  /**
   * How long this connection's input may wait before it is read (merged reads): the smallest latency tolerance
   * of the consumers of the streams it publishes; 0 while it publishes nothing (handshake and commands are
   * answered at once).
   */
  get inputToleranceMs(): number {
    if (this.publishers.size === 0) return 0;
    let ms = Infinity;
    for (const ingest of this.publishers.values()) ms = Math.min(ms, ingest.publisher.latencyToleranceMs);
    return ms;
  }

  get remoteAddress(): string {
    return this.socket.remoteAddress ?? '';
  }

  /**
   * Bytes received on the socket (the owner reads it: 'data' events or a shared read buffer). `continued`: this read
   * follows a full read of the same socket at once (the bytes were waiting together), so it continues that read.
   */
  receive(bytes: Buffer, continued = false): void {
    // One read (with the reads that continue it): the messages it completes arrived together, so ingest health reads
    // its arrival clock once for them (Publisher.received).
    if (!continued && this.publishers.size > 0) for (const ingest of this.publishers.values()) ingest.publisher.received();
    try {
      this.session.push(bytes);
    } catch (err) {
      this.fail(err);
    }
  }

  private onConnect(app: string, obj: AmfObject): string | undefined {
    clearTimeout(this.connectTimer);
    this.connectTimer = undefined;
    // Shortened: an app-less URL (rtmp://host/KEY) sends the key as the app, which is not known until publish.
    this.log.debug({ app: redactName(app), flashVer: typeof obj.flashVer === 'string' ? obj.flashVer.slice(0, 64) : undefined }, 'connect');
    return undefined;
  }

  private async onPublish(req: PublishRequest): Promise<void> {
    const name = redactName(req.name);
    try {
      const decision = await this.deps.auth.authorizePublish({ app: req.app, name: req.name, query: req.query, clientIp: this.remoteAddress, protocol: this.deps.protocol });
      if (this.closed) return;
      if (!decision.ok) {
        const code = decision.code === 'bad_name' ? Status.publishBadName : Status.publishUnauthorized;
        return this.refuse(req.streamId, code, decision.reason, { name, code: decision.code });
      }
      let publisher;
      try {
        publisher = this.deps.hub.publish(decision.streamPath, {
          protocol: this.deps.protocol, remoteAddress: this.remoteAddress,
          ...(decision.streamId ? { streamId: decision.streamId } : {}), ...(decision.delivery ? { delivery: decision.delivery } : {}),
        });
      } catch (err) {
        if (isOnAirError(err, 'ONAIR_ERR_CONFLICT')) return this.refuse(req.streamId, Status.publishBadName, 'stream is already publishing', { name, code: 'conflict' });
        throw err;
      }
      publisher.onKick = (reason) => this.kicked(reason);
      this.publishers.set(req.streamId, new RtmpIngest(publisher));
      this.session.acceptPublish(req.streamId);
      this.log.info({ name, path: decision.streamPath, type: req.type }, 'publish started');
    } catch (err) {
      this.fail(err);
    }
  }

  private async onPlay(req: PlayRequest): Promise<void> {
    const name = redactName(req.name);
    try {
      const play = { app: req.app, name: req.name, query: req.query, clientIp: this.remoteAddress, protocol: this.deps.protocol };
      const decision = await this.deps.auth.authorizePlay(play);
      if (this.closed) return;
      if (!decision.ok) {
        const code = decision.code === 'not_found' ? Status.playStreamNotFound : Status.playFailed;
        return this.refuse(req.streamId, code, decision.reason, { name, code: decision.code });
      }
      const live = this.deps.hub.stream(decision.streamPath)?.publisher !== undefined || (await this.deps.edge?.ensure(decision.streamPath));
      if (this.closed) return;
      if (!live) {
        // Between owners (its owner gone, its publisher reconnecting elsewhere): told at once, with a reason to retry.
        if (this.deps.edge?.between(decision.streamPath)) {
          return this.refuse(req.streamId, Status.playStreamNotFound, 'the stream is between nodes (its publisher is reconnecting): retry', { name, code: 'between_owners' });
        }
        return this.refuse(req.streamId, Status.playStreamNotFound, 'no such live stream', { name, code: 'not_found' });
      }
      this.socket.setNoDelay(this.deps.tcpNodelay);
      // A player is busy as long as we write to it; a stalled one is the hub's to drop (slow-subscriber timeout)
      // and a vanished one shows up as a write error or a failed keepalive. Dropping the idle timer saves a timer
      // refresh on every write.
      this.socket.setTimeout(0);
      this.socket.setKeepAlive(true, PLAYER_KEEPALIVE_MS);
      this.session.acceptPlay(req.streamId, req.reset);
      const sink = new RtmpPlaySink(this.output, this.session, req.streamId, this.deps.shared, this.deps.flusher, (reason) => this.playerClosedByHub(req.streamId, reason));
      // Another worker's or node's pull is not a viewer here: its viewers are counted where they are.
      const protocol = decision.internalPull === true ? PULL_SUBSCRIBER_PROTOCOL : this.deps.protocol;
      const sub = this.deps.hub.subscribe(decision.streamPath, { protocol, remoteAddress: this.remoteAddress }, sink);
      this.players.set(req.streamId, { sub, sink, path: decision.streamPath, startedMs: performance.now() });
      this.log.info({ path: decision.streamPath }, 'play started');
      // An expiring token, or a stream disabled, deleted or made signed, ends the player then.
      this.playWatches.get(req.streamId)?.();
      this.playWatches.set(req.streamId, this.deps.auth.watchPlay(play, (reason) => this.gracefulClose(reason)));
    } catch (err) {
      this.fail(err);
    }
  }

  private onMedia(streamId: number, msg: RtmpMessage): void {
    this.publishers.get(streamId)?.onMedia(msg);
  }

  private onPause(streamId: number, paused: boolean): void {
    const p = this.players.get(streamId);
    if (!p) return;
    p.sink.paused = paused;
    // Unpausing a live stream resumes at the next keyframe, not mid-GOP.
    if (!paused) p.sub.restartAtKeyframe();
  }

  private endStream(streamId: number, reason: string): void {
    this.playWatches.get(streamId)?.();
    this.playWatches.delete(streamId);
    const ingest = this.publishers.get(streamId);
    if (ingest) {
      this.publishers.delete(streamId);
      ingest.publisher.close(reason);
      this.log.info({ reason, bytesIn: ingest.publisher.bytesIn }, 'publish ended');
    }
    this.endPlayer(streamId, reason);
  }

  /** The `play started` line's pair: how long, how many media bytes, why. */
  private endPlayer(streamId: number, reason: string): void {
    const player = this.players.get(streamId);
    if (!player) return;
    this.players.delete(streamId);
    player.sub.close(reason);
    const { bytesDelivered: bytes, dropEpisodes } = player.sub.stats;
    this.log.info({ path: player.path, reason, durationMs: Math.round(performance.now() - player.startedMs), bytes, dropEpisodes }, 'play ended');
  }

  private playerClosedByHub(streamId: number, reason: string): void {
    if (this.closed || !this.players.has(streamId)) return;
    this.log.warn({ reason }, 'player closed by the hub');
    this.endPlayer(streamId, reason);
    this.gracefulClose(reason);
  }

  /** The hub took our stream away (takeover, key reset, disable, shutdown). */
  private kicked(reason: string): void {
    this.log.info({ reason }, 'publisher kicked');
    this.gracefulClose(reason);
  }

  private refuse(streamId: number, status: string, description: string, fields: Record<string, unknown>): void {
    this.log.warn({ ...fields, status }, 'refused');
    this.session.refuse(streamId, status, description);
    this.gracefulClose(description);
  }

  /** Protocol violation or internal error: one log line with the reason, then the socket goes. */
  private fail(err: unknown): void {
    if (this.closed) return;
    const code: ErrorCode = err instanceof OnAirError ? err.code : 'ONAIR_ERR_INTERNAL';
    const message = err instanceof Error ? err.message : String(err);
    if (err instanceof OnAirError) this.log.warn({ code, reason: message }, 'closing connection');
    else this.log.error({ err, code }, 'closing connection after internal error');
    this.close(message);
    this.socket.destroy();
  }

  /** Sends final statuses, ends the socket, and destroys it if the peer does not close in time. */
  gracefulClose(reason: string): void {
    if (this.closed) return;
    this.session.notifyEnd(reason);
    this.close(reason);
    this.socket.end();
    setTimeout(() => this.socket.destroy(), CLOSE_GRACE_MS).unref();
  }

  /** Releases everything this connection owns. Idempotent. */
  close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.connectTimer);
    this.session.close();
    for (const id of [...this.publishers.keys(), ...this.players.keys()]) this.endStream(id, reason);
    for (const stop of this.playWatches.values()) stop();
    this.playWatches.clear();
    this.deps.onClosed(this);
  }

  private write(bytes: Buffer): void {
    // Session messages (statuses, pings) must not overtake media a player has queued.
    for (const p of this.players.values()) p.sink.flush();
    this.output.write(bytes);
  }
}
