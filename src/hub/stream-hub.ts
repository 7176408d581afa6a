import { OnAirError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { TypedEmitter } from '../core/typed-emitter.js';
import type { GopCacheLimits } from './gop-cache.js';
import { performanceClocks, type ClockSource, type HealthThresholds } from './health/index.js';
import { HubStream } from './hub-stream.js';
import type { Publisher } from './publisher.js';
import type { Subscription, SubscriptionOptions } from './subscription.js';
import type { HubEvents, PublisherInfo, StreamEventInfo, SubscriberInfo, SubscriberSink } from './types.js';

export interface StreamHubOptions {
  gop: GopCacheLimits;
  subscriber: SubscriptionOptions;
  /** What a second publisher on a live path does: replace the first, or be refused. */
  takeover: 'takeover' | 'reject';
  /** Ingest health thresholds; absent = no health measurement (nothing added to the per-packet path). */
  health?: HealthThresholds;
  /** The arrival clock of health (default performance.now()); a simulated one lets tests and benches replay media faster than real time. */
  healthClocks?: ClockSource;
}

/**
 * The protocol-free centre: publishers in, subscribers out, keyed by stream path. Bridges translate
 * protocols to MediaPackets; the hub only routes, caches and counts. A stream lives while it has a
 * publisher or a subscriber.
 */
export class StreamHub {
  readonly events: TypedEmitter<HubEvents>;
  private readonly streamsByPath = new Map<string, HubStream>();
  private nextPublisherId = 1;
  private closed = false;
  /** Health thresholds and the clock of arrivals (undefined: health off). */
  private readonly health: { readonly thresholds: HealthThresholds; readonly clocks: ClockSource } | undefined;

  constructor(
    private readonly options: StreamHubOptions,
    private readonly log: Logger,
  ) {
    this.events = new TypedEmitter<HubEvents>((err, event) => log.error({ err, event }, 'hub event listener threw'));
    this.health = options.health ? { thresholds: options.health, clocks: options.healthClocks ?? performanceClocks } : undefined;
  }

  /**
   * Starts publishing `path`. With takeover the current publisher is kicked (its bridge closes the old
   * connection) and subscribers continue from the new publisher's first keyframe; with reject this throws
   * ONAIR_ERR_CONFLICT.
   */
  publish(path: string, info: PublisherInfo): Publisher {
    if (this.closed) throw new OnAirError('ONAIR_ERR_CLOSED', 'hub closed');
    const current = this.streamsByPath.get(path)?.publisher;
    if (current) {
      if (this.options.takeover === 'reject') throw new OnAirError('ONAIR_ERR_CONFLICT', `stream ${path} already has a publisher`);
      this.log.info({ path, old: current.id }, 'publisher takeover');
      current.kick('taken over by a new publisher');
    }
    // After the kick: a stream left with no subscribers was dropped, and starts afresh here.
    const stream = this.getOrCreate(path);
    const pub = stream.attach(this.nextPublisherId++, info);
    this.events.emit('publish', eventInfo(pub));
    return pub;
  }

  /**
   * Subscribes `sink` to `path`. Without a live publisher this throws ONAIR_ERR_NOT_FOUND unless
   * `waitForPublisher` is set (internal outputs such as the HLS muxer wait across publisher reconnects).
   * `limits` overrides the hub's subscriber budget and slow timeout for this one (a re-push target has its own).
   */
  subscribe(
    path: string, info: SubscriberInfo, sink: SubscriberSink, opts: { waitForPublisher?: boolean; limits?: Partial<SubscriptionOptions> } = {},
  ): Subscription {
    if (this.closed) throw new OnAirError('ONAIR_ERR_CLOSED', 'hub closed');
    const existing = this.streamsByPath.get(path);
    if (!existing?.publisher && !opts.waitForPublisher) throw new OnAirError('ONAIR_ERR_NOT_FOUND', `no publisher on ${path}`);
    return this.getOrCreate(path).subscribe(info, sink, opts.limits);
  }

  /** Ends the live publisher of `path` (key reset, stream disabled). */
  kickPublisher(path: string, reason: string): boolean {
    const pub = this.streamsByPath.get(path)?.publisher;
    if (!pub) return false;
    pub.kick(reason);
    return true;
  }

  stream(path: string): HubStream | undefined {
    return this.streamsByPath.get(path);
  }

  streams(): IterableIterator<HubStream> {
    return this.streamsByPath.values();
  }

  /** Kicks every publisher and closes every subscriber. Idempotent. */
  close(reason = 'server shutting down'): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of [...this.streamsByPath.values()]) {
      s.publisher?.kick(reason);
      s.closeSubscribers(reason);
    }
    this.streamsByPath.clear();
  }

  private getOrCreate(path: string): HubStream {
    let stream = this.streamsByPath.get(path);
    if (!stream) {
      stream = new HubStream(path, this.options.gop, this.options.subscriber, this.streamHooks, this.log, this.health);
      this.streamsByPath.set(path, stream);
    }
    return stream;
  }

  private dropIfUnused(stream: HubStream): void {
    if (!stream.publisher && stream.subscriberCount === 0 && this.streamsByPath.get(stream.path) === stream) {
      this.streamsByPath.delete(stream.path);
    }
  }

  private readonly streamHooks = {
    onActive: (_stream: HubStream, pub: Publisher) => this.events.emit('active', eventInfo(pub)),
    onDetach: (stream: HubStream, pub: Publisher, reason: string) => {
      this.events.emit('unpublish', {
        ...eventInfo(pub), reason, bytesIn: pub.bytesIn, durationMs: Date.now() - pub.startedAt.getTime(),
      });
      this.dropIfUnused(stream);
    },
    onSubscribersChanged: (stream: HubStream, sub: Subscription, added: boolean, reason: string) => {
      if (added) this.events.emit('subscribe', { path: stream.path, subscriber: sub.info, subscribers: stream.subscriberCount });
      else {
        this.events.emit('unsubscribe', { path: stream.path, subscriber: sub.info, subscribers: stream.subscriberCount, reason, stats: sub.stats });
        this.dropIfUnused(stream);
      }
    },
  };
}

function eventInfo(pub: Publisher): StreamEventInfo {
  return { path: pub.path, publisherId: pub.id, publisher: pub.info, startedAt: pub.startedAt };
}
