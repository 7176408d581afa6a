import { createServer, type IncomingMessage, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from './config/schema.js';
import type { Logger } from './core/logger.js';
import type { RtmpServer } from './servers/rtmp/rtmp-server.js';
import { EdgeHlsProxy } from './servers/http/playback/hls/edge-proxy/hls-edge-proxy.js';
import { WORKER_HLS_PROXY_OPTIONS } from './servers/http/playback/hls/edge-proxy/proxy-options.js';
import type { HubStream, PublisherInfo, StreamHub } from './hub/index.js';
import { EDGE_PROTOCOL, PulledPaths, ownPublisher, type OwnerAddress, type OwnerLocator } from './services/edge/index.js';
import { playerShareOf, type AudienceShare, type HealthMonitor, type HlsAudience, type PlayerShare, type SiblingPlayers } from './services/health/index.js';
import { isSiblingNodeId, type GatherKind, type Gathered } from './workers-ipc.js';

/** What a `--workers` worker is told by the primary (workers-worker.ts builds it from its environment). */
export interface WorkerRole {
  /** 1..N; worker 1 also holds the SRT port. */
  readonly index: number;
  /** Run the start-up recovery (open sessions and recordings of a stopped server): the first worker's first start only. */
  readonly runOnce: boolean;
  /** The internal HTTP base of the worker owning a stream published in another worker (HLS is served there). */
  hlsOrigin(streamPath: string): Promise<string | undefined>;
  /** --cluster: this worker slot's claim on its node id, kept across restarts (a restart need not wait for its predecessor's to run out). */
  readonly instance: string;
  /** --cluster: true for a registry node id that is another worker of this machine (reached over IPC, not the cluster). */
  siblingNode(nodeId: string): boolean;
  /** `onair drain` reached this worker: the primary drains them all; resolves to their publishers together. */
  drainMachine(): Promise<number | undefined>;
  /** Health: this worker's HLS, RTMP and FLV viewers of streams it does not own, sent to their owners through the primary. */
  shareAudience(shares: AudienceShare[]): void;
  /** Health: `listener` is told the sibling workers' reports of their viewers of streams this worker owns. */
  onSiblingAudience(listener: (from: number, shares: readonly AudienceShare[]) => void): void;
  /** `/metrics`, the stream list: the other workers' parts (through the primary, waited for at most 2 s). */
  gather(what: GatherKind): Promise<Gathered>;
  /** `answer` gives this worker's part when a sibling gathers. */
  onGather(answer: (what: GatherKind) => Promise<unknown>): void;
}

/**
 * Workers: a publisher that is a pull from a sibling worker. Its stream is reported by its owner (health, per-stream
 * metrics, the stream list), and its bytes were received once, by the owner, from the real publisher.
 */
export function siblingPull(publisher: PublisherInfo): boolean {
  return publisher.protocol === EDGE_PROTOCOL && isSiblingNodeId(publisher.remoteAddress);
}

/**
 * Workers: once a health round (a second), this worker's viewers of the streams it serves but does not own go to their
 * owners, which count each viewer once for the machine: HLS sessions and bytes (answered from its copy or forwarded;
 * HlsAudience.addRemote), and the RTMP/FLV players of a stream it pulls from the owner, as counts and bytes
 * (SiblingPlayers; the pull itself is not a viewer at the owner). The reports for streams this worker owns are added
 * to its own figures.
 */
export function shareWorkerAudience(role: WorkerRole, audience: { hls: HlsAudience; players: SiblingPlayers }, monitor: HealthMonitor, hub: StreamHub): void {
  const { hls } = audience;
  monitor.events.on('evaluated', () => {
    const now = performance.now();
    const shares: AudienceShare[] = [];
    for (const path of hls.paths()) {
      if (ownPublisher(hub, path)) continue;
      // Every stream served here lately (kept until idle for the session time), with or without a session now.
      shares.push({ path, sessions: hls.localSessions(path, now), bytes: hls.localBytes(path), players: playersHere(hub.stream(path)) });
    }
    // A pulled stream without HLS served here: its RTMP/FLV players alone (none at the moment while the pull lingers).
    for (const stream of hub.streams()) {
      if (!pulledFromSibling(stream) || hls.has(stream.path)) continue;
      shares.push({ path: stream.path, sessions: [], bytes: 0, players: playersHere(stream) });
    }
    if (shares.length > 0) role.shareAudience(shares);
  });
  role.onSiblingAudience((from, shares) => {
    const now = performance.now();
    for (const share of shares) {
      hls.addRemote(from, share, now);
      if (share.players) audience.players.add(from, share.path, share.players, now);
    }
  });
}

/** A stream this worker holds as a pull from a sibling worker (its owner). */
function pulledFromSibling(stream: HubStream): boolean {
  const pub = stream.publisher;
  return pub !== undefined && siblingPull(pub.info);
}

/** This worker's RTMP/FLV players of a stream it pulls from a sibling, counted without a per-viewer object. */
function playersHere(stream: HubStream | undefined): PlayerShare | undefined {
  if (!stream || !pulledFromSibling(stream)) return undefined;
  return playerShareOf(stream.subscriberTotalsByProtocol());
}

/**
 * Workers: which publishers get an HLS packager. Not a pull from a sibling worker (that worker packages it and
 * HLS is forwarded there); a pull from another cluster node is packaged by the one worker that pulls it.
 */
export function packagedInWorker(publisher: PublisherInfo): boolean {
  return !siblingPull(publisher);
}

/**
 * `--edge-hls proxy` (without --edge-hls-package-pulls): a pull from another node whose HTTP address is known gets no HLS packager. Every HLS request for
 * it is answered with the owner's HLS (register-hls.ts proxyOrPull; with workers, by the one worker the primary
 * designates, whose own request is proxied too), so local packaging would only burn CPU for the RTMP/FLV viewers
 * the pull exists for. An owner without an HTTP address (a plain --edge-origin) is still packaged here.
 */
export function packagedOnProxyingEdge(publisher: PublisherInfo, owner: OwnerAddress | undefined): boolean {
  return publisher.protocol !== EDGE_PROTOCOL || !owner?.httpUrl;
}

/**
 * A worker's own loopback listeners (exclusive: not shared through the primary): RTMP for other workers' internal
 * pulls, HTTP for the HLS requests they forward. The HTTP one feeds the same request handlers as the public port;
 * `mountLean` puts the HLS lean front on it as on the public port (register-hls.ts), before it listens.
 */
export async function listenInternal(rtmp: RtmpServer, publicHttp: HttpServer, mountLean: (server: HttpServer) => void): Promise<{ rtmp: number; http: number }> {
  const rtmpPort = await rtmp.listenInternal('127.0.0.1');
  const internal = createServer((req, res) => publicHttp.emit('request', req, res));
  mountLean(internal);
  await new Promise<void>((resolve, reject) => {
    internal.once('error', reject);
    internal.listen({ port: 0, host: '127.0.0.1', exclusive: true }, () => resolve());
  });
  publicHttp.once('close', () => internal.close());
  internal.unref();
  return { rtmp: rtmpPort, http: (internal.address() as AddressInfo).port };
}

/**
 * A worker's copy of its siblings' HLS answers (register-hls.ts fromSiblingCopy): `siblings` is the primary's owner
 * directory (IPC), the requests are signed with the secret every worker of the machine shares (the primary makes one
 * when --cluster-secret is not set). Undefined outside workers and with --no-hls-worker-cache.
 */
export function workerHlsProxy(config: Config, siblings: OwnerLocator | undefined, log: Logger): EdgeHlsProxy | undefined {
  if (!siblings || !config.clusterSecret || !config.hlsWorkerCache) return undefined;
  return new EdgeHlsProxy(siblings, config.clusterSecret, log.child({ mod: 'workers' }), {
    // A stream whose worker died is retried by players while its publisher may reconnect to another worker.
    ...WORKER_HLS_PROXY_OPTIONS, ownerGoneRetryMs: config.reconnectWindowSec * 1000,
  });
}

/**
 * The internal HTTP base of the worker that owns `path` when it is not this one (the primary's directory, asked at
 * most once a second per stream): where that stream's health is read. Undefined for a stream published here.
 */
export function ownerWorkerHttp(hub: StreamHub, role: WorkerRole): (path: string) => Promise<string | undefined> {
  return async (path) => (ownPublisher(hub, path) ? undefined : role.hlsOrigin(path));
}

/**
 * Workers: `/metrics` and `/api/v1/health` (the list) answer for the machine on the shared port: this worker's part
 * merged with its siblings' parts, gathered through the primary (README "Metrics and the stream list under workers").
 * A worker's part leaves out the streams it holds as pulls from their owners, which report them. A scrape on the
 * worker's own loopback port (`internalHttp`, known once it listens) reads that worker alone.
 */
export function machineViews(role: WorkerRole, hub: StreamHub, internalHttp: () => number | undefined): {
  siblingPull: (publisher: PublisherInfo) => boolean;
  siblingStream: (path: string) => boolean;
  machineMetrics: { siblings(): Promise<Gathered>; workerOnly(req: IncomingMessage): boolean };
  machineList: { siblings(): Promise<Gathered>; ownersStream(path: string): boolean };
} {
  const pulled = new PulledPaths(hub, siblingPull);
  const siblingStream = (path: string): boolean => pulled.has(path);
  return {
    siblingPull,
    siblingStream,
    machineMetrics: {
      siblings: () => role.gather('metrics'),
      workerOnly: (req) => req.socket.localPort !== undefined && req.socket.localPort === internalHttp(),
    },
    machineList: { siblings: () => role.gather('health'), ownersStream: siblingStream },
  };
}

/** Workers: this worker's part when a sibling gathers the machine's figures (its registry as JSON, its streams' lines). */
export function answerGathers(role: WorkerRole, parts: { metrics(): Promise<unknown> | undefined; health(): unknown }): void {
  role.onGather(async (what: GatherKind) => (what === 'metrics' ? (await parts.metrics()) ?? [] : parts.health()));
}
