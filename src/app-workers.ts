import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from './config/schema.js';
import type { Logger } from './core/logger.js';
import type { RtmpServer } from './servers/rtmp/rtmp-server.js';
import { EdgeHlsProxy, WORKER_HLS_PROXY_OPTIONS } from './servers/http/playback/hls/hls-edge-proxy.js';
import type { PublisherInfo, StreamHub } from './hub/index.js';
import { EDGE_PROTOCOL, ownPublisher, type OwnerAddress, type OwnerLocator } from './services/edge/index.js';
import type { AudienceShare, HealthMonitor, HlsAudience } from './services/health/index.js';
import { isSiblingNodeId } from './workers-ipc.js';

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
  /** Health: this worker's HLS viewers of streams it does not own, sent to their owners through the primary. */
  shareAudience(shares: AudienceShare[]): void;
  /** Health: `listener` is told the sibling workers' reports of their viewers of streams this worker owns. */
  onSiblingAudience(listener: (from: number, shares: readonly AudienceShare[]) => void): void;
}

/**
 * Workers: once a health round (a second), this worker's HLS sessions and bytes of the streams it serves but does not
 * own (a sibling's, answered from its copy or forwarded) go to their owners, which count each viewer once for the
 * machine (HlsAudience.addRemote); and the reports for streams this worker owns are added to its audience.
 */
export function shareWorkerAudience(role: WorkerRole, audience: HlsAudience, monitor: HealthMonitor, hub: StreamHub): void {
  monitor.events.on('evaluated', () => {
    const now = performance.now();
    const shares: AudienceShare[] = [];
    for (const path of audience.paths()) {
      if (ownPublisher(hub, path)) continue;
      // Every stream served here lately (kept until idle for the session time), with or without a session now.
      shares.push({ path, sessions: audience.localSessions(path, now), bytes: audience.localBytes(path) });
    }
    if (shares.length > 0) role.shareAudience(shares);
  });
  role.onSiblingAudience((from, shares) => {
    const now = performance.now();
    for (const share of shares) audience.addRemote(from, share, now);
  });
}

/**
 * Workers: which publishers get an HLS packager. Not a pull from a sibling worker (that worker packages it and
 * HLS is forwarded there); a pull from another cluster node is packaged by the one worker that pulls it.
 */
export function packagedInWorker(publisher: PublisherInfo): boolean {
  return publisher.protocol !== EDGE_PROTOCOL || !isSiblingNodeId(publisher.remoteAddress);
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
