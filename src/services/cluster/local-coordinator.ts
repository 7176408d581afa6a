import { TypedEmitter } from '../../core/typed-emitter.js';
import type { ClaimResult, ClusterCoordinator, ClusterEvent, LeaseLoss, NodeRecord } from './cluster-types.js';

/**
 * The single-node default: this process is the whole cluster, so every claim succeeds (the hub's own
 * takeover policy decides between two local publishers), nobody else owns anything and events stay in-process.
 */
export class LocalCoordinator implements ClusterCoordinator {
  readonly clustered = false;
  private readonly leases = new Map<string, number>();
  private readonly emitter = new TypedEmitter<{ event: [ClusterEvent]; lost: [LeaseLoss] }>(() => {});
  private nextToken = 1;
  private self: NodeRecord;

  constructor(readonly nodeId: string) {
    this.self = { nodeId, rtmpUrl: '', httpUrl: '', draining: false, startedAt: new Date().toISOString() };
  }

  async reserveId(): Promise<void> {}

  async othersAlive(): Promise<boolean> {
    return false;
  }

  async start(advertise: { rtmpUrl: string; httpUrl: string }): Promise<void> {
    this.self = { ...this.self, ...advertise };
  }

  async claim(path: string): Promise<ClaimResult> {
    let token = this.leases.get(path);
    if (token === undefined) this.leases.set(path, (token = this.nextToken++));
    return { ok: true, token };
  }

  async release(path: string): Promise<void> {
    this.leases.delete(path);
  }

  held(): ReadonlyMap<string, number> {
    return this.leases;
  }

  async locate(): Promise<undefined> {
    return undefined;
  }

  async setDraining(draining: boolean): Promise<void> {
    this.self = { ...this.self, draining };
  }

  async nodes(): Promise<NodeRecord[]> {
    return [this.self];
  }

  async broadcast(event: ClusterEvent): Promise<void> {
    this.emitter.emit('event', event);
  }

  onEvent(listener: (event: ClusterEvent) => void): () => void {
    return this.emitter.on('event', listener);
  }

  onLeaseLost(listener: (loss: LeaseLoss) => void): () => void {
    return this.emitter.on('lost', listener);
  }

  /** A single node is never declared lost by anyone. */
  onDeclaredLost(): () => void {
    return () => {};
  }

  /** A single node's id is never claimed by anyone else. */
  onIdClash(): () => void {
    return () => {};
  }

  async close(): Promise<void> {
    this.leases.clear();
  }
}
