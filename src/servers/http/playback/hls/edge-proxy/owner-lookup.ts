import { setNewest } from '../../../../../core/bounded-map.js';
import { ownerFoundGone, type OwnerAddress, type OwnerLocator } from '../../../../../services/edge/index.js';
import type { EdgeHlsProxyOptions } from './proxy-options.js';

/** What knownOwner answers when the locator has to be asked. */
export const UNKNOWN: unique symbol = Symbol('unknown owner');

const MAX_OWNERS = 10_000;
/** How often a request held for a stream's next owner asks the locator (one loop per stream, whatever the audience). */
const OWNER_POLL_MS = 250;
/** An owner found gone is not asked again for this long (its requests go straight to the gone answer); then probed again. */
const GONE_MEMORY_MS = 1_000;

interface OwnerEntry {
  readonly at: number;
  owner: Promise<OwnerAddress | undefined>;
  /** The locator answered: `found` is its answer. */
  settled: boolean;
  found: OwnerAddress | undefined;
}

type LookupTimes = Pick<EdgeHlsProxyOptions, 'ownerTtlMs' | 'ownerGoneRetryMs' | 'ownerWaitMs'>;

/**
 * Which node owns each stream, as the locator (Redis, or the primary under --workers) says, remembered ownerTtlMs so
 * a request costs no round trip; which streams were owned a moment ago (between owners rather than over); and which
 * owners were found gone a moment ago (not asked again). Every map is bounded (MAX_OWNERS, newest kept).
 */
export class OwnerLookup {
  private readonly owners = new Map<string, OwnerEntry>();
  /** performance.now() at which each stream was last found owned. */
  private readonly lastOwned = new Map<string, number>();
  /** Requests held for a stream's next owner share one poll per stream and owner gone. */
  private readonly ownerWaits = new Map<string, Promise<OwnerAddress | undefined>>();
  /** performance.now() at which an owner (node id) was found gone: refused connections, or its heartbeat overdue. */
  private readonly goneOwners = new Map<string, number>();
  private closed = false;

  constructor(private readonly locator: OwnerLocator, private readonly times: LookupTimes) {}

  /** The owner of `streamPath` as the locator last said (remembered ownerTtlMs, so not one Redis round trip per request). */
  owner(streamPath: string): Promise<OwnerAddress | undefined> {
    const now = performance.now();
    const hit = this.owners.get(streamPath);
    if (hit && now - hit.at < this.times.ownerTtlMs) return hit.owner;
    const entry: OwnerEntry = { at: now, owner: undefined!, settled: false, found: undefined };
    const owner = this.locator.locate(streamPath).then((found) => {
      entry.settled = true;
      entry.found = found;
      if (found) {
        setNewest(this.lastOwned, streamPath, performance.now(), MAX_OWNERS);
      }
      return found;
    });
    entry.owner = owner;
    setNewest(this.owners, streamPath, entry, MAX_OWNERS);
    return owner;
  }

  /**
   * The owner of `streamPath` when the locator's answer is at hand (asked within ownerTtlMs and answered: the
   * owner, or undefined for none); UNKNOWN when it has to be asked (owner()).
   */
  knownOwner(streamPath: string): OwnerAddress | undefined | typeof UNKNOWN {
    const hit = this.owners.get(streamPath);
    if (!hit || !hit.settled || performance.now() - hit.at >= this.times.ownerTtlMs) return UNKNOWN;
    return hit.found;
  }

  /** The next request for `streamPath` asks the locator again (its owner did not answer: it may have changed). */
  forget(streamPath: string): void {
    this.owners.delete(streamPath);
  }

  /**
   * True when `streamPath` had an owner within ownerGoneRetryMs: without one now, it is between owners (a failover,
   * a drain) rather than over, and players are told to retry (503) instead of that it is not live (404), which
   * hls.js does not retry: its playlist would stop for good.
   */
  recentlyOwned(streamPath: string): boolean {
    const at = this.lastOwned.get(streamPath);
    return at !== undefined && performance.now() - at < this.times.ownerGoneRetryMs;
  }

  /**
   * The next owner of `streamPath` other than `gone` (the one that did not answer; undefined: there was none), once
   * the locator names one, or undefined after ownerWaitMs. Every request waiting for one stream shares one poll.
   */
  awaitOwner(streamPath: string, gone: string | undefined): Promise<OwnerAddress | undefined> {
    const key = `${gone ?? ''} ${streamPath}`;
    let wait = this.ownerWaits.get(key);
    if (!wait) {
      if (this.ownerWaits.size >= MAX_OWNERS) return Promise.resolve(undefined);
      wait = this.pollOwner(streamPath, gone).finally(() => this.ownerWaits.delete(key));
      this.ownerWaits.set(key, wait);
    }
    return wait;
  }

  /** True when `owner` is gone: its port refused the connection (nothing listens there), or the registry says so. */
  async checkGone(owner: OwnerAddress, err: Error | undefined): Promise<boolean> {
    const gone = await ownerFoundGone(this.locator, owner.nodeId, err);
    if (gone) {
      setNewest(this.goneOwners, owner.nodeId, performance.now(), MAX_OWNERS);
    }
    return gone;
  }

  /** True when node `nodeId` was found gone within GONE_MEMORY_MS. */
  knownGone(nodeId: string): boolean {
    const at = this.goneOwners.get(nodeId);
    if (at === undefined) return false;
    if (performance.now() - at < GONE_MEMORY_MS) return true;
    this.goneOwners.delete(nodeId);
    return false;
  }

  /** Polls end at their next turn. */
  close(): void {
    this.closed = true;
  }

  private async pollOwner(streamPath: string, gone: string | undefined): Promise<OwnerAddress | undefined> {
    const until = performance.now() + this.times.ownerWaitMs;
    for (;;) {
      this.owners.delete(streamPath);
      const owner = await this.owner(streamPath);
      if (owner && owner.nodeId !== gone) return owner;
      const left = until - performance.now();
      if (left <= 0 || this.closed) return undefined;
      await new Promise((r) => setTimeout(r, Math.min(OWNER_POLL_MS, left)).unref());
    }
  }
}
