import type { MediaPacket, StreamMetadata } from '../core/media-packet.js';
import { monotonicMs } from '../core/time.js';
import { RESUME_BUDGET_FRACTION } from './limits.js';
import type { SubscriberInfo, SubscriberSink, SubscriberStats } from './types.js';

export interface SubscriptionOptions {
  /** Bytes the sink may hold before the subscriber is dropped to the next keyframe. */
  budgetBytes: number;
  /** Over budget for longer than this => closed as too slow. */
  slowTimeoutMs: number;
}

export interface SubscriptionOwner {
  hasVideo(): boolean;
  remove(sub: Subscription, reason: string): void;
  onSlow(sub: Subscription): void;
}

/**
 * One subscriber of one stream: gates packets by keyframe and byte budget and rebases timestamps. Holds no
 * queue of its own: the sink's own buffer (a socket's) is the queue and the budget bounds it, so a stalled
 * player costs at most its budget plus one message.
 */
export class Subscription {
  readonly stats: SubscriberStats = { packetsDelivered: 0, bytesDelivered: 0, dropEpisodes: 0, packetsDropped: 0 };
  private waitingForKeyframe = true;
  private dropping = false;
  private overBudgetSince = 0;
  private base: number | undefined;
  private closed = false;

  constructor(
    readonly info: SubscriberInfo,
    private readonly sink: SubscriberSink,
    private readonly owner: SubscriptionOwner,
    private readonly options: SubscriptionOptions,
  ) {}

  /** What the sink holds unsent (bounded by the budget plus one message). */
  get pendingBytes(): number {
    return this.sink.pendingBytes;
  }

  /** The sink's SubscriberSink.latencyToleranceMs (absent = 0, real time). */
  get latencyToleranceMs(): number {
    return this.sink.latencyToleranceMs ?? 0;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Delivers `p` if the subscriber can take it; otherwise counts a drop. */
  offer(p: MediaPacket): void {
    if (this.closed) return;
    if (p.role === 'config' || p.role === 'end') {
      // Configs are tiny and needed to decode whatever comes next: never dropped.
      this.deliver(p);
      return;
    }
    const resumePoint = this.isResumePoint(p);
    if (this.waitingForKeyframe) {
      if (!resumePoint) return;
      this.waitingForKeyframe = false;
    }
    const pending = this.sink.pendingBytes;
    if (this.dropping) {
      if (resumePoint && pending <= this.options.budgetBytes * RESUME_BUDGET_FRACTION) {
        this.dropping = false;
      } else {
        this.stats.packetsDropped++;
        this.checkSlow();
        return;
      }
    } else if (pending > this.options.budgetBytes) {
      this.dropping = true;
      this.overBudgetSince = monotonicMs();
      this.stats.dropEpisodes++;
      this.stats.packetsDropped++;
      this.owner.onSlow(this);
      return;
    }
    this.deliver(p);
  }

  /** After a publisher change the next decodable point is the new publisher's first keyframe. */
  restartAtKeyframe(): void {
    this.waitingForKeyframe = true;
  }

  metadata(m: StreamMetadata): void {
    if (!this.closed) this.sink.onMetadata(m);
  }

  publisherStart(): void {
    if (!this.closed) this.sink.onPublisherStart();
  }

  publisherEnd(reason: string): void {
    if (!this.closed) this.sink.onPublisherEnd(reason);
  }

  /** Ends the subscription: the sink hears onClose once and the stream forgets it. Idempotent. */
  close(reason = 'closed'): void {
    if (this.closed) return;
    this.closed = true;
    this.owner.remove(this, reason);
    this.sink.onClose(reason);
  }

  private isResumePoint(p: MediaPacket): boolean {
    return this.owner.hasVideo() ? p.kind === 'video' && p.keyframe : true;
  }

  private deliver(p: MediaPacket): void {
    if (this.base === undefined && p.role === 'frame') this.base = p.dts;
    const dts = this.base === undefined ? 0 : Math.max(0, p.dts - this.base);
    this.stats.packetsDelivered++;
    this.stats.bytesDelivered += p.data.length;
    this.sink.onPacket(p, dts);
  }

  private checkSlow(): void {
    if (monotonicMs() - this.overBudgetSince > this.options.slowTimeoutMs) this.close('slow subscriber: over budget too long');
  }
}
