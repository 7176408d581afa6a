import type { Server } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import type { FastifyInstance } from 'fastify';
import { type HlsPackagers, SOURCE_RENDITION } from '../../../../bridges/hls/index.js';
import { targetDurationOf } from '../../../../formats/m3u8/index.js';
import { MAX_PARAM_LENGTH } from '../../limits.js';
import { preflightHeaders } from '../cors.js';
import type { PlaybackDeps } from '../playback-deps.js';
import { sendPlaybackError } from '../playback-errors.js';
import { playbackIdOf } from '../playback-url.js';
import { mountBeforeFastify } from '../playback-front.js';
import { type LeanFrontStats, mountLeanFront } from '../../lean/lean-front.js';
import { type HlsResource, parseHlsPath } from './hls-paths.js';
import type { HlsResponseKind, HlsResponseObserver } from './hls-observer-hook.js';
import { HlsExchange, type HlsRequest, type HlsResponse } from './hls-responses.js';
import { type HlsQuery, HlsServing } from './hls-serving.js';
import { variantsOf } from './hls-variants.js';
import { HOP_HEADER, SIBLING_CACHE_HOP, proxyHls } from './hls-proxy.js';
import { EDGE_HLS_HEADER, EDGE_VIEWERS_HEADER, type EdgeRenditions, type OwnerAddress, ownPublisher, verifyEdgeHlsRequest } from '../../../../services/edge/index.js';
import type { LeanRequestCounts } from '../../../../services/metrics/index.js';
import type { EdgeHlsProxy } from './edge-proxy/hls-edge-proxy.js';
import { UNKNOWN } from './edge-proxy/owner-lookup.js';
import { NEW_VIEWER_PARAM, NEW_VIEWER_VALUE } from './edge-proxy/upstream-query.js';

export interface HlsServingDeps extends PlaybackDeps {
  /** Every stream's packager, composed by the caller (app.ts); undefined = HLS is off on this server. */
  readonly packagers: HlsPackagers | undefined;
  /**
   * Workers: the internal HTTP base of the worker that owns a stream published elsewhere on this machine; its
   * HLS requests are forwarded there (hls-proxy.ts). Absent = HLS is served here (locally pulled on an edge).
   */
  readonly hlsOrigin?: (streamPath: string) => Promise<string | undefined>;
  /**
   * Workers (on by default, --no-hls-worker-cache = off): this worker's copy of its siblings' HLS answers
   * (edge-proxy/hls-edge-proxy.ts with WORKER_HLS_PROXY_OPTIONS). A viewer's request for a stream another worker owns is
   * authorised here and answered from it: one request per object to the owner, whatever this worker's audience.
   * Absent = the request is forwarded to the owner as it came (hls-proxy.ts) and answered there.
   */
  readonly siblingHls?: EdgeHlsProxy;
  /** Edge ABR: the renditions of a pulled source are pulled from its owner too; absent = not an edge. */
  readonly edgeRenditions?: EdgeRenditions;
  /**
   * `--edge-hls proxy`: a stream owned by another node is answered with the owner's HLS through this (absent =
   * packaged here from the pull, `--edge-hls local`, or not an edge).
   */
  readonly edgeHls?: EdgeHlsProxy;
  /** The cluster secret: an edge's HLS request (EDGE_HLS_HEADER) is verified with it; absent = such requests are refused. */
  readonly edgeSecret?: string;
  /** Told of every HLS answer (metrics, the health module's viewer estimate); absent = nobody watches. */
  readonly hlsObserver?: HlsResponseObserver;
  /**
   * Answer HLS GET/HEAD requests on the lean HTTP/1.1 front (servers/http/lean) below node:http; anything it does
   * not take goes to Node and fastify as before. False (--no-hls-lean-http) = node:http for every request.
   */
  readonly leanHttp?: boolean;
  /**
   * Cluster mode: true while this node holds the lease of `streamPath` (it admitted a publish of it). A request for
   * such a stream before its packager exists (the publish is on its way to the hub) waits for it, then 503, never a
   * 404 (hls.js does not retry a 404 playlist). Absent = no such wait.
   */
  readonly leaseHeld?: (streamPath: string) => boolean;
  /**
   * ABR: whether rendition `name` of `streamPath` is still to come (TranscodeService.renditionPending); false = it
   * will not, so a request for it is not held. Absent = unknown (held within the start window).
   */
  readonly renditionPending?: (streamPath: string, name: string) => boolean | undefined;
}

