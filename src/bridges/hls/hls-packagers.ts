import type { Logger } from '../../core/logger.js';
import type { DeliveryPreferences, PublisherInfo, StreamHub } from '../../hub/index.js';
import {
  type RenditionTimeline, type ResumePoint, type SegmentPosition, SourceAlignment, type Timers, resumeAfter,
} from '../../protocols/hls/index.js';
import type { HlsSettings } from './hls-settings.js';
import { HlsStreamPackager } from './hls-stream-packager.js';

/**
 * A stream's playlist across servers (cluster mode, services/cluster/hls-continuity.ts): the position each source
 * playlist reaches, and where a new packager continues one another server had, so a publisher that moves to this
 * server (its owner died, or was drained) continues the playlist viewers already follow.
 */
export interface PlaylistContinuity {
  /** The last position recorded for `path` by another server, if any; synchronous (fetched when the publish was admitted). */
  take(path: string): SegmentPosition | undefined;
  /** `path`'s source playlist after a completed segment, kept `ttlMs` (recorded only while this node owns the stream). */
  record(path: string, instance: string, position: SegmentPosition, ttlMs: number): void;
  /** `path`'s playlist made by `instance` ended (ENDLIST): not one to continue any more. */
  ended(path: string, instance: string): void;
  /**
   * True for a publisher whose HLS this server packages but never serves (a pull from a node whose HLS is proxied):
   * no viewer follows that packager's playlist, so when the stream's own publisher arrives here it gives way to a
   * packager continuing the cluster's playlist.
   */
  unserved(publisher: PublisherInfo, path: string): boolean;
}

/** A recorded position outlives the reconnect window by this many target durations (the segment in progress when the publisher left). */
const POSITION_SLACK_TARGET_DURATIONS = 3;
/** Paths with requests waiting for their packager (whenStarted) at once; past it a new path's wait ends at once. */
const MAX_AWAITED_PATHS = 10_000;

/**
 * Every stream's packager, by hub path. A packager starts when a publisher does (so the first viewer finds
 * segments ready) and lives through the reconnect window; a publish after ENDLIST starts a fresh one.
 */
export class HlsPackagers {
  private readonly byPath = new Map<string, HlsStreamPackager>();
  /** Packagers started for an unserved publisher (PlaylistContinuity.unserved). */
  private readonly unservedPackagers = new WeakSet<HlsStreamPackager>();
  private readonly offPublish: () => void;
  private closed = false;
  private instances = 0;
  /** whenStarted: one wait per path, whatever the number of requests. */
  private readonly awaited = new Map<string, { promise: Promise<boolean>; done: (started: boolean) => void }>();

  constructor(
    private readonly hub: StreamHub,
    /** A new packager's settings from its publisher's delivery preferences (see hlsSettings). */
    private readonly settingsFor: (delivery: DeliveryPreferences | undefined) => HlsSettings,
    private readonly log: Logger,
    private readonly timers?: Timers,
    /** ABR renditions' place on their source's timeline, for PDT alignment; none = every path on its own. */
    private readonly timeline?: RenditionTimeline,
    /**
     * Which publishers get a packager (workers: not pulls from a sibling worker, whose HLS that worker serves;
     * `--edge-hls proxy`: not pulls from a node whose HLS is proxied).
     */
    private readonly packages: (publisher: PublisherInfo, path: string) => boolean = () => true,
    /** Cluster mode: playlists continue across servers; absent = each packager starts its own (single node). */
    private readonly continuity?: PlaylistContinuity,
  ) {
    this.offPublish = hub.events.on('publish', (e) => this.packages(e.publisher, e.path) && this.ensure(e.path, e.publisher));
    for (const s of hub.streams()) if (s.publisher && this.packages(s.publisher.info, s.path)) this.ensure(s.path, s.publisher.info);
  }

  get(path: string): HlsStreamPackager | undefined {
    return this.byPath.get(path);
  }

  get size(): number {
    return this.byPath.size;
  }

