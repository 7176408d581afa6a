import type { MediaPacket, StreamMetadata } from '../../core/media-packet.js';
import type { Logger } from '../../core/logger.js';
import type { StreamHub, Subscription, SubscriberSink } from '../../hub/index.js';
import { HlsRendition, type RenditionAligner, type ResumePoint, type SegmentPosition, type Timers } from '../../protocols/hls/index.js';
import { LL_VIEWER_TOLERANCE_MS, LL_VIEWER_WINDOW_MS, ingestToleranceMs, type HlsSettings } from './hls-settings.js';

/** After ENDLIST the packager stays this long so polling players read ENDLIST instead of a 404. */
export const ENDED_GRACE_MS = 30_000;

/** The passthrough rendition's id (ABR renditions get their own ids beside it). */
export const SOURCE_RENDITION = 'src';

export interface PackagerOptions {
  /** Tag naming this packager instance in media URIs ([a-z0-9], unique over the server's life). */
  readonly instance: string;
  readonly settings: HlsSettings;
  readonly log: Logger;
  readonly timers?: Timers;
  readonly now?: () => number;
  /** ABR renditions: follow the source's segments (src/protocols/hls/rendition-alignment.ts). */
  readonly align?: RenditionAligner;
  /** Called once when the packager is gone (closed), so the registry forgets it. */
  readonly onClosed: (p: HlsStreamPackager) => void;
  /** Continue another server's playlist of this stream (resume.ts) instead of starting at MSN 1. */
  readonly resume?: ResumePoint;
  /** Told where the source's playlist stands after each completed segment. */
  readonly segmentDone?: (position: SegmentPosition) => void;
  /** Called once at ENDLIST (the stream is over, not just its publisher away). */
  readonly onEnded?: (p: HlsStreamPackager) => void;
}

/**
 * One stream's HLS output: a hub subscriber (waiting across publisher reconnects) feeding its renditions.
 * Lifecycle: publisher leaves -> reconnect window; back in time -> the playlists continue after an
 * EXT-X-DISCONTINUITY; not back -> ENDLIST, and after ENDED_GRACE_MS the packager closes and leaves the hub.
 */
export class HlsStreamPackager implements SubscriberSink {
  readonly pendingBytes = 0;
  private readonly idleToleranceMs: number;
  readonly renditions = new Map<string, HlsRendition>();
  readonly instance: string;
  /** performance.now() when it was made (the start of its stream here, or of the stream after an ENDLIST). */
  readonly startedAt = performance.now();
  private subscription: Subscription | undefined;
  private reconnectTimer: unknown;
  private graceTimer: unknown;
  private closed = false;
  private readonly timers: Timers;

  constructor(
    readonly path: string,
    private readonly options: PackagerOptions,
  ) {
    this.instance = options.instance;
    this.idleToleranceMs = ingestToleranceMs(options.settings);
    this.timers = options.timers ?? { setTimeout: (fn, ms) => setTimeout(fn, ms).unref(), clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) };
    const warn = (msg: string): void => options.log.warn({ path }, `hls: ${msg}`);
    this.renditions.set(SOURCE_RENDITION, new HlsRendition(SOURCE_RENDITION, {
      settings: options.settings, timers: this.timers, warn, ...(options.now ? { now: options.now } : {}),
      ...(options.align ? { align: options.align } : {}), ...(options.segmentDone ? { segmentDone: options.segmentDone } : {}),
    }));
    if (options.resume) this.source.resume(options.resume);
  }

  /** Where this packager continued another server's playlist from; undefined = it started one. */
  get resumedFrom(): ResumePoint | undefined {
    return this.options.resume;
  }

  /**
   * How long input may wait (merged reads; the hub reads it per ingest batch): LL_VIEWER_TOLERANCE_MS while LL-HLS
   * viewers watch any rendition of this packager, else half a part (ingestToleranceMs).
   */
  get latencyToleranceMs(): number {
    const s = this.options.settings;
    if (s.partMs === undefined || s.readAtOnceForViewers === false) return this.idleToleranceMs;
    const since = (this.options.now ?? Date.now)() - LL_VIEWER_WINDOW_MS;
    for (const r of this.renditions.values()) if (r.lowLatencyRequestedAt > since) return LL_VIEWER_TOLERANCE_MS;
    return this.idleToleranceMs;
  }

  get source(): HlsRendition {
    return this.renditions.get(SOURCE_RENDITION)!;
  }

  get ended(): boolean {
    return this.source.ended;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Subscribes to the hub (waitForPublisher: the subscription survives publisher reconnects). */
  start(hub: StreamHub): void {
    this.subscription = hub.subscribe(this.path, { protocol: 'hls', remoteAddress: 'internal' }, this, { waitForPublisher: true });
  }

  onMetadata(m: StreamMetadata): void {
    this.source.metadata(m);
  }

  onPacket(p: MediaPacket): void {
    // p.dts is the stream timeline: continuous across publishers, unlike the per-subscriber rebased dts.
    try {
      this.source.packet(p);
    } catch (err) {
      this.options.log.error({ err, path: this.path }, 'hls packager failed on a packet');
    }
  }

  onPublisherStart(): void {
    if (this.ended) return;
    this.clearTimer('reconnectTimer');
    for (const r of this.renditions.values()) r.publisherStart();
  }

  onPublisherEnd(reason: string): void {
    for (const r of this.renditions.values()) r.publisherEnd();
    const windowMs = this.options.settings.reconnectWindowMs;
    this.options.log.debug({ path: this.path, reason, windowMs }, 'hls: publisher left, reconnect window open');
    this.clearTimer('reconnectTimer');
    if (windowMs === 0) this.end();
    else this.reconnectTimer = this.timers.setTimeout(() => this.end(), windowMs);
  }

  onClose(): void {
    this.close();
  }

  /** ENDLIST now; close after the grace period so polling players read it. */
  end(): void {
    if (this.closed || this.ended) return;
    this.clearTimer('reconnectTimer');
    for (const r of this.renditions.values()) r.end();
    this.options.onEnded?.(this);
    this.graceTimer = this.timers.setTimeout(() => this.close(), ENDED_GRACE_MS);
  }

  /** Idempotent: leaves the hub, answers parked requests, drops the media. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.clearTimer('reconnectTimer');
    this.clearTimer('graceTimer');
    for (const r of this.renditions.values()) r.close();
    this.subscription?.close('hls packager closed');
    this.options.onClosed(this);
  }

  private clearTimer(which: 'reconnectTimer' | 'graceTimer'): void {
    if (this[which] !== undefined) this.timers.clearTimeout(this[which]);
    this[which] = undefined;
  }
}