const PREFIX = '/hls/';
/** A request for a stream whose lease this node holds waits this long for its packager (then 503, retry). */
const PACKAGER_START_WAIT_MS = 5_000;
/** A request for an ABR rendition not started yet waits for it up to this long after its stream started here. */
const RENDITION_START_WAIT_MS = 10_000;
/**
 * Past that window, a request for a rendition whose transcoder is still starting it (planned, no output yet, not
 * failed: a slow ffmpeg start, a restart) is held up to this long, then answered 503 with Retry-After (hls.js retries
 * a playlist twice before it drops the level; a 404 it drops at once).
 */
const RENDITION_PENDING_HOLD_MS = 5_000;
const RENDITION_RETRY_AFTER = ['retry-after', '1'] as const;
const NO_QUERY: HlsQuery = Object.freeze({});

/**
 * HLS and LL-HLS at /hls/<playbackId>/index.m3u8 (see hls-paths.ts for the URL space), served from what the
 * packagers made; every request is authorised (decidePlay with the query, whose `token` is carried onto
 * every URI of the playlists served) and answered from memory. These routes are the busiest of the server
 * (thousands of small requests a second), so they are answered on Node's request before fastify's per-request
 * path (playback-front.ts; bench/http-framework-cost.ts measures the difference); fastify keeps the API.
 */
export function registerHls(app: FastifyInstance, deps: HlsServingDeps): HlsRoutes {
  if (!deps.packagers) {
    app.get('/hls/*', async (request, reply) => sendPlaybackError(request, reply, 'not_found', 'HLS is off on this server (--hls off)'));
    return { mountLean: () => {}, leanRequests: () => ({ public: 0, internal: 0 }) };
  }
  const handle = hlsHandler(deps as HlsServingDeps & { packagers: HlsPackagers });
  mountBeforeFastify(app, (req, res) => {
    if (!req.url?.startsWith(PREFIX)) return false;
    handle(req, res);
    return true;
  });
  // With workers too: a request forwarded to the owning worker is proxied from either front (hls-proxy.ts).
  const counts: LeanFrontStats[] = [];
  const internal: LeanFrontStats[] = [];
  const mount = (server: Server, into: LeanFrontStats[]): void => {
    if (deps.leanHttp) into.push(mountLeanFront(server, (head) => head.url.startsWith(PREFIX), handle));
  };
  mount(app.server, counts);
  return {
    mountLean: (server) => mount(server, internal),
    leanRequests: () => ({ public: sum(counts), internal: sum(internal) }),
  };
}

/** What registerHls gives the composition root: the lean front for another server of the same handlers. */
export interface HlsRoutes {
  /**
   * A worker's internal HTTP port (app-workers.ts listenInternal), which feeds the public server's request handlers:
   * the HLS requests other workers forward there are read by the lean front too (before `listen`; nothing with
   * --no-hls-lean-http).
   */
  mountLean(server: Server): void;
  /** Requests the lean fronts answered: on the public port, on a worker's internal port (forwarded by its siblings). */
  leanRequests(): LeanRequestCounts;
}

function sum(stats: readonly LeanFrontStats[]): number {
  let n = 0;
  for (const s of stats) n += s.requests;
  return n;
}

/** The handler of every request under /hls/ (any method). */
export function hlsHandler(deps: HlsServingDeps & { packagers: HlsPackagers }): (req: HlsRequest, res: HlsResponse) => void {
  const serving = new HlsServing();
  const fail = (ex: HlsExchange, err: unknown): void => {
    deps.log.error({ err, path: ex.req.url?.split('?')[0] }, 'HLS request failed');
    if (!ex.res.headersSent && !ex.gone) ex.error('internal_error', 'internal server error');
    else ex.res.destroy();
  };
  return (req, res) => {
    const ex = new HlsExchange(req, res, deps.hlsObserver);
    try {
      // Most answers are written before this returns; only a request that waits (blocking reload, held part) is a promise.
      const waiting = answer(ex, deps, serving);
      if (waiting) waiting.catch((err: unknown) => fail(ex, err));
    } catch (err) {
      fail(ex, err);
    }
  };
}

