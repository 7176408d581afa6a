import type { MediaPacket, StreamMetadata } from '../../core/media-packet.js';
import {
  FLV_PREVIOUS_TAG_SIZE_BYTES, FLV_TAG_HEADER_SIZE, FLV_TAG_SCRIPT, flvFileHeader, flvTagParts,
} from '../../formats/flv/index.js';
import type { SubscriberSink } from '../../hub/index.js';
import type { FlvTracks } from './flv-tracks.js';
import type { SharedFlvTags } from './shared-flv-tags.js';

/**
 * Where an FLV byte stream goes: an HTTP response or a WebSocket. The target's own buffer is the queue;
 * `pendingBytes` (writableLength / bufferedAmount) lets the hub hold it to the subscriber byte budget.
 */
export interface FlvByteTarget {
  /** Bytes accepted but not yet handed to the peer's kernel buffer. */
  readonly pendingBytes: number;
  /**
   * Writes `parts` in order as one unit (one HTTP chunk, one WebSocket message). Must not throw; the
   * buffers are shared with other viewers and must not be modified.
   */
  write(parts: readonly Buffer[]): void;
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
 * Hub -> FLV byte stream for one HTTP-FLV or WS-FLV viewer. The file header announces `tracks`, fixed at
 * the start (FLV cannot add a track later); packets of other tracks are skipped. Each tag costs this
 * viewer one 11-byte header with its own rebased timestamp; body and PreviousTagSize come from
 * SharedFlvTags, shared by every viewer.
 */
export class FlvSink implements SubscriberSink {
  readonly stats: FlvSinkStats = { tagsWritten: 0, bytesWritten: 0, packetsSkipped: 0 };
  private headerWritten = false;
  private lastDts = 0;
  private closed = false;

  constructor(
    private readonly target: FlvByteTarget,
    readonly tracks: FlvTracks,
    private readonly shared: SharedFlvTags,
    private readonly hooks: FlvSinkHooks,
  ) {}

  get pendingBytes(): number {
    return this.target.pendingBytes;
  }

  onMetadata(m: StreamMetadata): void {
    if (this.closed) return;
    const body = this.shared.onMetaData(m, this.tracks);
    if (!body) return;
    // A script tag carries no media time; stamp it with the viewer's latest so timestamps never go back.
    const { header, trailer } = flvTagParts(FLV_TAG_SCRIPT, this.lastDts, body.length);
    this.write([header, body, trailer], body.length);
  }

  onPacket(p: MediaPacket, dts: number): void {
    if (this.closed) return;
    const tag = (p.kind === 'audio' ? this.tracks.audio : this.tracks.video) ? this.shared.get(p) : undefined;
    if (!tag) {
      this.stats.packetsSkipped++;
      return;
    }
    // The hub's rebased dts is monotonic per track but audio and video interleave: FLV players want the
    // tag order as sent, with each track's own timestamps.
    this.lastDts = Math.max(this.lastDts, dts);
    const { header } = flvTagParts(tag.typeId, dts, tag.bodyLength);
    this.write([header, tag.bodyHeader, tag.data, tag.trailer], tag.bodyLength);
  }

  onPublisherEnd(reason: string): void {
    if (!this.closed) this.hooks.onPublisherEnd?.(reason);
  }

  onPublisherStart(): void {
    if (!this.closed) this.hooks.onPublisherStart?.();
  }

  onClose(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.hooks.onClose(reason);
  }

  private write(parts: Buffer[], bodyLength: number): void {
    if (!this.headerWritten) {
      // Lazily, with the first tag: nothing reaches the viewer before there is something to play.
      this.headerWritten = true;
      const fileHeader = flvFileHeader(this.tracks);
      parts.unshift(fileHeader);
      this.stats.bytesWritten += fileHeader.length;
    }
    this.target.write(parts);
    this.stats.tagsWritten++;
    this.stats.bytesWritten += FLV_TAG_HEADER_SIZE + bodyLength + FLV_PREVIOUS_TAG_SIZE_BYTES;
  }
}
