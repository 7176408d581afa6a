import type { Writable } from 'node:stream';
import type { StreamHub, Subscription, SubscriberSink } from '../../hub/index.js';
import { FlvSink, type FlvByteTarget } from '../flv/flv-sink.js';
import { flvTracksOf } from '../flv/flv-tracks.js';
import { FlvFanout } from '../flv/flv-fanout.js';
import { NO_FRAMING } from '../flv/shared-flv-batches.js';

export interface FlvPipeInputHooks {
  onClose(reason: string): void;
}

/**
 * Hub -> FLV byte stream into a pipe (ffmpeg's stdin). The pipe's own buffer is the queue: its
 * writableLength is the sink's pendingBytes, so a transcoder slower than real time hits the hub's
 * subscriber budget and is dropped to the next keyframe instead of buffering without bound.
 */
export class FlvPipeInput {
  private readonly sub: Subscription;
  private closed = false;
  private baseDts: number | undefined;

  constructor(hub: StreamHub, sourcePath: string, private readonly target: Writable, private readonly hooks: FlvPipeInputHooks) {
    const stream = hub.stream(sourcePath);
    const tracks = flvTracksOf(stream?.metadata, stream?.gop.snapshot() ?? []);
    // EPIPE when ffmpeg exits first: its exit is reported by the process owner, not here.
    target.on('error', () => {});
    const byteTarget: FlvByteTarget = {
      framing: NO_FRAMING,
      get pendingBytes() {
        return target.writableLength;
      },
      write: (parts) => {
        if (target.destroyed || target.writableEnded) return;
        // One writev per flush round: the parts are shared buffers, written without copying.
        target.cork();
        for (const p of parts) target.write(p);
        target.uncork();
      },
      writeOne: (bytes) => {
        if (!target.destroyed && !target.writableEnded) target.write(bytes);
      },
    };
    const sink = new FlvSink(byteTarget, tracks, new FlvFanout(), { onClose: (reason) => this.onSinkClose(reason) });
    // The hub rebases this subscriber's timestamps (FLV ts 0 = its first frame); remember where that is on
    // the source's stream timeline, so renditions can be placed on it (HLS PROGRAM-DATE-TIME alignment).
    const tap: SubscriberSink = {
      get pendingBytes() {
        return sink.pendingBytes;
      },
      onMetadata: (m) => sink.onMetadata(m),
      onPacket: (p, dts) => {
        if (this.baseDts === undefined && p.role === 'frame') this.baseDts = p.dts - dts;
        sink.onPacket(p, dts);
      },
      onPublisherEnd: (reason) => sink.onPublisherEnd(reason),
      onPublisherStart: () => sink.onPublisherStart(),
      onClose: (reason) => sink.onClose(reason),
    };
    this.sub = hub.subscribe(sourcePath, { protocol: 'transcode', remoteAddress: 'ffmpeg' }, tap, { waitForPublisher: true });
  }

  /** Source stream-timeline dts of FLV timestamp 0 written to ffmpeg; undefined before the first frame. */
  get base(): number | undefined {
    return this.baseDts;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.sub.close('transcode stopped');
    if (!this.target.destroyed) this.target.end();
  }

  private onSinkClose(reason: string): void {
    if (this.closed) return;
    this.close();
    this.hooks.onClose(reason);
  }
}