function answer(ex: HlsExchange, deps: HlsServingDeps & { packagers: HlsPackagers }, serving: HlsServing): void | Promise<void> {
  const { req } = ex;
  const url = req.url!;
  const q = url.indexOf('?');
  const path = pathOf(url, q);
  if (req.method === 'OPTIONS') return ex.raw(204, preflightHeaders(req.headers.origin, req.headers['access-control-request-headers']));
  if (req.method !== 'GET' && req.method !== 'HEAD') return ex.error('not_found', `no route ${req.method} ${path}`);
  const slash = path.indexOf('/', PREFIX.length);
  const rawId = slash < 0 ? path.slice(PREFIX.length) : path.slice(PREFIX.length, slash);
  // The router's cap, as fastify applies it to its path parameters (the path is not echoed: it may be huge).
  if (rawId.length > MAX_PARAM_LENGTH) return ex.error('uri_too_long', `a path segment is longer than ${MAX_PARAM_LENGTH} characters`);
  let id: string | undefined;
  let tail: string;
  try {
    id = playbackIdOf(decoded(rawId));
    tail = slash < 0 ? '' : decoded(path.slice(slash + 1));
  } catch {
    return ex.error('invalid_url', 'the URL is not valid (a bad percent-encoding?)');
  }
  const resource = parseHlsPath(tail);
  if (resource) ex.kind = resourceKind(resource, q >= 0 && url.includes('_HLS_msn=', q));
  if (!id || !resource) return ex.error('not_found', 'no such HLS resource');
  const query = q < 0 ? '' : url.slice(q + 1);
  const edgeAuth = req.headers[EDGE_HLS_HEADER];
  // A sibling worker's request (for its copy, or forwarded): its viewer is counted by the worker they reached.
  if (req.headers[HOP_HEADER] !== undefined) ex.viewer = false;
  // An edge node that reports its own viewers to this one (--cluster): its requests are neither a session nor bytes out.
  else if (edgeAuth !== undefined && req.headers[EDGE_VIEWERS_HEADER] !== undefined) ex.viewer = false;
  if (edgeAuth !== undefined) return answerEdge(ex, deps, serving, path, String(edgeAuth), resource, q < 0 ? NO_QUERY : parseQuery(query));
  const decision = deps.decidePlay({ app: 'live', name: id, query, clientIp: req.socket.remoteAddress ?? '', protocol: 'hls' });
  if (!decision.ok) {
    return decision.code === 'unauthorized'
      ? ex.error('forbidden', 'a valid playback token is required')
      : ex.error('stream_not_live', 'stream not live');
  }
  if (deps.hlsOrigin && req.headers[HOP_HEADER] === undefined && !hasOwnPublisher(deps, decision.streamPath)) {
    if (deps.siblingHls) return fromSiblingCopy(ex, deps, serving, decision.streamPath, resource, q < 0 ? NO_QUERY : parseQuery(query));
    return forwardOrServe(ex, deps, serving, decision.streamPath, resource, q < 0 ? NO_QUERY : parseQuery(query));
  }
  return serveLocal(ex, deps, serving, decision.streamPath, resource, q < 0 ? NO_QUERY : parseQuery(query));
}

type Deps = HlsServingDeps & { packagers: HlsPackagers };

/**
 * The owner's side of `--edge-hls proxy`: another node's request, whose viewer it authorised itself, signed with
 * the cluster secret for this URL path. Viewer auth is skipped; a bad or expired signature is refused (never a
 * fallback to viewer auth). Served from a packager of this machine only (this worker's, or forwarded to the worker
 * owning it), never pulled or proxied on, so a stale owner record cannot make nodes ask each other in a loop.
 */
