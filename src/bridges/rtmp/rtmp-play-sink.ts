import type { Socket } from 'node:net';
import type { MediaPacket, StreamMetadata } from '../../core/media-packet.js';
import type { SubscriberSink } from '../../hub/index.js';
import type { ServerSession } from '../../protocols/rtmp/index.js';
import type { SharedChunks } from './shared-chunks.js';
import type { CorkScheduler } from '../../core/cork-scheduler.js';

/**
 * Hub -> RTMP player. Each packet costs this player one write of a buffer shared with every player rebased at
 * the same keyframe (SharedMessage.wire); the socket's buffer is the queue and `pendingBytes` lets the hub
 * enforce the byte budget.
 */
export class RtmpPlaySink implements SubscriberSink {
  receiveAudio = true;
  receiveVideo = true;
  paused = false;
  private sawVideo = false;

  constructor(
    private readonly socket: Socket,
    private readonly session: ServerSession,
    private readonly streamId: number,
    private readonly shared: SharedChunks,
    private readonly corks: CorkScheduler,
    private readonly onClosed: (reason: string) => void,
  ) {}

  get pendingBytes(): number {
    return this.socket.writableLength;
  }

  onMetadata(m: StreamMetadata): void {
    this.session.sendData(this.streamId, 0, this.shared.metadata(m));
  }

  onPacket(p: MediaPacket, dts: number): void {
    if (this.paused || (p.kind === 'audio' ? !this.receiveAudio : !this.receiveVideo)) return;
    const m = this.shared.get(p);
    // Audio of a video stream waits (corked) for the next video frame; see CorkScheduler.
    if (p.kind === 'video') this.sawVideo = true;
    if (p.kind === 'audio' && this.sawVideo) this.corks.hold(this.socket);
    else this.corks.flushSoon(this.socket);
    const wire = m.wire(dts, this.streamId);
    if (wire) {
      this.socket.write(wire);
    } else {
      // Extended timestamp (after ~4.6 h of play): it repeats on every continuation, so no shared body. The
      // peer last saw a fmt0 header on this csid that the writer did not write: start the writer afresh.
      this.session.writer.reset(m.csid);
      this.socket.write(this.session.writer.write({ csid: m.csid, typeId: m.typeId, streamId: this.streamId, timestamp: dts, payload: m.body }));
    }
  }

  onPublisherEnd(): void {
    this.session.notifyUnpublish(this.streamId);
  }

  onPublisherStart(): void {
    this.session.notifyPublish(this.streamId);
  }

  onClose(reason: string): void {
    this.onClosed(reason);
  }
}
