/**
 * The seam between the data plane (edge pulls, this folder) and whatever knows where a live stream is published
 * (the multi-node coordinator in Redis, the primary of `--workers`, or a fixed origin). Implemented structurally.
 */
export interface OwnerAddress {
  /** Who owns the stream (for logs and to notice an owner change). */
  nodeId: string;
  /** The owner's internal RTMP base, e.g. rtmp://10.0.0.2:1935 (no app, no name). */
  rtmpUrl: string;
  /** The owner's internal HTTP base, e.g. http://10.0.0.2:8080: an edge proxies HLS there (`--edge-hls proxy`); absent = HLS is packaged here. */
  httpUrl?: string;
}

export interface OwnerLocator {
  /** `path` is the hub stream path (`live/<playbackId>`); undefined = no owner elsewhere. */
  locate(path: string): Promise<OwnerAddress | undefined>;
  /**
   * True when the locator knows node `nodeId` is gone (the cluster registry: its heartbeat expired or overdue) while
   * it may still be named owner (its leases outlive it by up to a lease); false when alive or unknown. Optional.
   */
  ownerGone?(nodeId: string): Promise<boolean>;
}

/**
 * After a request to `nodeId` failed with `err`: true when that owner is gone, i.e. its port refused the connection
 * (nothing listens there) or the locator's registry says so (its heartbeat overdue while its lease may still name
 * it: a kill -9, a lost host). A registry that cannot be asked counts as not gone.
 */
export async function ownerFoundGone(locator: OwnerLocator, nodeId: string, err: Error | undefined): Promise<boolean> {
  if ((err as NodeJS.ErrnoException | undefined)?.code === 'ECONNREFUSED') return true;
  return (await locator.ownerGone?.(nodeId).catch(() => false)) === true;
}

/** One origin for every stream (`--edge-origin`): an edge in front of one OnAir, or a test's second server. */
export class StaticOwnerLocator implements OwnerLocator {
  private readonly owner: OwnerAddress;

  constructor(rtmpUrl: string, nodeId = 'origin', httpUrl = '') {
    this.owner = { nodeId, rtmpUrl: rtmpUrl.replace(/\/+$/, ''), ...(httpUrl ? { httpUrl: httpUrl.replace(/\/+$/, '') } : {}) };
  }

  async locate(): Promise<OwnerAddress | undefined> {
    return this.owner;
  }
}

/**
 * Asks each locator in turn; the first owner found wins. `skip` drops an answer that must not be pulled from
 * (`--workers` with `--cluster`: the registry lists this machine's other workers as nodes, and those are reached
 * through the first locator, the workers' directory; pulling from the machine's shared port could loop back here).
 */
export class FirstOwnerLocator implements OwnerLocator {
  constructor(private readonly locators: readonly OwnerLocator[], private readonly skip: (owner: OwnerAddress) => boolean = () => false) {}

  async locate(path: string): Promise<OwnerAddress | undefined> {
    for (const locator of this.locators) {
      const owner = await locator.locate(path);
      if (owner) return this.skip(owner) ? undefined : owner;
    }
    return undefined;
  }

  async ownerGone(nodeId: string): Promise<boolean> {
    for (const locator of this.locators) if (await locator.ownerGone?.(nodeId)) return true;
    return false;
  }
}
