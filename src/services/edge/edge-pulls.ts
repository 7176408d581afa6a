import type { Logger } from '../../core/logger.js';
import type { Publisher, PublisherInfo, StreamHub } from '../../hub/index.js';
import { type OwnerAddress, type OwnerLocator, ownerFoundGone } from './owner-locator.js';
import { signEdgeToken } from './edge-token.js';

/** PublisherInfo.protocol of a pulled stream: the server's own publisher (no sessions, webhooks, recording, ABR). */
export const EDGE_PROTOCOL = 'edge';

/**
 * SubscriberInfo.protocol of an internal pull at the stream's owner (another worker's, or an edge node's: an RTMP
 * play with a valid edge token). Not a viewer: the puller's viewers are counted where they are (README "Viewer counts
 * under workers"), and bytes sent to it are not bytes sent to viewers.
 */
export const PULL_SUBSCRIBER_PROTOCOL = 'pull';

/** The publisher of `path` in this process when it is its own (an encoder, a transcoder), not a pull from another node. */
export function ownPublisher(hub: StreamHub, path: string): Publisher | undefined {
  const pub = hub.stream(path)?.publisher;
  return pub !== undefined && pub.info.protocol !== EDGE_PROTOCOL ? pub : undefined;
}

/** One pull attempt, as the edge asks its connector (servers/rtmp: RTMP play from the owner into the hub). */
export interface PullRequest {
  readonly owner: OwnerAddress;
  readonly path: string;
  /** The internal pull token for `path` (edge-token.ts); goes in the play URL's query, never in a log. */
  readonly token: string;
  /** Deadline of each connection step. */
  readonly timeoutMs: number;
  /** How the local publisher presents itself in the hub. */
  readonly publisher: PublisherInfo;
}

export interface PullHooks {
  /** The owner started playing to us. */
  onLive(): void;
  /**
   * The attempt ended (refused, failed, or the connection dropped); `err` is why. `notFound`: the owner answered
   * that it has no such live stream. Called once.
   */
  onEnd(err: Error | undefined, notFound?: boolean): void;
}

export interface PullHandle {
  close(reason: string): void;
}

export type PullConnector = (req: PullRequest, hooks: PullHooks) => PullHandle;

export interface EdgePullOptions {
  /** A pull stops this long after its last local viewer left (or its last HLS request). */
  readonly graceMs: number;
  /** How long a first viewer waits for the pulled stream's first keyframe. */
  readonly startTimeoutMs: number;
  readonly retryMinMs: number;
  readonly retryMaxMs: number;
  /** How often a running pull asks the locator again (an owner change moves the pull). */
  readonly relocateMs: number;
}

export const DEFAULT_EDGE_PULL_OPTIONS: EdgePullOptions = {
  graceMs: 10_000, startTimeoutMs: 10_000, retryMinMs: 500, retryMaxMs: 10_000, relocateMs: 5_000,
};

/**
 * Subscribers that keep a pull going: people watching, and another node's pull of this pull (a chain of static
 * --edge-origin nodes). The HLS packager, recorder and transcoder are the server's own.
 */
const VIEWER_PROTOCOLS = new Set(['rtmp', 'rtmps', 'flv', 'ws-flv', 'srt', PULL_SUBSCRIBER_PROTOCOL]);

/** After the locator said "nobody", HLS requests do not ask again for this long. */
const NO_OWNER_MEMORY_MS = 2_000;

interface Pull {
  readonly path: string;
  owner: OwnerAddress | undefined;
  handle: PullHandle | undefined;
  /** Consecutive failed attempts (the backoff exponent). */
  failures: number;
  viewers: number;
  lastUse: number;
  lastLocate: number;
  locating: boolean;
  retryTimer: NodeJS.Timeout | undefined;
  readonly waiters: Set<(live: boolean) => void>;
  /**
   * The owner this pull had, found gone (its port refused, or the registry shows its heartbeat overdue), or that no
   * node owns the stream since: the stream is between owners. Viewers are told so at once; cleared once it plays.
   */
  goneOwner: string | undefined;
}

