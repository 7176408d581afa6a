import type { MediaPacket, StreamMetadata } from '../../core/media-packet.js';
import type { SubscriberSink } from '../types.js';

/** Test-only packet factory. */
export function packet(kind: 'video' | 'audio', dts: number, opts: Partial<MediaPacket> = {}): MediaPacket {
  return {
    kind, codec: kind === 'video' ? 'avc1' : 'mp4a', role: 'frame', dts, cts: 0,
    keyframe: kind === 'audio', data: Buffer.alloc(100), ...opts,
  };
}

/** A sink that records what it got; `pendingBytes` is settable to simulate a slow socket. */
export class RecordingSink implements SubscriberSink {
  pendingBytes = 0;
  readonly got: { p: MediaPacket; dts: number }[] = [];
  readonly metadata: StreamMetadata[] = [];
  readonly events: string[] = [];
  closedWith: string | undefined;
  onMetadata(m: StreamMetadata): void { this.metadata.push(m); }
  onPacket(p: MediaPacket, dts: number): void { this.got.push({ p, dts }); }
  onPublisherEnd(reason: string): void { this.events.push(`end:${reason}`); }
  onPublisherStart(): void { this.events.push('start'); }
  onClose(reason: string): void { this.closedWith = reason; }
}
