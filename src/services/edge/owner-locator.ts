/**
 * The seam between the data plane (edge pulls, this folder) and whatever knows where a live stream is published
 * (the multi-node coordinator in Redis, the primary of `--workers`, or a fixed origin). Implemented structurally.
 */
export interface OwnerAddress {
  /** Who owns the stream (for logs and to notice an owner change). */
  nodeId: string;
  /** The owner's internal RTMP base, e.g. rtmp://10.0.0.2:1935 (no app, no name). */
  rtmpUrl: string;
}

export interface OwnerLocator {
  /** `path` is the hub stream path (`live/<playbackId>`); undefined = no owner elsewhere. */
  locate(path: string): Promise<OwnerAddress | undefined>;
}

/** One origin for every stream (`--edge-origin`): an edge in front of one OnAir, or a test's second server. */
export class StaticOwnerLocator implements OwnerLocator {
  private readonly owner: OwnerAddress;

  constructor(rtmpUrl: string, nodeId = 'origin') {
    this.owner = { nodeId, rtmpUrl: rtmpUrl.replace(/\/+$/, '') };
  }

  async locate(): Promise<OwnerAddress | undefined> {
    return this.owner;
  }
}
