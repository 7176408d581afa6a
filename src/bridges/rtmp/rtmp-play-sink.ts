import type { MediaPacket, StreamMetadata } from '../../core/media-packet.js';
import type { Flushable, FlushScheduler } from '../../core/flush-scheduler.js';
import type { SubscriberSink } from '../../hub/index.js';
import type { ServerSession } from '../../protocols/rtmp/index.js';
import type { SharedChunks } from './shared-chunks.js';

/**
 * Queued messages up to this count go out as one buffer shared by every player with the same queue
 * (SharedChunks.combine); a longer queue (the GOP replayed to a new player) is written as a vector instead of
 * being copied for one player.
 */
const MAX_COMBINED_MESSAGES = 4;

/** Where a player's bytes go: its socket (servers/net/SocketOutput on plain TCP). */
export interface PlayerOutput {
  /** Drops the bytes once the output is closed. */
  write(bytes: Buffer): void;
  /** `parts` in order, as one vector write where the output can. */
  writev(parts: readonly Buffer[]): void;
  /** Bytes accepted but not yet handed to the network. */
  readonly pendingBytes: number;
}

/**
 * Hub -> RTMP player. Messages are buffers shared with every player rebased at the same keyframe
 * (SharedMessage.wire); they queue here until the FlushScheduler's round, and then cost this player one write.
 * The output's buffer is the queue beyond that and `pendingBytes` lets the hub enforce the byte budget.
 */
export class RtmpPlaySink implements SubscriberSink, Flushable {
  receiveAudio = true;
  receiveVideo = true;
  paused = false;
  flushQueued = false;
  private sawVideo = false;
  private readonly queued: Buffer[] = [];
  private queuedBytes = 0;

  constructor(
    private readonly output: PlayerOutput,
    private readonly session: ServerSession,
    private readonly streamId: number,
    private readonly shared: SharedChunks,
    private readonly scheduler: FlushScheduler,
    private readonly onClosed: (reason: string) => void,
  ) {}

  get pendingBytes(): number {
    return this.output.pendingBytes + this.queuedBytes;
  }

  onMetadata(m: StreamMetadata): void {
    this.flush();
    this.session.sendData(this.streamId, 0, this.shared.metadata(m));
  }

  onPacket(p: MediaPacket, dts: number): void {
    if (this.paused || (p.kind === 'audio' ? !this.receiveAudio : !this.receiveVideo)) return;
    const m = this.shared.get(p);
    const wire = m.wire(dts, this.streamId);
    if (!wire) {
      // Extended timestamp (after ~4.6 h of play): it repeats on every continuation, so no shared body. The
      // peer last saw a fmt0 header on this csid that the writer did not write: start the writer afresh.
      this.flush();
      this.session.writer.reset(m.csid);
      this.output.write(this.session.writer.write({ csid: m.csid, typeId: m.typeId, streamId: this.streamId, timestamp: dts, payload: m.body }));
      return;
    }
    this.queued.push(wire);
    this.queuedBytes += wire.length;
    // Audio of a video stream waits for the next video frame; see FlushScheduler.
    if (p.kind === 'video') this.sawVideo = true;
    if (p.kind === 'audio' && this.sawVideo) this.scheduler.hold(this);
    else this.scheduler.flushSoon(this);
  }

  /** Writes whatever is queued; anything else written to the socket must call this first to keep order. */
  flush(): void {
    const q = this.queued;
    if (q.length === 0) return;
    if (q.length === 1) this.output.write(q[0]!);
    else if (q.length <= MAX_COMBINED_MESSAGES) this.output.write(this.shared.combine(q));
    else this.output.writev(q);
    q.length = 0;
    this.queuedBytes = 0;
  }

  onPublisherEnd(): void {
    this.flush();
    this.session.notifyUnpublish(this.streamId);
  }

  onPublisherStart(): void {
    this.flush();
    this.session.notifyPublish(this.streamId);
  }

  onClose(reason: string): void {
    this.queued.length = 0;
    this.queuedBytes = 0;
    this.onClosed(reason);
  }
}
