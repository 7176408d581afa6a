import type { MediaPacket, StreamMetadata } from '../core/media-packet.js';
import { OnAirError } from '../core/errors.js';
import { TimestampNormalizer } from './timestamp-normalizer.js';
import type { PublisherInfo } from './types.js';

/** The stream a publisher feeds (its HubStream), held directly: no lookup by path per packet. */
export interface PublishedStream {
  ingest(pub: Publisher, p: MediaPacket): void;
  received(pub: Publisher): void;
  readonly latencyToleranceMs: number;
  setMetadata(pub: Publisher, m: StreamMetadata): void;
  detach(pub: Publisher, reason: string): void;
}

/**
 * The handle an ingest bridge holds while it publishes. Packets carry wire timestamps; the publisher maps them
 * onto the stream timeline. After close (or after the hub kicks it) pushes are ignored, so a bridge racing its
 * own teardown cannot corrupt the stream.
 */
export class Publisher {
  readonly startedAt = new Date();
  readonly timestamps: TimestampNormalizer;
  bytesIn = 0;
  private closed = false;
  /** Set by the bridge: the hub took the stream away (takeover, kick, shutdown); the bridge should disconnect. */
  onKick: ((reason: string) => void) | undefined;

  constructor(
    readonly id: number,
    readonly path: string,
    readonly info: PublisherInfo,
    private readonly stream: PublishedStream,
    timelineStart: number,
  ) {
    this.timestamps = new TimestampNormalizer(timelineStart);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * How long the bridge may hold input before pushing it without hurting any consumer: the smallest
   * SubscriberSink.latencyToleranceMs of the stream's subscribers, 0 when a real-time player watches, Infinity
   * when nobody does (a joining player starts from the GOP cache). Bridges use it to batch reads.
   */
  get latencyToleranceMs(): number {
    return this.closed ? 0 : this.stream.latencyToleranceMs;
  }

  /** `p.dts` is the wire timestamp in ms (any 32-bit value); the hub rewrites it onto the stream timeline. */
  push(p: MediaPacket): void {
    if (this.closed) return;
    const dts = this.timestamps.normalize(p.kind, p.dts);
    this.bytesIn += p.data.length;
    this.stream.ingest(this, dts === p.dts ? p : { ...p, dts });
  }

  /**
   * Optional, for bridges that read their input in chunks: the messages pushed from now until the next call came in
   * one read (they arrived together). Ingest health then reads the arrival clock once per read, not per message.
   * Reads that follow a full read at once (the input had more waiting than one read takes) may count as that read.
   */
  received(): void {
    if (!this.closed) this.stream.received(this);
  }

  setMetadata(m: StreamMetadata): void {
    if (this.closed) throw new OnAirError('ONAIR_ERR_CLOSED', 'publisher closed');
    this.stream.setMetadata(this, m);
  }

  /** The bridge ends publishing (peer unpublished or disconnected). Idempotent. */
  close(reason = 'unpublished'): void {
    if (this.closed) return;
    this.closed = true;
    this.stream.detach(this, reason);
  }

  /** The hub ends publishing and tells the bridge. Idempotent. */
  kick(reason: string): void {
    if (this.closed) return;
    this.close(reason);
    this.onKick?.(reason);
  }
}
