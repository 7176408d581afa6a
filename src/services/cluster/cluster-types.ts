/** Where the live owner of a stream can be pulled from (the edge side calls `locate`). */
export interface OwnerAddress {
  readonly nodeId: string;
  /** The owner's internal RTMP base, e.g. rtmp://10.0.0.2:1935. */
  readonly rtmpUrl: string;
  /** The owner's internal HTTP base (edges proxy its HLS there). */
  readonly httpUrl?: string;
}

export interface OwnerLocator {
  /** The live owner of hub path `path`; undefined when nobody live owns it, or when this node does. */
  locate(path: string): Promise<OwnerAddress | undefined>;
  /**
   * True when the registry shows node `nodeId` gone (record expired, or heartbeat overdue) although its leases may
   * still live; false when it looks alive or the store cannot be asked (an unreachable store never makes a node look dead).
   */
  ownerGone?(nodeId: string): Promise<boolean>;
}

/** A node as the registry shows it. */
export interface NodeRecord {
  readonly nodeId: string;
  readonly rtmpUrl: string;
  readonly httpUrl: string;
  readonly draining: boolean;
  readonly startedAt: string;
}

/**
 * The answer to a claim. `degraded`: the cluster store could not be asked (Redis down); the publish goes ahead
 * locally and the lease is claimed when the store is back (see README "Running several nodes").
 */
export type ClaimResult =
  | { readonly ok: true; readonly token: number; readonly degraded?: boolean }
  | { readonly ok: false; readonly owner: string; readonly token: number };

/** What crosses the cluster over pub/sub. Every event names the node that sent it. */
export type ClusterEvent =
  | { readonly type: 'node.up' | 'node.draining' | 'node.down'; readonly nodeId: string }
  | { readonly type: 'lease.claimed' | 'lease.released'; readonly nodeId: string; readonly path: string; readonly token: number }
  /** Ask the owner of `path` to end its publisher (a key reset or a disable made on another node). */
  | { readonly type: 'publisher.kick'; readonly nodeId: string; readonly path: string; readonly reason: string }
  /** A stream event the owner emitted (its webhooks are queued once, by the owner). */
  | { readonly type: 'stream.event'; readonly nodeId: string; readonly event: string; readonly streamId?: string };

/** Why this node no longer owns a path it was publishing. */
export interface LeaseLoss {
  readonly path: string;
  readonly reason: string;
}

/**
 * The control plane of a multi-node deployment: the node registry, stream ownership leases with fencing
 * tokens, and cluster events. The local implementation is the single-node default and decides everything
 * in memory; the Redis one shares it between nodes.
 */
