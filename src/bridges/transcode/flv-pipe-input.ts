import type { Writable } from 'node:stream';
import type { StreamHub, Subscription } from '../../hub/index.js';
import { FlvSink, type FlvByteTarget } from '../flv/flv-sink.js';
import { flvTracksOf } from '../flv/flv-tracks.js';
import { SharedFlvTags } from '../flv/shared-flv-tags.js';

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

  constructor(hub: StreamHub, sourcePath: string, private readonly target: Writable, private readonly hooks: FlvPipeInputHooks) {
    const stream = hub.stream(sourcePath);
    const tracks = flvTracksOf(stream?.metadata, stream?.gop.snapshot() ?? []);
    // EPIPE when ffmpeg exits first: its exit is reported by the process owner, not here.
    target.on('error', () => {});
    const byteTarget: FlvByteTarget = {
      get pendingBytes() {
        return target.writableLength;
      },
      write: (parts) => {
        if (target.destroyed || target.writableEnded) return;
        // One writev per tag: the parts are shared buffers, written without copying.
        target.cork();
        for (const p of parts) target.write(p);
        target.uncork();
      },
    };
    const sink = new FlvSink(byteTarget, tracks, new SharedFlvTags(), { onClose: (reason) => this.onSinkClose(reason) });
    this.sub = hub.subscribe(sourcePath, { protocol: 'transcode', remoteAddress: 'ffmpeg' }, sink, { waitForPublisher: true });
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
