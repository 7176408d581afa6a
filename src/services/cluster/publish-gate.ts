import type { Logger } from '../../core/logger.js';
import type { StreamHub } from '../../hub/index.js';
import type { PublishDecision } from '../auth/auth-types.js';
import { INTERNAL_PROTOCOLS } from '../streams/hub-lifecycle-link.js';
import type { ClusterCoordinator } from './cluster-types.js';

/** An admitted publish that never reaches the hub (the connection died after auth) gives its lease back after this. */
const PENDING_PUBLISH_MS = 10_000;
// Transcoder renditions and edge pulls are this node's own publishers: they never hold a lease and are not drained.
export { INTERNAL_PROTOCOLS } from '../streams/hub-lifecycle-link.js';

export interface PublishGateDeps {
  readonly coordinator: ClusterCoordinator;
  readonly hub: StreamHub;
  /** --takeover: a live owner on another node is replaced (its publisher kicked) or the new publish refused. */
  readonly takeover: 'takeover' | 'reject';
  readonly log: Logger;
}

/**
 * Stream ownership around the publish path: an authorised publish claims the stream's lease before any media
 * is accepted (`admit`), the lease is renewed by the coordinator while the publisher is live and released when
 * the last local publisher of the path ends. A lost lease (expired, or fenced by a higher token) kicks the local
 * publisher. While draining, every new publish is refused.
 */
export class ClusterPublishGate {
  private readonly pending = new Map<string, { count: number; timer: NodeJS.Timeout }>();
  private readonly log: Logger;
  private readonly offs: (() => void)[];
  private draining = false;

  constructor(private readonly deps: PublishGateDeps) {
    this.log = deps.log.child({ mod: 'cluster' });
    const { hub, coordinator } = deps;
    this.offs = [
      hub.events.on('publish', (e) => {
        if (!INTERNAL_PROTOCOLS.has(e.publisher.protocol)) this.arrived(e.path);
      }),
      hub.events.on('unpublish', (e) => {
        if (!INTERNAL_PROTOCOLS.has(e.publisher.protocol)) setImmediate(() => this.releaseIfUnused(e.path));
      }),
      coordinator.onLeaseLost(({ path, reason }) => {
        if (hub.kickPublisher(path, `cluster: ${reason}`)) this.log.warn({ path, reason }, 'publisher kicked: this node lost the stream lease');
      }),
      // Another node ended this node's sessions while it was cut off: start afresh (the encoders reconnect and get new ones).
      coordinator.onDeclaredLost(() => {
        for (const s of hub.streams()) {
          if (s.publisher && !INTERNAL_PROTOCOLS.has(s.publisher.info.protocol)) hub.kickPublisher(s.path, 'cluster: this node was declared lost');
        }
      }),
      coordinator.onEvent((e) => {
        if (e.type === 'publisher.kick' && e.nodeId !== coordinator.nodeId && coordinator.held().has(e.path)) {
          if (hub.kickPublisher(e.path, e.reason)) this.log.info({ path: e.path, from: e.nodeId }, 'publisher closed at another node\'s request');
        }
      }),
    ];
  }

  /** Called with the auth decision of every publish: claims the lease of an allowed one, or refuses it. */
  async admit(decision: PublishDecision): Promise<PublishDecision> {
    if (!decision.ok) return decision;
    const path = decision.streamPath;
    if (this.draining) {
      this.log.info({ path }, 'publish refused: this node is draining');
      return { ok: false, code: 'unauthorized', reason: 'this node is draining: publish to another node' };
    }
    const claim = await this.deps.coordinator.claim(path, { force: this.deps.takeover === 'takeover' });
    if (!claim.ok) {
      this.log.info({ path, owner: claim.owner }, 'publish refused: the stream is live on another node (--takeover reject)');
      return { ok: false, code: 'unauthorized', reason: `stream is live on node ${claim.owner}` };
    }
    if (claim.degraded) this.log.warn({ path }, 'publish accepted without the cluster store: its lease is claimed when Redis is back');
    this.expect(path);
    return decision;
  }

  /**
   * Kicks the publisher of `path` wherever it is: here, or (when this node has none) on its owner, by a
   * cluster event. True when a local publisher was kicked.
   */
  kickPublisher(path: string, reason: string): boolean {
    if (this.deps.hub.kickPublisher(path, reason)) return true;
    if (this.deps.coordinator.clustered) void this.deps.coordinator.broadcast({ type: 'publisher.kick', nodeId: this.deps.coordinator.nodeId, path, reason });
    return false;
  }

  /** Refuse every publish from now on (drain). */
  refuseNewPublishers(): void {
    this.draining = true;
  }

  close(): void {
    this.offs.forEach((off) => off());
    for (const p of this.pending.values()) clearTimeout(p.timer);
    this.pending.clear();
  }

  private expect(path: string): void {
    const p = this.pending.get(path);
    if (p) clearTimeout(p.timer);
    const timer = setTimeout(() => {
      this.pending.delete(path);
      this.releaseIfUnused(path);
    }, PENDING_PUBLISH_MS);
    timer.unref();
    this.pending.set(path, { count: (p?.count ?? 0) + 1, timer });
  }

  private arrived(path: string): void {
    const p = this.pending.get(path);
    if (!p) return;
    if (--p.count > 0) return;
    clearTimeout(p.timer);
    this.pending.delete(path);
  }

  /** After a local publisher ended: give the lease back unless another local publisher has it or is on its way (takeover). */
  private releaseIfUnused(path: string): void {
    if (this.pending.has(path) || this.localPublisher(path)) return;
    void this.deps.coordinator.release(path);
  }

  private localPublisher(path: string): boolean {
    const pub = this.deps.hub.stream(path)?.publisher;
    return pub !== undefined && pub !== null && !INTERNAL_PROTOCOLS.has(pub.info.protocol);
  }
}
