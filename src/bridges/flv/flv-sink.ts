import type { Flushable } from '../../core/flush-scheduler.js';
import type { MediaPacket, StreamMetadata } from '../../core/media-packet.js';
import { FLV_TAG_SCRIPT, flvTagParts } from '../../formats/flv/index.js';
import type { SubscriberSink } from '../../hub/index.js';
import type { FlvFanout } from './flv-fanout.js';
import type { FlvTracks } from './flv-tracks.js';
import { framed, type UnitFraming } from './shared-flv-batches.js';

/**
 * Where an FLV byte stream goes: an HTTP response or a WebSocket. The target's own buffer is the queue beyond
 * one flush round; `pendingBytes` (the socket's writableLength) lets the hub hold it to the subscriber byte budget.
 */
export interface FlvByteTarget {
  /** Bytes accepted but not yet handed to the peer's kernel buffer. */
  readonly pendingBytes: number;
  /** How this carrier frames one unit of bytes; the same object for every target of its kind. */
  readonly framing: UnitFraming;
  /**
   * Writes already framed `parts` in order (one vector write). Must not throw; the buffers are shared with other
   * viewers and must not be modified.
   */
  write(parts: readonly Buffer[]): void;
  /** `write([bytes])` without the array: the common case, once per viewer per round. */
  writeOne(bytes: Buffer): void;
}

/** What the connection that owns the sink hears about the subscription. */
export interface FlvSinkHooks {
  /** The hub ended the subscription (slow viewer, stream gone, shutdown). Called once. */
  onClose(reason: string): void;
  onPublisherEnd?(reason: string): void;
  onPublisherStart?(): void;
}

export interface FlvSinkStats {
  tagsWritten: number;
  bytesWritten: number;
  /** Packets left out: a track not in the header, or a form mpegts.js cannot play. */
  packetsSkipped: number;
}

/**
 * Queued tags up to this count go out as one framed buffer shared by every viewer with the same queue; a longer
 * queue (the GOP replayed to a new viewer) is written as a vector instead of being copied for one viewer.
 */
const MAX_COMBINED_TAGS = 4;

/**
 * A queue this large goes out at once rather than at the end of the turn. An ingest burst (a publisher ahead of
 * real time, a starved server catching up: libuv reads up to 32 x 64 KiB from one socket per turn) would otherwise
 * pile up here and count against the viewer's byte budget, dropping a healthy viewer to the next keyframe.
 */
const FLUSH_AT_BYTES = 64 * 1024;

/**
 * Hub -> FLV byte stream for one HTTP-FLV or WS-FLV viewer. The file header announces `tracks`, fixed at the
 * start (FLV cannot add a track later); packets of other tracks are skipped. Tags are whole buffers shared by
 * every viewer at the same timestamps (SharedFlvTag.wire); they queue here until the fan-out's flush round and
 * then cost this viewer one write of a batch framed once for its cohort (an HTTP chunk, a WebSocket frame).
 */
export class FlvSink implements SubscriberSink, Flushable {
  readonly stats: FlvSinkStats = { tagsWritten: 0, bytesWritten: 0, packetsSkipped: 0 };
  flushQueued = false;
  private headerWritten = false;
  private lastDts = 0;
  private sawVideo = false;
  private closed = false;
  private readonly queued: Buffer[] = [];
  private queuedBytes = 0;

  constructor(
    private readonly target: FlvByteTarget,
    readonly tracks: FlvTracks,
    private readonly fanout: FlvFanout,
    private readonly hooks: FlvSinkHooks,
  ) {}

  get pendingBytes(): number {
    return this.target.pendingBytes + this.queuedBytes;
  }

  onMetadata(m: StreamMetadata): void {
    if (this.closed) return;
    const body = this.fanout.tags.onMetaData(m, this.tracks);
    if (!body) return;
    // A script tag carries no media time; stamp it with the viewer's latest so timestamps never go back.
    const { header, trailer } = flvTagParts(FLV_TAG_SCRIPT, this.lastDts, body.length);
    this.enqueueTag([header, body, trailer]);
    this.fanout.scheduler.flushSoon(this);
  }

  onPacket(p: MediaPacket, dts: number): void {
    if (this.closed) return;
    const tag = (p.kind === 'audio' ? this.tracks.audio : this.tracks.video) ? this.fanout.tags.get(p) : undefined;
    if (!tag) {
      this.stats.packetsSkipped++;
      return;
    }
    // The hub's rebased dts is monotonic per track but audio and video interleave: FLV players want the
    // tag order as sent, with each track's own timestamps.
    if (dts > this.lastDts) this.lastDts = dts;
    const wire = tag.wire(dts);
    if (wire) this.enqueueTag(wire);
    else this.enqueueTag(tag.parts(dts));
    if (this.queuedBytes >= FLUSH_AT_BYTES) {
      this.flush();
      return;
    }
    // Audio of a video stream waits for the next video frame (at most the scheduler's hold): one write per frame.
    if (p.kind === 'video') this.sawVideo = true;
    if (p.kind === 'audio' && this.sawVideo) this.fanout.scheduler.hold(this);
    else this.fanout.scheduler.flushSoon(this);
  }

  /** Writes whatever is queued as one framed unit. */
  flush(): void {
    const q = this.queued;
    if (q.length === 0) return;
    const framing = this.target.framing;
    if (q.length <= MAX_COMBINED_TAGS) this.target.writeOne(this.fanout.batches.combine(q, framing));
    else this.target.write(framed(q, framing));
    q.length = 0;
    this.queuedBytes = 0;
  }

  onPublisherEnd(reason: string): void {
    if (!this.closed) this.hooks.onPublisherEnd?.(reason);
  }

  onPublisherStart(): void {
    if (!this.closed) this.hooks.onPublisherStart?.();
  }

  onClose(reason: string): void {
    if (this.closed) return;
    // What this round queued goes out before the connection ends (at most one round: the budget still holds).
    this.flush();
    this.closed = true;
    this.hooks.onClose(reason);
  }

  private enqueueTag(parts: Buffer | readonly Buffer[]): void {
    if (!this.headerWritten) {
      // Lazily, with the first tag: nothing reaches the viewer before there is something to play.
      this.headerWritten = true;
      const fileHeader = this.fanout.tags.fileHeader(this.tracks);
      this.queued.push(fileHeader);
      this.queuedBytes += fileHeader.length;
      this.stats.bytesWritten += fileHeader.length;
    }
    let bytes = 0;
    if (Buffer.isBuffer(parts)) {
      this.queued.push(parts);
      bytes = parts.length;
    } else {
      for (const p of parts) {
        this.queued.push(p);
        bytes += p.length;
      }
    }
    this.queuedBytes += bytes;
    this.stats.tagsWritten++;
    this.stats.bytesWritten += bytes;
  }
}
