import type { Logger } from '../../core/logger.js';
import type { StreamHub } from '../../hub/index.js';
import type { LadderSetting } from '../streams/stream-types.js';
import { planLadder, renditionOf } from '../transcode/ladder.js';
import { sourceInfoOf } from '../transcode/source-info.js';
import type { RenditionInfo } from '../transcode/types.js';
import { EDGE_PROTOCOL, type EdgePulls } from './edge-pulls.js';
import type { OwnerLocator } from './owner-locator.js';

/** The ladder of a source path (services/transcode ladderLookup: the API stream's setting, else the server default). */
export type LadderOf = (streamPath: string) => Promise<{ ladder: LadderSetting } | undefined>;

interface Plan {
  readonly publisherId: number;
  readonly renditions: readonly RenditionInfo[];
}

/**
 * ABR on an edge: the owner transcodes, the edge pulls. For a source pulled here, the rungs the owner encodes are
 * the stream's ladder planned over the source's picture (the owner's TranscodeService plans the same way, from the
 * same setting and the same source), so each rung's hub path `<source>/<name>` is pulled from the owner like any
 * stream (EdgePulls: on demand, one pull per path, the same grace and retry rules). A rung the owner dropped (CPU
 * budget) or has not started yet is refused by the owner and simply not listed; the master playlist lists what has
 * a live packager here (hls-variants.ts), so its names, BANDWIDTH, RESOLUTION and CODECS come from the same media.
 */
export class EdgeRenditions {
  private readonly plans = new Map<string, Plan>();
  private readonly planning = new Map<string, Promise<Plan | undefined>>();
  private readonly off: () => void;

  constructor(private readonly deps: { hub: StreamHub; pulls: EdgePulls; ladderOf: LadderOf; log: Logger }) {
    this.off = deps.hub.events.on('unpublish', (e) => this.plans.delete(e.path));
  }

  /** The planned renditions of a pulled source, the source first; [] for anything else (sync, for the master playlist). */
  renditions(streamPath: string): readonly RenditionInfo[] {
    const plan = this.plans.get(streamPath);
    return plan && plan.publisherId === this.pulledPublisherId(streamPath) ? plan.renditions : [];
  }

  /** An HLS request for a pulled source: keeps every planned rendition's pull alive (or starts it). */
  touch(streamPath: string): void {
    for (const r of this.renditions(streamPath)) if (!r.source) this.deps.pulls.touch(r.path);
  }

  /**
   * Plans the ladder of a pulled source (once per pulled publisher) and waits until each rendition's pull is live
   * or refused (each bounded by the edge start timeout), so a first master playlist already lists them.
   */
  async ensure(streamPath: string): Promise<void> {
    const plan = await this.planOf(streamPath);
    if (!plan) return;
    await Promise.all(plan.renditions.filter((r) => !r.source).map((r) => this.deps.pulls.ensure(r.path)));
  }

  close(): void {
    this.off();
    this.plans.clear();
  }

  private async planOf(streamPath: string): Promise<Plan | undefined> {
    const publisherId = this.pulledPublisherId(streamPath);
    if (publisherId === undefined) return undefined;
    const have = this.plans.get(streamPath);
    if (have?.publisherId === publisherId) return have;
    let p = this.planning.get(streamPath);
    if (!p) {
      p = this.plan(streamPath, publisherId).finally(() => this.planning.delete(streamPath));
      this.planning.set(streamPath, p);
    }
    return p;
  }

  private async plan(streamPath: string, publisherId: number): Promise<Plan | undefined> {
    let ladder: LadderSetting | undefined;
    try {
      ladder = (await this.deps.ladderOf(streamPath))?.ladder;
    } catch (err) {
      this.deps.log.warn({ path: streamPath, err: (err as Error).message }, 'edge: ladder lookup failed; serving the source only');
      return undefined;
    }
    const stream = this.deps.hub.stream(streamPath);
    if (!ladder || !stream || this.pulledPublisherId(streamPath) !== publisherId) return undefined;
    const src = sourceInfoOf(stream);
    if (!src.width || !src.height) return undefined;
    const rungs = planLadder(ladder, { width: src.width, height: src.height, fps: src.fps });
    const plan: Plan = {
      publisherId,
      renditions: [
        { name: 'source', path: streamPath, width: src.width, height: src.height, fps: src.fps, videoBitrate: 0, audioBitrate: 0, source: true },
        ...rungs.map((r) => renditionOf(streamPath, r, src.audioCodec !== undefined)),
      ],
    };
    this.plans.set(streamPath, plan);
    return plan;
  }

  private pulledPublisherId(streamPath: string): number | undefined {
    const pub = this.deps.hub.stream(streamPath)?.publisher;
    return pub?.info.protocol === EDGE_PROTOCOL ? pub.id : undefined;
  }
}

/**
 * A rendition (`live/<id>/<name>`) lives where its source (`live/<id>`) lives: the owner's transcoder publishes it
 * there, and the cluster registry records only the source's owner.
 */
export function renditionAwareLocator(locator: OwnerLocator): OwnerLocator {
  return {
    locate: (path) => {
      const segments = path.split('/');
      return locator.locate(segments.length > 2 ? segments.slice(0, 2).join('/') : path);
    },
    ...(locator.ownerGone ? { ownerGone: (nodeId: string) => locator.ownerGone!(nodeId) } : {}),
  };
}
