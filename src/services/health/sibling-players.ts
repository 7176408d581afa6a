import { SIBLING_AUDIENCE_TTL_MS } from './limits.js';

/**
 * Who reported an audience share: a sibling worker of this machine (its index, over IPC) or another cluster node (its
 * node id, through Redis: app-cluster-audience.ts). Told apart by type, so worker 1 and a node named "1" never mix.
 */
export type AudienceSource = number | string;

/**
 * A sibling worker's RTMP and FLV viewers of a stream it pulls from the worker owning it (part of its once-a-second
 * AudienceShare): counts, not viewers, so a report costs the same however many watch.
 */
export interface PlayerShare {
  /** RTMP/RTMPS players of the stream there, now. */
  readonly rtmp: number;
  /** HTTP-FLV and WS-FLV players of the stream there, now. */
  readonly flv: number;
  /** Media bytes sent to them (present and departed) since that worker last began holding the stream. */
  readonly bytes: number;
}

/** The sums over the siblings reporting a stream; one object, filled in place by SiblingPlayers.sum. */
export interface PlayerCounts {
  rtmp: number;
  flv: number;
}

interface Report {
  rtmp: number;
  flv: number;
  bytes: number;
  /** monotonic ms the report arrived. */
  at: number;
}

interface StreamPlayers {
  readonly byWorker: Map<AudienceSource, Report>;
  /** Bytes of reports gone (a sibling that stopped reporting, or restarted its count): still sent. */
  bytesCarried: number;
}

/**
 * Workers: the RTMP and FLV viewers the sibling workers serve of the streams this worker owns, through their internal
 * pulls (which are not viewers here: PULL_SUBSCRIBER_PROTOCOL). The owner adds them to its own subscribers, so its
 * health (API, feed, metrics) counts each RTMP/FLV viewer of the machine once, wherever it landed. A sibling that
 * stops reporting for SIBLING_AUDIENCE_TTL_MS is dropped, as for HLS (HlsAudience.addRemote).
 */
export class SiblingPlayers {
  private readonly streams = new Map<string, StreamPlayers>();

  /** Worker (or --cluster, node) `from`'s latest report for `path` (replaces its previous one). */
  add(from: AudienceSource, path: string, share: PlayerShare, nowMs: number): void {
    let s = this.streams.get(path);
    if (!s) this.streams.set(path, (s = { byWorker: new Map(), bytesCarried: 0 }));
    const previous = s.byWorker.get(from);
    if (previous) {
      // Its count restarted (its pull ended and began again): what it had sent is still sent.
      if (share.bytes < previous.bytes) s.bytesCarried += previous.bytes;
      previous.rtmp = share.rtmp;
      previous.flv = share.flv;
      previous.bytes = share.bytes;
      previous.at = nowMs;
    } else s.byWorker.set(from, { rtmp: share.rtmp, flv: share.flv, bytes: share.bytes, at: nowMs });
  }

  /** Fills `into` with the live reports' viewers of `path` (expired reports are dropped first). */
  sum(path: string, nowMs: number, into: PlayerCounts): PlayerCounts {
    into.rtmp = 0;
    into.flv = 0;
    const s = this.streams.get(path);
    if (!s) return into;
    for (const [from, r] of s.byWorker) {
      if (nowMs - r.at > SIBLING_AUDIENCE_TTL_MS) {
        s.byWorker.delete(from);
        s.bytesCarried += r.bytes;
        continue;
      }
      into.rtmp += r.rtmp;
      into.flv += r.flv;
    }
    return into;
  }

  /** Media bytes the siblings sent their RTMP/FLV viewers of `path`, reports gone included. */
  bytes(path: string): number {
    const s = this.streams.get(path);
    if (!s) return 0;
    let n = s.bytesCarried;
    for (const r of s.byWorker.values()) n += r.bytes;
    return n;
  }

  /** The stream is gone from this worker (or was never held here): its reports and bytes go too. */
  forget(path: string): void {
    this.streams.delete(path);
  }

  paths(): IterableIterator<string> {
    return this.streams.keys();
  }
}
