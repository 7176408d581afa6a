import type { Logger } from '../../core/logger.js';
import type { StreamHub } from '../../hub/index.js';
import type { ClusterCoordinator } from './cluster-types.js';
import { INTERNAL_PROTOCOLS, type ClusterPublishGate } from './publish-gate.js';

export const DRAIN_KICK_REASON = 'node draining: reconnect to another node';

/**
 * `onair drain`: the node refuses new publishers, shows itself draining in the registry, closes its publishers
 * so their encoders reconnect (through the load balancer) to another node, and `drained` resolves once no
 * publisher is left; the process then exits. OnAir's RTMP stack has no E-RTMP ReconnectRequest, so publishers
 * are closed, which encoders that reconnect (OBS, hardware encoders) treat like a network drop.
 */
export class NodeDrainer {
  readonly drained: Promise<void>;
  private resolveDrained!: () => void;
  private started = false;
  /** Publishers closed when the drain started (a later ask answers the same figure, not what is left). */
  private closing = 0;

  constructor(private readonly deps: {
    hub: StreamHub; coordinator: ClusterCoordinator; gate: ClusterPublishGate; log: Logger;
    /**
     * Workers: drains every worker of the machine (through the primary) and answers how many publishers they close
     * together; undefined when the primary did not answer in time (the answer is then this worker's own count).
     */
    drainMachine?: () => Promise<number | undefined>;
  }) {
    this.drained = new Promise((resolve) => (this.resolveDrained = resolve));
  }

  get draining(): boolean {
    return this.started;
  }

  /** `onair drain` (idempotent): this node, or with workers the whole machine; returns how many publishers are closed. */
  async drain(): Promise<{ publishers: number }> {
    const here = await this.drainHere();
    const machine = this.deps.drainMachine ? await this.deps.drainMachine() : undefined;
    return { publishers: machine ?? here.publishers };
  }

  /** Starts draining this process only (idempotent); returns how many of its publishers it closes. */
  async drainHere(): Promise<{ publishers: number }> {
    const { hub, coordinator, gate, log } = this.deps;
    if (this.started) return { publishers: this.closing };
    const live = this.livePaths();
    this.started = true;
    this.closing = live.length;
    gate.refuseNewPublishers();
    await coordinator.setDraining(true);
    log.info({ publishers: live.length }, 'draining: new publishers refused, closing the live ones');
    let done = false;
    const off = hub.events.on('unpublish', () => setImmediate(check));
    const check = () => {
      if (done || this.livePaths().length > 0) return;
      done = true;
      off();
      log.info('drained: no publisher left');
      this.resolveDrained();
    };
    for (const path of live) hub.kickPublisher(path, DRAIN_KICK_REASON);
    check();
    return { publishers: live.length };
  }

  private livePaths(): string[] {
    const out: string[] = [];
    for (const s of this.deps.hub.streams()) {
      if (s.publisher && !INTERNAL_PROTOCOLS.has(s.publisher.info.protocol)) out.push(s.path);
    }
    return out;
  }
}