function answerEdge(ex: HlsExchange, deps: Deps, serving: HlsServing, path: string, header: string, resource: HlsResource, query: HlsQuery): void | Promise<void> {
  const check = deps.edgeSecret ? verifyEdgeHlsRequest(deps.edgeSecret, path, header) : { ok: false as const, reason: 'no_secret' };
  if (!check.ok) {
    // The reason, never the header.
    deps.log.warn({ ip: ex.req.socket.remoteAddress, reason: check.reason }, 'edge HLS request refused');
    return ex.error('forbidden', 'edge request token refused');
  }
  // Held for a keyframe start only when the copy asking says it is a new viewer's first playlist (never by this node's
  // own rule: the address and user agent here are the copy's, shared by all its viewers).
  ex.firstPlaylist = query[NEW_VIEWER_PARAM] === NEW_VIEWER_VALUE;
  // A sibling worker's request for its copy (its viewers authorised there): answered as this worker's own viewer's.
  if (deps.hlsOrigin && ex.req.headers[HOP_HEADER] === SIBLING_CACHE_HOP) return serveLocal(ex, deps, serving, check.streamPath, resource, query);
  if (deps.hlsOrigin && ex.req.headers[HOP_HEADER] === undefined && !hasOwnPublisher(deps, check.streamPath)) {
    return deps.hlsOrigin(check.streamPath).then((origin) => {
      if (!origin) return serveHere(ex, deps, serving, check.streamPath, resource, query);
      // Counted here as the edge node's session, as the owning worker would have (it does not count a hop).
      ex.streamPath = check.streamPath;
      return forwardToWorker(ex, origin);
    });
  }
  return serveHere(ex, deps, serving, check.streamPath, resource, query);
}

/**
 * Served by this process. A stream published on no worker of this machine is pulled here first (an edge; with
 * --workers and --cluster, the one worker the primary names for the stream pulls it from its owning node).
 */
function serveLocal(ex: HlsExchange, deps: Deps, serving: HlsServing, streamPath: string, resource: HlsResource, query: HlsQuery): void | Promise<void> {
  // This node just claimed the stream (its publish on the way to the hub): served here once its packager starts.
  if (deps.leaseHeld?.(streamPath) && !deps.packagers.get(streamPath)) return serveHere(ex, deps, serving, streamPath, resource, query);
  if (deps.edgeHls && !hasOwnPublisher(deps, streamPath)) return proxyOrPull(ex, deps, serving, streamPath, resource, query);
  return pullOrServe(ex, deps, serving, streamPath, resource, query);
}

/**
 * `--edge-hls proxy`: the owner's own playlists and media (edge-proxy/hls-edge-proxy.ts); no owner anywhere = not live, as a
 * pull finding none would say. An owner with no HTTP address (a plain --edge-origin) is pulled and packaged here.
 */
async function proxyOrPull(ex: HlsExchange, deps: Deps, serving: HlsServing, streamPath: string, resource: HlsResource, query: HlsQuery): Promise<void> {
  const proxy = deps.edgeHls!;
  let owner = await proxy.owner(streamPath);
  // Owned a moment ago: a failover or a drain, the publisher on its way to another node; held for it (bounded).
  const moving = !owner && proxy.recentlyOwned(streamPath);
  if (moving) owner = await proxy.awaitOwner(streamPath, undefined);
  if (ex.gone) return;
  const urlPath = pathOf(ex.req.url!);
  if (!owner) {
    // Between owners: its last owner's playlist (hls.js gives up after three failed playlists), else 503 + Retry-After.
    return moving ? proxy.betweenOwners(ex, streamPath, urlPath, resource, query) : ex.error('stream_not_live', 'stream not live');
  }
  if (!owner.httpUrl) return pullOrServe(ex, deps, serving, streamPath, resource, query);
  ex.streamPath = streamPath;
  return proxy.serve(ex, owner, owner.httpUrl, streamPath, urlPath, resource, query);
}

function pullOrServe(ex: HlsExchange, deps: Deps, serving: HlsServing, streamPath: string, resource: HlsResource, query: HlsQuery): void | Promise<void> {
  if (deps.edge && (!deps.hlsOrigin || !hasOwnPublisher(deps, streamPath))) {
    deps.edge.touch(streamPath);
    deps.edgeRenditions?.touch(streamPath);
    if (!deps.packagers.get(streamPath)) return pullThenServe(ex, deps, serving, streamPath, resource, query);
    if (wantsEdgeRenditions(deps, streamPath, resource)) return renditionsThenServe(ex, deps, serving, streamPath, resource, query);
  }
  return serveHere(ex, deps, serving, streamPath, resource, query);
}

function serveHere(ex: HlsExchange, deps: Deps, serving: HlsServing, streamPath: string, resource: HlsResource, query: HlsQuery): void | Promise<void> {
  const rendition = startingRendition(deps, streamPath, resource);
  const starting = startingPackager(deps, streamPath, rendition);
  if (starting) return serveWhenStarted(ex, deps, serving, streamPath, resource, query, starting);
  if (!deps.packagers.get(streamPath)) return ex.error('stream_not_live', 'stream not live');
  ex.streamPath = streamPath;
  return serving.serve(ex, variantsOf(deps.packagers, streamPath, deps.renditions, rendition), resource, query);
}