export interface ClusterCoordinator extends OwnerLocator {
  readonly nodeId: string;
  /** True when other nodes may exist (Redis); false for the single-node default. */
  readonly clustered: boolean;
  /**
   * Makes this node id this process's before anything is done under it (start-up repair ends its id's open
   * sessions): throws ONAIR_ERR_CONFIG when another running process of the cluster uses it. Before `start`.
   */
  reserveId(): Promise<void>;
  /** True when another node of the cluster is up (or the store cannot tell: then assume so). Before `start`. */
  othersAlive(): Promise<boolean>;
  /** Registers this node (advertised URLs) and starts heartbeats. */
  start(advertise: { rtmpUrl: string; httpUrl: string }): Promise<void>;
  /**
   * Makes this node the owner of `path`. Another node's live lease refuses the claim unless `force` (takeover:
   * a new fencing token; the old owner sees it and kicks its publisher). Re-claiming a path this node holds keeps its token.
   */
  claim(path: string, opts: { force: boolean }): Promise<ClaimResult>;
  /** Gives up `path` (compare-and-set on this node's token: a lease someone else took is left alone). */
  release(path: string): Promise<void>;
  /** Paths this node holds a lease for. */
  held(): ReadonlyMap<string, number>;
  setDraining(draining: boolean): Promise<void>;
  /** Live nodes (heartbeat not expired), this one included. */
  nodes(): Promise<NodeRecord[]>;
  broadcast(event: ClusterEvent): Promise<void>;
  /** Events from every node (this one's too). Returns the unsubscribe function. */
  onEvent(listener: (event: ClusterEvent) => void): () => void;
  /** Called when a lease this node held is gone: expired, or claimed by another node with a higher token. */
  onLeaseLost(listener: (loss: LeaseLoss) => void): () => void;
  /**
   * Called when this node finds, at a heartbeat, that another node declared it lost (its registry entry had
   * expired: kill -9, or cut off from the store) and ended its sessions. Returns the unsubscribe function.
   */
  onDeclaredLost(listener: () => void): () => void;
  /**
   * Called once when a heartbeat finds another running process holding this node id (this node was cut off from
   * the store longer than a heartbeat lifetime and a second process started under its id meanwhile). The two would
   * share leases and sessions, so the node that finds it must leave. Returns the unsubscribe function.
   */
  onIdClash(listener: () => void): () => void;
  /** Small per-stream values shared by the cluster, with a lifetime (clustered coordinators only). */
  readonly notes?: StreamNotes;
  /** Messages to one node (clustered coordinators only): the edges' viewer reports to a stream's owner. */
  readonly mail?: NodeMail;
  /** What a surviving node needs to clean up after a dead one (clustered coordinators only). */
  readonly liveness?: NodeLiveness;
  /** Stops heartbeats and releases what it holds. Idempotent. */
  close(): Promise<void>;
}

/**
 * Registry facts for the dead-node sweep (services/cluster/dead-node-sweeper.ts). Every method that asks the
 * store throws when it cannot be asked: an unreachable store never makes a node look dead.
 */
export interface NodeLiveness {
  readonly nodeId: string;
  /** This node's current run: a new one each start and each time it finds itself declared lost. */
  run(): string;
  /** How long (ms) this node has reached the store without a break; 0 while it cannot. */
  steadyMs(): number;
  /** Which of `nodeIds` have a live registry entry (heartbeat not expired). */
  aliveAmong(nodeIds: readonly string[]): Promise<Set<string>>;
  /** Takes the cluster-wide sweep lock for `ms`: a token, or undefined when another node holds it. */
  lockSweep(ms: number): Promise<string | undefined>;
  unlockSweep(token: string): Promise<void>;
  /**
   * Declares `nodeId` lost, atomically with a last check that its registry entry is still absent (undefined:
   * it is back). The node learns it at its next heartbeat (and starts a new run). Returns its last heartbeat
   * (epoch ms) and the run it had then, if known.
   */
  markLost(nodeId: string): Promise<{ lastSeenMs: number | null; run: string | null } | undefined>;
  /** True when some node holds the lease of hub path `path`. */
  leaseHeld(path: string): Promise<boolean>;
}

/**
 * Small per-stream values in the cluster store beside the stream's lease (e.g. where its HLS playlist stands), each
 * with its own lifetime. Failures (store unreachable) reject; callers treat a note as a hint, never as truth.
 */
export interface StreamNotes {
  get(kind: string, path: string): Promise<string | undefined>;
  set(kind: string, path: string, value: string, ttlMs: number): Promise<void>;
  /** Deletes the note if its value still starts with `prefix` (compare-and-delete: another node may have written it since). */
  deleteIfStartsWith(kind: string, path: string, prefix: string): Promise<void>;
}

/**
 * Fire-and-forget messages to one node (Redis pub/sub on a channel per node id): nothing is kept for a node that is
 * not listening, so a sender that needs delivery repeats (the viewer reports do, once a health round).
 */
export interface NodeMail {
  /** Rejects when the store cannot be reached; resolves whether or not `nodeId` is listening. */
  send(nodeId: string, message: string): Promise<void>;
  /** Messages to this node. Returns the unsubscribe function. */
  onMail(listener: (message: string) => void): () => void;
}
