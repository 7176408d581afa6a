import type { MediaPacket, StreamMetadata } from '../core/media-packet.js';
import type { Logger } from '../core/logger.js';
import { monotonicMs } from '../core/time.js';
import { GopCache, type GopCacheLimits } from './gop-cache.js';
import { DROP_LOG_INTERVAL_MS } from './limits.js';
import { Publisher } from './publisher.js';
import { Subscription, type SubscriptionOptions } from './subscription.js';
import { StreamHealth, SubscriberTotals, type ClockSource, type HealthThresholds, type ProtocolTotals } from './health/index.js';
import type { PublisherInfo, StreamStats, SubscriberInfo, SubscriberSink } from './types.js';

export interface HubStreamHooks {
  onActive(stream: HubStream, pub: Publisher): void;
  onDetach(stream: HubStream, pub: Publisher, reason: string): void;
  onSubscribersChanged(stream: HubStream, sub: Subscription, added: boolean, reason: string): void;
}

/**
 * One stream path: at most one publisher, any number of subscribers, a GOP cache for instant start. Fan-out is
 * a loop over subscriptions handing each the same packet object; nothing is copied per subscriber.
 */
export class HubStream {
  readonly stats: StreamStats = {
    bytesIn: 0, videoFrames: 0, audioFrames: 0, keyframes: 0, timestampWraps: 0, timestampJumps: 0,
    timestampNonMonotonic: 0, gopOverflows: 0, publishers: 0,
  };
  readonly gop: GopCache;
  private publisherRef: Publisher | undefined;
  private readonly subs = new Set<Subscription>();
  /**
   * The same subscriptions as an array, rebuilt (never mutated) at the first use after a change: the
   * per-packet fan-out is an indexed loop with no iterator allocated per packet, joins and leaves cost one
   * rebuild per packet at most however many there are, and a subscription added or removed during a loop
   * leaves that loop's snapshot alone (a new one already got this packet from the GOP cache replay).
   */
  private subList: readonly Subscription[] = [];
  private subListStale = false;
  private metadataRef: StreamMetadata | undefined;
  private active = false;
  private lastDropLog = 0;
  /** Where the next publisher's timeline starts: after everything this stream has carried. */
  private timelineEnd = 0;
  /** Ingest health of the current publisher; undefined when health monitoring is off (--health off). */
  readonly health: StreamHealth | undefined;
  private readonly subscriberTotals = new SubscriberTotals();

  constructor(
    readonly path: string,
    gopLimits: GopCacheLimits,
    private readonly subOptions: SubscriptionOptions,
    private readonly hooks: HubStreamHooks,
    private readonly log: Logger,
    health?: { readonly thresholds: HealthThresholds; readonly clocks: ClockSource },
  ) {
    this.gop = new GopCache(gopLimits);
    this.health = health ? new StreamHealth(health.thresholds, health.clocks) : undefined;
  }

  get publisher(): Publisher | undefined {
    return this.publisherRef;
  }

  get subscriberCount(): number {
    return this.subs.size;
  }

  get metadata(): StreamMetadata | undefined {
    return this.metadataRef;
  }

  get isActive(): boolean {
    return this.active;
  }

  /**
   * The smallest latency tolerance among the subscribers (SubscriberSink.latencyToleranceMs, absent = 0);
   * Infinity with none. Read per ingest batch, not per packet: the loop stops at the first real-time player.
   */
  get latencyToleranceMs(): number {
    const subs = this.fanout();
    let ms = Infinity;
    for (let i = 0; i < subs.length && ms > 0; i++) ms = Math.min(ms, subs[i]!.latencyToleranceMs);
    return ms;
  }

  subscriptions(): Iterable<Subscription> {
    return this.subs;
  }

  /** Per subscriber protocol: present subscribers, and bytes delivered and packets dropped by all, present and gone. */
  subscriberTotalsByProtocol(): Map<string, ProtocolTotals> {
    return this.subscriberTotals.totals(this.subs);
  }

  private fanout(): readonly Subscription[] {
    if (this.subListStale) {
      this.subList = [...this.subs];
      this.subListStale = false;
    }
    return this.subList;
  }