/**
 * The ABR rendition `resource` asks for while it may still be starting here: its stream published here less than
 * RENDITION_START_WAIT_MS ago (its transcoder reads the ladder, starts ffmpeg and publishes each rung at its first
 * output, seconds after the source; a player that followed the rendition on the previous owner asks for it at once),
 * unless the transcoder says it will not come (not in the ladder, passthrough). Its packager serves it from its start,
 * before the transcoder lists the rung (at its first frame).
 */
function startingRendition(deps: Deps, streamPath: string, resource: HlsResource): { id: string; ms: number } | undefined {
  if (resource.kind === 'master' || resource.rendition === SOURCE_RENDITION) return undefined;
  const source = deps.packagers.get(streamPath);
  // A rendition that plays is answered here (nearly every request): nothing else is asked.
  if (!source || source.renditions.has(resource.rendition)) return undefined;
  const ms = source.startedAt + RENDITION_START_WAIT_MS - performance.now();
  if (!hasOwnPublisher(deps, streamPath)) return undefined;
  const pending = deps.renditionPending?.(streamPath, resource.rendition);
  if (pending === false) return undefined;
  // Known to be coming (its transcoder is starting it): held past the start window too, then 503 (serveWhenStarted).
  const hold = pending === true ? Math.max(ms, RENDITION_PENDING_HOLD_MS) : ms;
  return hold > 0 ? { id: resource.rendition, ms: hold } : undefined;
}

/**
 * The packager this request needs that is about to start here, and how long to wait for it: the stream's, when this
 * node holds its lease (a publish admitted, not in the hub yet: the window after a change of owner in which edges
 * already send it requests); the ABR rendition's that startingRendition found still starting.
 */
function startingPackager(deps: Deps, streamPath: string, rendition: { id: string; ms: number } | undefined): { path: string; ms: number } | undefined {
  if (!deps.packagers.get(streamPath)) return deps.leaseHeld?.(streamPath) ? { path: streamPath, ms: PACKAGER_START_WAIT_MS } : undefined;
  const path = rendition && `${streamPath}/${rendition.id}`;
  return path && !deps.packagers.get(path) ? { path, ms: rendition.ms } : undefined;
}

async function serveWhenStarted(
  ex: HlsExchange, deps: Deps, serving: HlsServing, streamPath: string, resource: HlsResource, query: HlsQuery, starting: { path: string; ms: number },
): Promise<void> {
  await deps.packagers.whenStarted(starting.path, starting.ms);
  if (ex.gone) return;
  if (!deps.packagers.get(streamPath)) {
    // Still owned: its publisher is on its way (retry); the lease gone: the publish failed, nothing is live here.
    return deps.leaseHeld?.(streamPath) ? ex.error('stream_not_ready', 'the stream is starting on this node: retry') : ex.error('stream_not_live', 'stream not live');
  }
  const rendition = starting.path === streamPath ? undefined : starting.path.slice(streamPath.length + 1);
  if (rendition !== undefined && !deps.packagers.get(starting.path) && deps.renditionPending?.(streamPath, rendition) === true) {
    // Its transcoder is still starting it (and has not failed): retry, it is coming; 404 is for a rung that will not.
    return ex.error('stream_not_ready', `rendition ${rendition} is starting (its transcoder has no output yet): retry`, RENDITION_RETRY_AFTER);
  }
  // Once more: the stream's packager came, and the rendition asked for may still be starting.
  return serveHere(ex, deps, serving, streamPath, resource, query);
}

/** Workers, --no-hls-worker-cache: a stream published on another worker of this machine is answered by that worker. */
async function forwardOrServe(ex: HlsExchange, deps: Deps, serving: HlsServing, streamPath: string, resource: HlsResource, query: HlsQuery): Promise<void> {
  const origin = await deps.hlsOrigin!(streamPath);
  if (!origin) return serveLocal(ex, deps, serving, streamPath, resource, query);
  // The owner answers it (and does not count it: a hop); the viewer is counted here, where they arrived.
  ex.streamPath = streamPath;
  return forwardToWorker(ex, origin);
}

