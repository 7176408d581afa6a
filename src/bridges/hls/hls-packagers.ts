import type { Logger } from '../../core/logger.js';
import type { DeliveryPreferences, PublisherInfo, StreamHub } from '../../hub/index.js';
import { type RenditionTimeline, SourceAlignment, type Timers } from '../../protocols/hls/index.js';
import type { HlsSettings } from './hls-settings.js';
import { HlsStreamPackager } from './hls-stream-packager.js';

/**
 * Every stream's packager, by hub path. A packager starts when a publisher does (so the first viewer finds
 * segments ready) and lives through the reconnect window; a publish after ENDLIST starts a fresh one.
 */
export class HlsPackagers {
  private readonly byPath = new Map<string, HlsStreamPackager>();
  private readonly offPublish: () => void;
  private closed = false;
  private instances = 0;

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
  ) {
    this.offPublish = hub.events.on('publish', (e) => this.packages(e.publisher, e.path) && this.ensure(e.path));
    for (const s of hub.streams()) if (s.publisher && this.packages(s.publisher.info, s.path)) this.ensure(s.path);
  }

  get(path: string): HlsStreamPackager | undefined {
    return this.byPath.get(path);
  }

  get size(): number {
    return this.byPath.size;
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
  }

  /** Every path gets one; for a path that is no ABR rendition it answers undefined (own rules). */
  private alignmentOf(path: string, timeline: RenditionTimeline): SourceAlignment {
    return new SourceAlignment(() => {
      const t = timeline(path);
      const p = t && this.byPath.get(t.sourcePath);
      return p && !p.ended ? p.source : undefined;
    }, () => timeline(path)?.offsetMs);
  }

  private ensure(path: string): void {
    if (this.closed) return;
    const existing = this.byPath.get(path);
    if (existing && !existing.ended) return; // a reconnect: the packager's subscription hears onPublisherStart
    existing?.close();
    const p = new HlsStreamPackager(path, {
      // Start time plus a counter: unique across restarts of the server and within one run.
      instance: `${Date.now().toString(36)}${(this.instances++).toString(36)}`,
      // Fixed for the packager's life: a settings change applies from the next publish after ENDLIST.
      settings: this.settingsFor(this.hub.stream(path)?.publisher?.info.delivery), log: this.log, ...(this.timers ? { timers: this.timers } : {}),
      ...(this.timeline ? { align: this.alignmentOf(path, this.timeline) } : {}),
      onClosed: (gone) => {
        if (this.byPath.get(path) === gone) this.byPath.delete(path);
      },
    });
    this.byPath.set(path, p);
    p.start(this.hub);
  }
}
