import type { Config } from './config/schema.js';
import { OnAirError } from './core/errors.js';
import type { Logger } from './core/logger.js';
import type { StreamHub } from './hub/index.js';
import type { PlayAuthorizer, PlayWatcher } from './services/auth/auth-types.js';
import { EdgePulls, EdgeRenditions, StaticOwnerLocator, renditionAwareLocator, withInternalPulls, type LadderOf, type OwnerLocator } from './services/edge/index.js';
import { rtmpPullConnector } from './servers/rtmp/rtmp-pull-connector.js';
import { EdgeHlsProxy } from './servers/http/playback/hls/edge-proxy/hls-edge-proxy.js';
import { DEFAULT_EDGE_HLS_PROXY_OPTIONS } from './servers/http/playback/hls/edge-proxy/proxy-options.js';

/** The locator of this server: given by the caller (the cluster coordinator, the workers' IPC), or --edge-origin. */
export function ownerLocatorOf(config: Config, given: OwnerLocator | undefined): OwnerLocator | undefined {
  return given ?? (config.edgeOrigin ? new StaticOwnerLocator(config.edgeOrigin, 'origin', config.edgeOriginHttp) : undefined);
}

/** Checked before anything starts: pulls need the shared secret the owner verifies. */
export function checkEdgeSettings(config: Config, locator: OwnerLocator | undefined): void {
  if (locator && !config.clusterSecret) throw new OnAirError('ONAIR_ERR_CONFIG', '--edge-origin and --cluster need --cluster-secret, the secret every node shares (it signs their internal pulls)');
}

/**
 * Both sides of internal pulls. Owner: a play carrying a valid edge token bypasses viewer auth (only with
 * --cluster-secret set). Edge: with a locator, a viewer asking for a stream with no publisher here starts a pull.
 */
export function createEdge(config: Config, hub: StreamHub, locator: OwnerLocator | undefined, log: Logger, ladderOf: LadderOf, viewersReported = false): {
  pulls: EdgePulls | undefined;
  /** ABR on the edge: the renditions of pulled sources, pulled from the owner too. */
  renditions: EdgeRenditions | undefined;
  /** `--edge-hls proxy`: HLS of streams owned elsewhere is the owner's, proxied (undefined: packaged here, or not an edge). */
  hlsProxy: EdgeHlsProxy | undefined;
  ownerAuth<A extends PlayAuthorizer & PlayWatcher>(auth: A): PlayAuthorizer & PlayWatcher;
} {
  const edgeLog = log.child({ mod: 'edge' });
  const pulls = locator
    ? new EdgePulls({
      hub, locator: renditionAwareLocator(locator), connector: rtmpPullConnector(hub), secret: config.clusterSecret, log: edgeLog,
      options: {
        graceMs: config.edgeGraceMs, startTimeoutMs: config.edgeStartTimeoutMs,
        retryMinMs: 500, retryMaxMs: 10_000, relocateMs: 5_000,
      },
    })
    : undefined;
  return {
    pulls,
    renditions: pulls && new EdgeRenditions({ hub, pulls, ladderOf, log: edgeLog }),
    hlsProxy: locator && config.edgeHls === 'proxy' && config.clusterSecret ? new EdgeHlsProxy(locator, config.clusterSecret, edgeLog, {
      // A stream between owners is retried by players for as long as its publisher may come back to some node.
      ...DEFAULT_EDGE_HLS_PROXY_OPTIONS, ownerGoneRetryMs: config.reconnectWindowSec * 1000, viewersReported,
    })
    : undefined,
    ownerAuth: (auth) => (config.clusterSecret ? withInternalPulls(auth, config.clusterSecret, edgeLog) : auth),
  };
}
