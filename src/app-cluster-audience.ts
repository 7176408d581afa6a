import type { Logger } from './core/logger.js';
import type { HubStream, StreamHub } from './hub/index.js';
import type { NodeMail } from './services/cluster/index.js';
import { EDGE_PROTOCOL, ownPublisher, type OwnerAddress } from './services/edge/index.js';
import {
  MAX_REPORTED_SESSIONS, MAX_REPORTED_STREAMS, decodeAudienceReport, playerShareOf, encodeAudienceReport,
  type AudienceShare, type HealthMonitor, type HlsAudience, type PlayerShare, type SiblingPlayers,
} from './services/health/index.js';
import { isSiblingNodeId } from './workers-ipc.js';

export interface ClusterAudienceDeps {
  readonly nodeId: string;
  readonly mail: NodeMail;
  readonly hub: StreamHub;
  readonly monitor: HealthMonitor;
  readonly hls: HlsAudience;
  readonly players: SiblingPlayers;
  /** The owning node of a stream published elsewhere (cached by the caller; undefined: none, or this node). */
  locate(path: string): Promise<OwnerAddress | undefined>;
  /** Workers: true for a node id that is another worker of this machine (its streams' viewers go over IPC). */
  siblingNode?(nodeId: string): boolean;
  /**
   * Workers: true when another worker of this machine counts this stream's viewers (it owns the stream, or it is the
   * worker that pulls it from its node): this worker's viewers of it went to that worker over IPC, not to Redis.
   */
  countedBySibling?(path: string): Promise<boolean>;
  readonly log: Logger;
}

/**
 * --cluster: each node's viewers of the streams it serves but does not own are reported to the owning node once a
 * health round, through Redis (NodeMail: pub/sub on the owner's own channel), and the owner adds them to its own, as
 * sibling workers' reports are added under --workers (README "Viewer counts across nodes"): HLS session ids (united
 * with the owner's, so a viewer whose requests land on two nodes is one session; at most MAX_REPORTED_SESSIONS ids per
 * stream, the rest as a count) and HLS bytes, and for a stream this node pulls from its owner the RTMP/FLV player
 * counts and the bytes sent them. A node that stops reporting drops out at the owner after SIBLING_AUDIENCE_TTL_MS.
 * Under --workers each worker is a node; the worker that pulls a stream from another machine (and answers its HLS)
 * holds its siblings' reports of it and sends the machine's figure.
 */
export function shareClusterAudience(deps: ClusterAudienceDeps): () => void {
  const { hub, hls, players, log } = deps;
  let sending = false;
  const offEvaluated = deps.monitor.events.on('evaluated', () => {
    // A round whose owner lookups are still out (a slow store) is not stacked on: the next round reports.
    if (sending) return;
    sending = true;
    void report().catch((err: Error) => log.debug({ err: err.message }, 'viewer report to owning nodes not sent')).finally(() => (sending = false));
  });

  async function report(): Promise<void> {
    const now = performance.now();
    const paths = new Set<string>();
    for (const path of hls.paths()) if (!ownPublisher(hub, path)) paths.add(path);
    for (const stream of hub.streams()) if (pulledFromNode(stream)) paths.add(stream.path);
    if (paths.size === 0) return;
    const byOwner = new Map<string, AudienceShare[]>();
    await Promise.all([...paths].map(async (path) => {
      const owner = await ownerOf(path);
      if (owner === undefined || (deps.countedBySibling && (await deps.countedBySibling(path)))) return;
      let list = byOwner.get(owner);
      if (!list) byOwner.set(owner, (list = []));
      if (list.length >= MAX_REPORTED_STREAMS) return;
      const { sessions, more } = hls.sessionsToReport(path, now, MAX_REPORTED_SESSIONS);
      const share: AudienceShare = { path, sessions, bytes: hls.bytesServed(path), ...(more > 0 ? { moreSessions: more } : {}) };
      const p = playersHere(hub.stream(path), path, now);
      list.push(p ? { ...share, players: p } : share);
    }));
    await Promise.all([...byOwner].map(([owner, shares]) => deps.mail.send(owner, encodeAudienceReport({ from: deps.nodeId, shares }))));
  }

  /** The owning node to tell: the node a pull comes from, else the locator's answer; none for this machine's own. */
  async function ownerOf(path: string): Promise<string | undefined> {
    const pub = hub.stream(path)?.publisher;
    const id = pub?.info.protocol === EDGE_PROTOCOL ? pub.info.remoteAddress : (await deps.locate(path))?.nodeId;
    if (id === undefined || id === deps.nodeId || isSiblingNodeId(id) || deps.siblingNode?.(id)) return undefined;
    return id;
  }

  /** This node's RTMP/FLV players of a stream it pulls from another node (with its sibling workers' ones), as counts. */
  function playersHere(stream: HubStream | undefined, path: string, now: number): PlayerShare | undefined {
    if (!stream || !pulledFromNode(stream)) return undefined;
    const sum = players.sum(path, now, { rtmp: 0, flv: 0 });
    return playerShareOf(stream.subscriberTotalsByProtocol(), { rtmp: sum.rtmp, flv: sum.flv, bytes: players.bytes(path) });
  }

  // The owner's side: another node's report, for the streams published here (a report for one that is not: dropped).
  const offMail = deps.mail.onMail((text) => {
    const r = decodeAudienceReport(text);
    if (!r) return log.warn({ bytes: text.length }, 'malformed viewer report from another node dropped');
    if (r.from === deps.nodeId) return;
    const now = performance.now();
    for (const share of r.shares) {
      if (!ownPublisher(hub, share.path)) continue;
      hls.addRemote(r.from, share, now);
      if (share.players) players.add(r.from, share.path, share.players, now);
    }
  });
  return () => {
    offEvaluated();
    offMail();
  };
}

/** A stream this process holds as a pull from another cluster node (not a sibling worker of this machine). */
function pulledFromNode(stream: HubStream): boolean {
  const pub = stream.publisher;
  return pub !== undefined && pub.info.protocol === EDGE_PROTOCOL && !isSiblingNodeId(pub.info.remoteAddress);
}