  /** Attaches a new publisher; the caller has already detached any previous one. */
  attach(id: number, info: PublisherInfo): Publisher {
    const pub = new Publisher(id, this.path, info, this, this.timelineEnd === 0 ? 0 : this.timelineEnd + 1);
    this.publisherRef = pub;
    this.active = false;
    this.metadataRef = undefined;
    this.gop.reset();
    this.health?.start(pub);
    this.stats.publishers++;
    for (const s of this.fanout()) {
      s.restartAtKeyframe();
      s.publisherStart();
    }
    return pub;
  }

  ingest(pub: Publisher, p: MediaPacket): void {
    if (pub !== this.publisherRef) return;
    const bytes = p.data.length;
    this.stats.bytesIn += bytes;
    // Each field is read once here and handed to health: packets reach the hub in several shapes, so every
    // property load is a polymorphic one.
    if (p.role === 'frame') {
      const video = p.kind === 'video';
      const keyframe = p.keyframe;
      if (this.health !== undefined) this.health.frame(p, video, p.dts, bytes, keyframe);
      if (video) {
        this.stats.videoFrames++;
        if (keyframe) this.stats.keyframes++;
      } else this.stats.audioFrames++;
      if (!this.active && (video ? keyframe : !this.gop.videoPresent)) {
        this.active = true;
        this.hooks.onActive(this, pub);
      }
    } else if (this.health !== undefined) this.health.record(p);
    const overflowsBefore = this.gop.overflows;
    this.gop.add(p);
    if (this.gop.overflows !== overflowsBefore) this.stats.gopOverflows++;
    const subs = this.fanout();
    for (let i = 0; i < subs.length; i++) subs[i]!.offer(p);
  }

  /** The publisher's bridge starts pushing one read of its input: health reads the arrival clock once per read. */
  received(pub: Publisher): void {
    if (pub === this.publisherRef && this.health !== undefined) this.health.received();
  }

  setMetadata(pub: Publisher, m: StreamMetadata): void {
    if (pub !== this.publisherRef) return;
    this.metadataRef = m;
    this.health?.setMetadata(m);
    for (const s of this.fanout()) s.metadata(m);
  }

  detach(pub: Publisher, reason: string): void {
    if (pub !== this.publisherRef) return;
    this.publisherRef = undefined;
    const ts = pub.timestamps;
    this.timelineEnd = Math.max(this.timelineEnd, ts.lastDts);
    this.stats.timestampWraps += ts.stats.wraps;
    this.stats.timestampJumps += ts.stats.jumps;
    this.stats.timestampNonMonotonic += ts.stats.nonMonotonic;
    this.active = false;
    this.health?.stop();
    for (const s of this.fanout()) s.publisherEnd(reason);
    this.hooks.onDetach(this, pub, reason);
  }

  /** Adds a subscriber and replays metadata, configs and the cached GOP so its first picture comes at once. */
  subscribe(info: SubscriberInfo, sink: SubscriberSink, limits?: Partial<SubscriptionOptions>): Subscription {
    const sub = new Subscription(info, sink, this.subscriptionOwner, limits ? { ...this.subOptions, ...limits } : this.subOptions);
    this.subs.add(sub);
    this.subListStale = true;
    if (this.publisherRef) {
      if (this.metadataRef) sub.metadata(this.metadataRef);
      for (const p of this.gop.snapshot()) sub.offer(p);
    }
    this.hooks.onSubscribersChanged(this, sub, true, 'subscribed');
    return sub;
  }

  private readonly subscriptionOwner = {
    hasVideo: (): boolean => this.gop.videoPresent,
    remove: (sub: Subscription, reason: string): void => {
      if (!this.subs.delete(sub)) return;
      this.subListStale = true;
      this.subscriberTotals.depart(sub);
      this.hooks.onSubscribersChanged(this, sub, false, reason);
    },
    onSlow: (sub: Subscription): void => {
      const now = monotonicMs();
      if (now - this.lastDropLog < DROP_LOG_INTERVAL_MS) return;
      this.lastDropLog = now;
      this.log.warn({ path: this.path, subscriber: sub.info, stats: sub.stats }, 'slow subscriber over budget: dropping to next keyframe');
    },
  };

  closeSubscribers(reason: string): void {
    for (const s of [...this.subs]) s.close(reason);
  }
}