/**
 * The viewer was authorised (answer): served from this worker's copy of the owning worker's answers, which are keyed
 * by that worker's internal address (a stream that moves to another worker, or whose worker was restarted on a new
 * port, is never answered from the previous one's copy). No owning worker: served, pulled or proxied here as before.
 */
function fromSiblingCopy(ex: HlsExchange, deps: Deps, serving: HlsServing, streamPath: string, resource: HlsResource, query: HlsQuery): void | Promise<void> {
  const proxy = deps.siblingHls!;
  // The owner as the primary said within the last second (nearly every request): answered without a promise.
  const known = proxy.knownOwner(streamPath);
  if (known !== UNKNOWN) return copyOrLocal(ex, deps, serving, streamPath, resource, query, known);
  return proxy.owner(streamPath).then((owner) => (ex.gone ? undefined : copyOrLocal(ex, deps, serving, streamPath, resource, query, owner)));
}

function copyOrLocal(
  ex: HlsExchange, deps: Deps, serving: HlsServing, streamPath: string, resource: HlsResource, query: HlsQuery, owner: OwnerAddress | undefined,
): void | Promise<void> {
  if (!owner?.httpUrl) return serveLocal(ex, deps, serving, streamPath, resource, query);
  ex.streamPath = streamPath;
  return deps.siblingHls!.serve(ex, owner, owner.httpUrl, streamPath, pathOf(ex.req.url!), resource, query);
}

/** A request URL's path, without its query (`q`: the query's '?' when already found). */
function pathOf(url: string, q = url.indexOf('?')): string {
  return q < 0 ? url : url.slice(0, q);
}

function forwardToWorker(ex: HlsExchange, origin: string): void {
  proxyHls(ex.req, ex.res, origin, (status, bytes, head) => {
    // The owner's media playlist names its stream's cadence, which the viewer's session here follows
    // (HlsServed.targetDuration); read off the answer itself (media and masters: 0), not from what was asked.
    if (head && status === 200) ex.targetDuration = targetDurationOf(head);
    ex.relayed(status, bytes);
  });
}

/**
 * Edge: a playlist for a stream published elsewhere is held while the pull starts (FIRST_SEGMENT_WAIT_MS then
 * holds it for the first segments, as for a publisher that just started here).
 */
async function pullThenServe(ex: HlsExchange, deps: Deps, serving: HlsServing, streamPath: string, resource: HlsResource, query: HlsQuery): Promise<void> {
  if (!(await deps.edge!.ensure(streamPath))) return ex.error('stream_not_live', 'stream not live');
  if (wantsEdgeRenditions(deps, streamPath, resource)) return renditionsThenServe(ex, deps, serving, streamPath, resource, query);
  return serveHere(ex, deps, serving, streamPath, resource, query);
}

/**
 * Edge ABR: a master playlist, or a rendition not pulled here yet, waits until the stream's rendition pulls are live
 * or refused by the owner (each bounded by the start timeout), so the first master already lists the ladder.
 */
function wantsEdgeRenditions(deps: Deps, streamPath: string, resource: HlsResource): boolean {
  if (!deps.edgeRenditions || hasOwnPublisher(deps, streamPath)) return false;
  if (resource.kind === 'master') return true;
  return resource.rendition !== SOURCE_RENDITION && !deps.packagers.get(`${streamPath}/${resource.rendition}`);
}

async function renditionsThenServe(ex: HlsExchange, deps: Deps, serving: HlsServing, streamPath: string, resource: HlsResource, query: HlsQuery): Promise<void> {
  await deps.edgeRenditions!.ensure(streamPath);
  if (ex.gone) return;
  return serveHere(ex, deps, serving, streamPath, resource, query);
}

/** Percent-decoding only where there is something to decode (most HLS paths have no `%`); throws like decodeURIComponent. */
function decoded(s: string): string {
  return s.includes('%') ? decodeURIComponent(s) : s;
}

/** The observer's label of a request (metrics' `kind`). */
function resourceKind(r: HlsResource, blocking: boolean): HlsResponseKind {
  if (r.kind === 'media') return blocking ? 'playlist_blocking' : 'playlist';
  return r.kind;
}

/** A publisher of this process that is not itself a pull from elsewhere (services/edge ownPublisher). */
function hasOwnPublisher(deps: HlsServingDeps, path: string): boolean {
  return ownPublisher(deps.hub, path) !== undefined;
}
