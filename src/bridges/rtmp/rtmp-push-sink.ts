import type { MediaPacket, StreamMetadata } from '../../core/media-packet.js';
import type { StreamHub, SubscriberSink, Subscription, SubscriptionOptions } from '../../hub/index.js';
import { Csid, MessageType, type ClientSession } from '../../protocols/rtmp/index.js';
import type { Flushable, FlushScheduler } from '../../core/flush-scheduler.js';
import type { PlayerOutput } from './rtmp-play-sink.js';
import type { SharedChunks } from './shared-chunks.js';

/** A connected RTMP client that has published: the session (for its chunk writer), its output and stream id. */
export interface PushConnection {
  readonly session: ClientSession;
  /** The client's socket (servers/net/SocketOutput), as RTMP players write to theirs. */
  readonly output: PlayerOutput;
  readonly streamId: number;
}

export interface RtmpPushHooks {
  /** The hub ended the subscription: the target stayed over its byte budget too long, or shutdown. */
  onClose(reason: string): void;
}

/**
 * How long media may wait on its way in because of a re-push target (merged reads: Publisher.latencyToleranceMs).
 * A platform ingest buffers seconds before its own players see anything, so a fifth of a second of batching is
 * invisible there; without it one target would make the source read every message as it arrives, which costs
 * more CPU than the push itself.
 */
export const REPUSH_LATENCY_TOLERANCE_MS = 200;

/**
 * Queued bytes written at once rather than at the end of the round: a merged read hands over up to 200 ms of
 * media in one turn (more after a stall of the event loop), which would otherwise count against the target's
 * byte budget as if the target were slow. 64 KiB still batches several frames of a typical stream per write.
 */
const FLUSH_AT_BYTES = 64 * 1024;

/**
 * Hub -> RTMP publish to another server (re-push). Media goes out in the serialisation RTMP play uses
 * (SharedChunks: one tag body and one chunked copy per packet for every target and player with the same chunk
 * size; one wire buffer per timeline), and like RTMP play it is written once per FlushScheduler round, audio held
 * for the next video frame: about one write per video frame instead of one per message, which is most of a
 * target's cost. Metadata goes as `@setDataFrame onMetaData`. Beyond the round the output's queue is the only
 * queue, and the hub's budget check on `pendingBytes` drops a slow target to the next keyframe.
 */
export class RtmpPushSink implements SubscriberSink, Flushable {
  /** Bytes handed to the output (media and metadata messages as chunked), for the target's bitrate. */
  bytesOut = 0;
  readonly latencyToleranceMs = REPUSH_LATENCY_TOLERANCE_MS;
  flushQueued = false;
  private readonly queued: Buffer[] = [];
  private queuedBytes = 0;
  private sawVideo = false;

  constructor(
    private readonly conn: PushConnection,
    private readonly shared: SharedChunks,
    private readonly scheduler: FlushScheduler,
    private readonly hooks: RtmpPushHooks,
  ) {}

  get pendingBytes(): number {
    return this.conn.output.pendingBytes + this.queuedBytes;
  }

  onMetadata(m: StreamMetadata): void {
    let payload: Buffer;
    try {
      payload = this.shared.publishMetadata(m);
    } catch {
      return; // over the AMF size cap: metadata is optional for every ingest we know
    }
    this.writeMessage(Csid.data, MessageType.DATA_AMF0, 0, payload);
  }

  onPacket(p: MediaPacket, dts: number): void {
    const m = this.shared.get(p);
    const wire = m.wire(dts, this.conn.streamId);
    if (!wire) {
      // Extended timestamp (after ~4.6 h): no shared body; the peer last saw a fmt0 header on this csid that our
      // writer did not write, so the writer starts that csid afresh.
      this.conn.session.writer.reset(m.csid);
      this.writeMessage(m.csid, m.typeId, dts, m.body);
      return;
    }
    this.queued.push(wire);
    this.queuedBytes += wire.length;
    if (p.kind === 'video') this.sawVideo = true;
    if (this.queuedBytes >= FLUSH_AT_BYTES) this.flush();
    else if (p.kind === 'audio' && this.sawVideo) this.scheduler.hold(this);
    else this.scheduler.flushSoon(this);
  }

  /** Writes what is queued, as one vector write. */
  flush(): void {
    const q = this.queued;
    if (q.length === 0) return;
    if (q.length === 1) this.conn.output.write(q[0]!);
    else this.conn.output.writev(q);
    this.bytesOut += this.queuedBytes;
    q.length = 0;
    this.queuedBytes = 0;
  }

  /**
   * The source's publisher left. The push stays: a publisher that reconnects within the stream's window goes on
   * over the same connection (a platform sees one stream, not a new one per encoder reconnect), from its first
   * keyframe with its own sequence headers and metadata, on the timeline the hub continues after this one. The
   * re-push service decides when the stream has really ended and closes the push.
   */
  onPublisherEnd(): void {
    this.flush();
  }

  onPublisherStart(): void {
    // Nothing to reset: the subscription waits for the new publisher's keyframe and its timeline continues.
  }

  onClose(reason: string): void {
    this.queued.length = 0;
    this.queuedBytes = 0;
    this.hooks.onClose(reason);
  }

  /** A message through the session's own chunk writer, after what is queued (its compression state stays right). */
  private writeMessage(csid: number, typeId: number, timestamp: number, payload: Buffer): void {
    this.flush();
    const bytes = this.conn.session.writer.write({ csid, typeId, streamId: this.conn.streamId, timestamp, payload });
    this.conn.output.write(bytes);
    this.bytesOut += bytes.length;
  }
}

/** PublisherInfo-like label of re-push subscribers (stats, logs). */
export const REPUSH_PROTOCOL = 'repush';

/**
 * One target's subscription: subscribes `conn` to `path` (the GOP cache replay gives metadata, sequence
 * headers and the GOP from its keyframe first) with the target's own byte budget. It also waits for a
 * publisher: a target that (re)connects while its source is between two publishers starts with the next one.
 */
export class RtmpPush {
  private readonly sink: RtmpPushSink;
  private readonly sub: Subscription;

  constructor(
    hub: StreamHub, path: string, conn: PushConnection, out: { shared: SharedChunks; scheduler: FlushScheduler },
    limits: Partial<SubscriptionOptions>, hooks: RtmpPushHooks,
  ) {
    this.sink = new RtmpPushSink(conn, out.shared, out.scheduler, hooks);
    this.sub = hub.subscribe(path, { protocol: REPUSH_PROTOCOL, remoteAddress: 'target' }, this.sink, { limits, waitForPublisher: true });
  }

  get bytesOut(): number {
    return this.sink.bytesOut;
  }

  /** Audio and video packets the hub skipped because the target was behind (to the next keyframe). */
  get droppedFrames(): number {
    return this.sub.stats.packetsDropped;
  }

  /** Ends the subscription (the sink's onClose follows). Idempotent. */
  close(reason: string): void {
    this.sub.close(reason);
  }
}
