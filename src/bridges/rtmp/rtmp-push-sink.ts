import type { MediaPacket, StreamMetadata } from '../../core/media-packet.js';
import type { StreamHub, SubscriberSink, Subscription, SubscriptionOptions } from '../../hub/index.js';
import { Csid, MessageType, type ClientSession } from '../../protocols/rtmp/index.js';
import type { SharedChunks } from './shared-chunks.js';

/** Where a pushed stream's bytes go: the RTMP client's socket (servers/net/SocketOutput). */
export interface PushOutput {
  /** Drops the bytes once the output is closed. */
  write(bytes: Buffer): void;
  /** Bytes accepted but not yet handed to the network: the target's queue, bounded by the hub's budget. */
  readonly pendingBytes: number;
}

/** A connected RTMP client that has published: the session (for its chunk writer), its output and stream id. */
export interface PushConnection {
  readonly session: ClientSession;
  readonly output: PushOutput;
  readonly streamId: number;
}

export interface RtmpPushHooks {
  /** The source's publisher left; the caller decides what the target does next. */
  onSourceEnd(reason: string): void;
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
 * Hub -> RTMP publish to another server (re-push). Media goes out in the serialisation RTMP play uses
 * (SharedChunks: one tag body, one chunked copy and one wire buffer per packet, shared by every target and
 * player with the same chunk size and timeline); metadata as `@setDataFrame onMetaData`. The output's queue
 * is the only queue: the hub's budget check on `pendingBytes` drops a slow target to the next keyframe.
 */
export class RtmpPushSink implements SubscriberSink {
  /** Bytes handed to the output (media and metadata messages as chunked), for the target's bitrate. */
  bytesOut = 0;
  readonly latencyToleranceMs = REPUSH_LATENCY_TOLERANCE_MS;

  constructor(
    private readonly conn: PushConnection,
    private readonly shared: SharedChunks,
    private readonly hooks: RtmpPushHooks,
  ) {}

  get pendingBytes(): number {
    return this.conn.output.pendingBytes;
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
    if (wire) {
      this.conn.output.write(wire);
      this.bytesOut += wire.length;
      return;
    }
    // Extended timestamp (after ~4.6 h): no shared body; the peer last saw a fmt0 header on this csid that our
    // writer did not write, so the writer starts that csid afresh.
    this.conn.session.writer.reset(m.csid);
    this.writeMessage(m.csid, m.typeId, dts, m.body);
  }

  /** A message through the session's own chunk writer (its header compression state stays right). */
  private writeMessage(csid: number, typeId: number, timestamp: number, payload: Buffer): void {
    const bytes = this.conn.session.writer.write({ csid, typeId, streamId: this.conn.streamId, timestamp, payload });
    this.conn.output.write(bytes);
    this.bytesOut += bytes.length;
  }

  onPublisherEnd(reason: string): void {
    this.hooks.onSourceEnd(reason);
  }

  onPublisherStart(): void {
    // A re-push lives within one publisher of its source: the service starts a new one for the next.
  }

  onClose(reason: string): void {
    this.hooks.onClose(reason);
  }
}

/** PublisherInfo-like label of re-push subscribers (stats, logs). */
export const REPUSH_PROTOCOL = 'repush';

/**
 * One target's subscription: subscribes `conn` to `path` (the GOP cache replay gives metadata, sequence
 * headers and the GOP from its keyframe first) with the target's own byte budget.
 */
export class RtmpPush {
  private readonly sink: RtmpPushSink;
  private readonly sub: Subscription;

  constructor(hub: StreamHub, path: string, conn: PushConnection, shared: SharedChunks, limits: Partial<SubscriptionOptions>, hooks: RtmpPushHooks) {
    this.sink = new RtmpPushSink(conn, shared, hooks);
    this.sub = hub.subscribe(path, { protocol: REPUSH_PROTOCOL, remoteAddress: 'target' }, this.sink, { limits });
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