/**
 * The edge policy: when a viewer asks for a stream that has no publisher here and the locator names an owner,
 * ONE pull per stream feeds the local hub as a publisher, so every local output (RTMP, FLV, HLS packaging) works
 * unchanged. The pull stops `graceMs` after its last viewer, retries with backoff while viewers wait, and moves
 * when the locator names another owner.
 */
export class EdgePulls {
  private readonly pulls = new Map<string, Pull>();
  private readonly noOwnerUntil = new Map<string, number>();
  private readonly offs: (() => void)[];
  private readonly sweeper: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly deps: {
    hub: StreamHub; locator: OwnerLocator; connector: PullConnector; secret: string; log: Logger; options: EdgePullOptions;
  }) {
    const { hub } = deps;
    this.offs = [
      hub.events.on('subscribe', (e) => {
        const pull = this.pulls.get(e.path);
        if (pull && VIEWER_PROTOCOLS.has(e.subscriber.protocol)) pull.viewers++;
      }),
      hub.events.on('unsubscribe', (e) => {
        const pull = this.pulls.get(e.path);
        if (!pull || !VIEWER_PROTOCOLS.has(e.subscriber.protocol)) return;
        pull.viewers = Math.max(0, pull.viewers - 1);
        pull.lastUse = Date.now();
      }),
      hub.events.on('active', (e) => {
        const pull = this.pulls.get(e.path);
        if (pull) this.settle(pull, true);
      }),
    ];
    this.sweeper = setInterval(() => this.sweep(), Math.max(50, Math.min(1000, deps.options.graceMs / 4)));
    this.sweeper.unref();
  }

  /** Paths pulled now (tests, metrics). */
  get pulling(): string[] {
    return [...this.pulls.keys()];
  }

  /** The node `path` is pulled from (set before its publisher appears in the hub); undefined = not pulled here. */
  ownerOf(path: string): OwnerAddress | undefined {
    return this.pulls.get(path)?.owner;
  }

  /** True when `path` is pulled with a live connection to its owner. */
  isLive(path: string): boolean {
    return this.pulls.get(path)?.handle !== undefined && this.deps.hub.stream(path)?.publisher?.info.protocol === EDGE_PROTOCOL;
  }

  /**
   * A viewer asks for `path`, which has no local publisher: resolves true once the stream is decodable here (the
   * pull's first keyframe), false when no node owns it, when it is between owners (`between`: its owner is gone and
   * no other is named yet; told at once, not after the wait) or `startTimeoutMs` passes.
   */
  async ensure(path: string): Promise<boolean> {
    if (this.closed) return false;
    if (ownPublisher(this.deps.hub, path)) return true;
    const stream = this.deps.hub.stream(path);
    const pull = this.pullFor(path);
    if (!pull) return false;
    if (stream?.isActive && stream.publisher) return true;
    if (pull.goneOwner !== undefined && !pull.handle && !(await this.nextOwnerNamed(pull))) return false;
    return new Promise((resolve) => {
      const done = (live: boolean): void => {
        clearTimeout(timer);
        pull.waiters.delete(done);
        resolve(live);
      };
      const timer = setTimeout(() => done(false), this.deps.options.startTimeoutMs);
      pull.waiters.add(done);
    });
  }

  /** True when `path`'s pull is between owners: the one it had is gone and no other is named yet. */
  between(path: string): boolean {
    return this.pulls.get(path)?.goneOwner !== undefined;
  }

  /**
   * A viewer came while its pull is between owners: asks the locator now (the pull's own retry may be seconds away);
   * true when it names another owner (the pull connects to it at once), false when still none.
   */
  private async nextOwnerNamed(pull: Pull): Promise<boolean> {
    const owner = await this.locate(pull);
    if (this.pulls.get(pull.path) !== pull || pull.handle) return this.pulls.get(pull.path) === pull;
    if (!owner || owner.nodeId === pull.goneOwner) return false;
    clearTimeout(pull.retryTimer);
    pull.retryTimer = undefined;
    pull.failures = 0;
    this.connect(pull, owner);
    return true;
  }

  /**
   * An HLS request for `path` (HLS viewers are requests, not subscribers): keeps its pull alive, or starts one in
   * the background when the stream has no publisher here (its playlist lingers through the reconnect window).
   */
  touch(path: string): void {
    const pull = this.pulls.get(path);
    if (pull) {
      pull.lastUse = Date.now();
      return;
    }
    if (this.closed || this.deps.hub.stream(path)?.publisher) return;
    this.pullFor(path);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.sweeper);
    this.offs.forEach((off) => off());
    for (const pull of [...this.pulls.values()]) this.finish(pull, 'server shutting down');
  }

  private pullFor(path: string): Pull | undefined {
    let pull = this.pulls.get(path);
    if (pull) {
      pull.lastUse = Date.now();
      return pull;
    }
    if ((this.noOwnerUntil.get(path) ?? 0) > Date.now()) return undefined;
    pull = {
      path, owner: undefined, handle: undefined, failures: 0, viewers: 0, lastUse: Date.now(), lastLocate: 0, locating: false,
      retryTimer: undefined, waiters: new Set(), goneOwner: undefined,
    };
    this.pulls.set(path, pull);
    void this.locateAndConnect(pull);
    return pull;
  }

  private async locateAndConnect(pull: Pull): Promise<void> {
    pull.retryTimer = undefined;
    const owner = await this.locate(pull);
    if (this.pulls.get(pull.path) !== pull || pull.handle) return;
    if (!owner) {
      if (!pull.owner) {
        // Nobody publishes it anywhere: the waiting viewers are told at once, and HLS polls do not ask again for a while.
        this.noOwnerUntil.set(pull.path, Date.now() + NO_OWNER_MEMORY_MS);
        return this.finish(pull, 'no owner');
      }
      // Its owner left and no node owns it yet (a failover, a drain): waiting viewers are told now, not after the wait.
      this.ownerIsGone(pull, pull.owner.nodeId);
      return this.retryLater(pull, 'owner gone');
    }
    this.connect(pull, owner);
  }

  private async locate(pull: Pull): Promise<OwnerAddress | undefined> {
    pull.locating = true;
    pull.lastLocate = Date.now();
    try {
      return await this.deps.locator.locate(pull.path);
    } catch (err) {
      this.deps.log.warn({ path: pull.path, err: (err as Error).message }, 'edge: owner lookup failed');
      return pull.owner; // keep pulling from the last known owner
    } finally {
      pull.locating = false;
    }
  }

  private connect(pull: Pull, owner: OwnerAddress): void {
    const moved = pull.owner && pull.owner.nodeId !== owner.nodeId;
    pull.owner = owner;
    const log = this.deps.log.child({ path: pull.path, owner: owner.nodeId });
    log.info({ moved: Boolean(moved) }, 'edge pull starting');
    let wentLive = false;
    const handle: PullHandle = this.deps.connector(
      {
        owner, path: pull.path, token: signEdgeToken(this.deps.secret, pull.path), timeoutMs: this.deps.options.startTimeoutMs,
        publisher: { protocol: EDGE_PROTOCOL, remoteAddress: owner.nodeId },
      },
      {
        onLive: () => {
          wentLive = true;
          pull.failures = 0;
          pull.goneOwner = undefined;
          log.info('edge pull live');
        },
        onEnd: (err, notFound) => {
          if (pull.handle !== handle) return;
          pull.handle = undefined;
          if (this.pulls.get(pull.path) !== pull) return;
          log.info({ reason: err?.message ?? 'closed' }, 'edge pull ended');
          if (notFound && !wentLive && pull.viewers === 0) {
            // The owner has no such stream (a static origin answers for every name): waiting viewers are told now.
            this.noOwnerUntil.set(pull.path, Date.now() + NO_OWNER_MEMORY_MS);
            return this.finish(pull, 'not live at the owner');
          }
          this.retryLater(pull, err?.message ?? 'closed');
          if (!wentLive) void this.checkGone(pull, owner, err);
        },
      },
    );
    pull.handle = handle;
  }

  /** The attempt failed or the owner went away: try again with backoff while someone watches. */
  private retryLater(pull: Pull, reason: string): void {
    if (!this.inUse(pull)) return this.finish(pull, reason);
    const { retryMinMs, retryMaxMs } = this.deps.options;
    const base = Math.min(retryMaxMs, retryMinMs * 2 ** Math.min(pull.failures, 20));
    pull.failures++;
    const delay = base / 2 + Math.random() * (base / 2);
    clearTimeout(pull.retryTimer);
    pull.retryTimer = setTimeout(() => void this.locateAndConnect(pull), delay);
    pull.retryTimer.unref();
  }

  /**
   * An attempt on `owner` failed: gone when its port refused (nothing listens there) or the registry says so (its
   * heartbeat overdue while its lease still names it: a kill -9, a lost host).
   */
  private async checkGone(pull: Pull, owner: OwnerAddress, err: Error | undefined): Promise<void> {
    const gone = await ownerFoundGone(this.deps.locator, owner.nodeId, err);
    if (gone && this.pulls.get(pull.path) === pull && !pull.handle) this.ownerIsGone(pull, owner.nodeId);
  }

  /** The viewers waiting for the pull are told it is between owners (ensure resolves false; `between` says why). */
  private ownerIsGone(pull: Pull, nodeId: string): void {
    if (pull.goneOwner === undefined) this.deps.log.info({ path: pull.path, owner: nodeId }, 'edge pull: the owner is gone, the stream is between owners');
    pull.goneOwner = nodeId;
    this.settle(pull, false);
  }

  private inUse(pull: Pull): boolean {
    return pull.viewers > 0 || pull.waiters.size > 0 || Date.now() - pull.lastUse < this.deps.options.graceMs;
  }

  /** Stops idle pulls; asks the locator again for running ones (an owner change moves the pull). */
  private sweep(): void {
    const now = Date.now();
    for (const pull of [...this.pulls.values()]) {
      if (!this.inUse(pull)) {
        this.finish(pull, 'no viewers');
        continue;
      }
      if (pull.handle && !pull.locating && now - pull.lastLocate >= this.deps.options.relocateMs) void this.relocate(pull);
    }
    for (const [path, until] of this.noOwnerUntil) if (until <= now) this.noOwnerUntil.delete(path);
  }

  private async relocate(pull: Pull): Promise<void> {
    const owner = await this.locate(pull);
    if (this.pulls.get(pull.path) !== pull || !pull.handle || !owner || !pull.owner) return;
    if (owner.nodeId === pull.owner.nodeId && owner.rtmpUrl === pull.owner.rtmpUrl) return;
    this.deps.log.info({ path: pull.path, from: pull.owner.nodeId, to: owner.nodeId }, 'edge pull moves to the new owner');
    const old = pull.handle;
    pull.handle = undefined;
    old.close('owner changed');
    pull.failures = 0;
    this.connect(pull, owner);
  }

  private settle(pull: Pull, live: boolean): void {
    for (const done of [...pull.waiters]) done(live);
  }

  private finish(pull: Pull, reason: string): void {
    if (this.pulls.get(pull.path) !== pull) return;
    this.pulls.delete(pull.path);
    clearTimeout(pull.retryTimer);
    const handle = pull.handle;
    pull.handle = undefined;
    handle?.close(reason);
    this.settle(pull, false);
    this.deps.log.info({ path: pull.path, reason }, 'edge pull stopped');
  }
}