  /**
   * Resolves true once `path` has a packager (at once if it has one), false after `ms` or at close. For a request
   * that arrives a moment before the packager it asks for: a stream whose lease this node just claimed (its publish
   * is on its way to the hub), an ABR rendition whose transcoder is starting. Every request for one path shares one
   * timer (the first one's bound).
   */
  whenStarted(path: string, ms: number): Promise<boolean> {
    if (this.byPath.has(path)) return Promise.resolve(true);
    if (this.closed) return Promise.resolve(false);
    const waiting = this.awaited.get(path);
    if (waiting) return waiting.promise;
    if (this.awaited.size >= MAX_AWAITED_PATHS) return Promise.resolve(false);
    let done!: (started: boolean) => void;
    const promise = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => done(false), ms);
      timer.unref();
      done = (started) => {
        clearTimeout(timer);
        this.awaited.delete(path);
        resolve(started);
      };
    });
    this.awaited.set(path, { promise, done });
    return promise;
  }

  values(): IterableIterator<HlsStreamPackager> {
    return this.byPath.values();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.offPublish();
    for (const p of [...this.byPath.values()]) p.close();
    this.byPath.clear();
    for (const w of [...this.awaited.values()]) w.done(false);
  }

  /**
   * Cluster mode: a source playlist continues the one another server had (its last recorded position) and records
   * its own; an ABR rendition (its source here) continues from the point its source resumed from (the renditions
   * were aligned on the other server too: same MSNs, dates, discontinuity count), its gaps and first MSN taken
   * from the source's (RenditionIngest.sourceGaps). Nothing to record when the reconnect window is 0: nothing continues then.
   */
  private continuing(path: string, source: string | undefined, instance: string, settings: HlsSettings, last: SegmentPosition | undefined): {
    resume?: ResumePoint; segmentDone?: (position: SegmentPosition) => void; onEnded?: () => void;
  } {
    const continuity = this.continuity;
    if (!continuity) return {};
    if (source !== undefined) {
      const from = this.byPath.get(source)?.resumedFrom;
      if (!from) return {};
      // Not the source's track ends: a rendition's timeline starts at 0 at its transcoder's first frame, and where its
      // old playlist's tracks ended was never recorded (its gaps' fragments start on its own timeline).
      const { trackEnds: _sourceEnds, ...point } = from;
      return { resume: point };
    }
    if (settings.reconnectWindowMs === 0) return last ? { resume: resumeAfter(last) } : {};
    const ttlMs = settings.reconnectWindowMs + POSITION_SLACK_TARGET_DURATIONS * Math.max(1000, settings.segmentMs);
    return {
      ...(last ? { resume: resumeAfter(last) } : {}),
      segmentDone: (position) => continuity.record(path, instance, position, ttlMs),
      onEnded: () => continuity.ended(path, instance),
    };
  }

  /** Every path gets one; for a path that is no ABR rendition it answers undefined (own rules). */
  private alignmentOf(path: string, timeline: RenditionTimeline): SourceAlignment {
    return new SourceAlignment(() => {
      const t = timeline(path);
      const p = t && this.byPath.get(t.sourcePath);
      return p && !p.ended ? p.source : undefined;
    }, () => timeline(path)?.offsetMs);
  }

  private ensure(path: string, publisher: PublisherInfo): void {
    if (this.closed) return;
    const existing = this.byPath.get(path);
    const last = this.continuity?.take(path);
    if (existing && !existing.ended) {
      // A reconnect: the packager's subscription hears onPublisherStart and its playlist, the one its viewers
      // follow, goes on (a position fetched for this publish is dropped)...
      if (!last || !this.unservedPackagers.has(existing) || this.continuity!.unserved(publisher, path)) return;
      // ...unless no viewer followed it (it packaged a pull whose HLS was proxied): the stream's publisher moved
      // here, and the playlist to go on is the cluster's, the old owner's.
      this.log.info({ path, msn: last.msn }, 'hls: the stream moved here: its playlist continues the previous owner\'s');
    }
    existing?.close();
    // Fixed for the packager's life: a settings change applies from the next publish after ENDLIST.
    const settings = this.settingsFor(this.hub.stream(path)?.publisher?.info.delivery);
    const source = this.timeline?.(path)?.sourcePath;
    // Start time plus a counter: unique across restarts of the server and within one run.
    const instance = `${Date.now().toString(36)}${(this.instances++).toString(36)}`;
    const p = new HlsStreamPackager(path, {
      instance, settings, log: this.log, ...(this.timers ? { timers: this.timers } : {}),
      ...(this.timeline ? { align: this.alignmentOf(path, this.timeline) } : {}),
      ...this.continuing(path, source, instance, settings, last),
      onClosed: (gone) => {
        if (this.byPath.get(path) === gone) this.byPath.delete(path);
      },
    });
    this.byPath.set(path, p);
    if (this.continuity?.unserved(publisher, path)) this.unservedPackagers.add(p);
    p.start(this.hub);
    this.awaited.get(path)?.done(true);
  }
}
