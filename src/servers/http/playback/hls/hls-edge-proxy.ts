import { createHash } from 'node:crypto';
import { Agent, request } from 'node:http';
import type { Logger } from '../../../../core/logger.js';
import { EDGE_HLS_HEADER, EDGE_VIEWERS_HEADER, ownerFoundGone, signEdgeHlsRequest, type OwnerAddress, type OwnerLocator } from '../../../../services/edge/index.js';
import { API_ERRORS, type ApiErrorCode } from '../../api-errors.js';
import type { HlsResource } from './hls-paths.js';
import type { HlsExchange } from './hls-responses.js';
import type { HlsQuery } from './hls-serving.js';
import type { RenderedPlaylist } from './playlist-cache.js';
import { HOP_HEADER, SIBLING_CACHE_HOP } from './hls-proxy.js';
import { setNewest } from '../../../../core/bounded-map.js';
import { targetDurationOf } from '../../../../formats/m3u8/index.js';

export interface EdgeHlsProxyOptions {
  /** Bytes of media and playlists kept (least recently used dropped first). */
  readonly maxCacheBytes: number;
  readonly maxCacheEntries: number;
  /** Distinct upstream requests at once; past it a new one is refused with 503 (the player retries). */
  readonly maxInFlight: number;
  /** An upstream body larger than this is refused (502): a segment of any sane stream is far below. */
  readonly maxObjectBytes: number;
  /** An upstream request (a blocking reload waits up to three target durations on the owner) fails after this. */
  readonly upstreamTimeoutMs: number;
  /** How long the owner of a stream is remembered before the locator (Redis) is asked again. */
  readonly ownerTtlMs: number;
  /** A playlist without delivery directives is kept at most this long (the owner says 1 s for LL-HLS, half a target otherwise). */
  readonly playlistTtlMaxMs: number;
  /** A blocking-reload answer (exact `_HLS_msn`/`_HLS_part` query) is kept at most this long. */
  readonly directivePlaylistTtlMaxMs: number;
  /**
   * A stream whose owner is gone (no lease: killed, or its publisher dropped) is answered 503, retry, for this long
   * after it was last seen owned, as its publisher may reconnect to some node (the reconnect window); then 404.
   */
  readonly ownerGoneRetryMs: number;
  /**
   * A request for a stream between owners (none, or the one asked did not answer) is held up to this long for the
   * next owner (polled every OWNER_POLL_MS) before it is answered otherwise (betweenOwners; 502 for an owner alive
   * that does not answer): players' playlist retries are few (hls.js: two, a few seconds apart, then a fatal error),
   * a failover takes a lease's lifetime plus the encoder's reconnect. Below hls.js's 10 s playlist timeout.
   */
  readonly ownerWaitMs: number;
  /**
   * Workers: the owners are this machine's other workers and each request to one says so (HOP_HEADER =
   * SIBLING_CACHE_HOP): the viewer was authorised by the worker asking, and the worker asked serves it as it would
   * its own viewer's (from its packager, or pulled or proxied from another node when it is the stream's designated
   * worker). Off: the owner is another node, which serves from its own machine only.
   */
  readonly siblingHop?: boolean;
  /**
   * --cluster with health on: this node reports its HLS viewers to each stream's owner (app-cluster-audience.ts), and
   * its requests say so (EDGE_VIEWERS_HEADER): the owner does not count them as a viewer of its own.
   */
  readonly viewersReported?: boolean;
}

export const DEFAULT_EDGE_HLS_PROXY_OPTIONS: EdgeHlsProxyOptions = {
  maxCacheBytes: 256 * 1024 * 1024,
  maxCacheEntries: 16_384,
  maxInFlight: 4096,
  maxObjectBytes: 32 * 1024 * 1024,
  upstreamTimeoutMs: 20_000,
  ownerTtlMs: 1_000,
  playlistTtlMaxMs: 1_000,
  directivePlaylistTtlMaxMs: 6_000,
  ownerGoneRetryMs: 60_000,
  ownerWaitMs: 6_000,
};

/**
 * `--workers`: the copy a worker keeps of its sibling workers' HLS answers (README "Edges and workers"). Media as
 * between nodes (immutable: kept until evicted). Playlists much shorter than the owner's Cache-Control allows a CDN:
 * the owner is on the same machine, so a copy is only there to share one answer among the concurrent requests of
 * this worker's viewers, never to make them a reload later than the owner's own viewers (classic HLS: a new segment
 * is listed at most 250 ms after the owner lists it; the owner's max-age would allow half a target). A blocking
 * reload's answer (exact `_HLS_msn`/`_HLS_part`) lists the part asked for; kept a second, about five 200 ms parts,
 * for the viewers whose identical request arrives just after it was answered.
 */
export const WORKER_HLS_PROXY_OPTIONS: EdgeHlsProxyOptions = {
  ...DEFAULT_EDGE_HLS_PROXY_OPTIONS,
  playlistTtlMaxMs: 250,
  directivePlaylistTtlMaxMs: 1_000,
  siblingHop: true,
};

/**
 * What the edge asks the owner for in place of a viewer's playback token: the owner writes it onto every URI of
 * the playlist (as it writes a viewer's token), and the edge puts each viewer's own token there. One upstream
 * playlist then serves viewers with any token; unreserved characters only, so the owner's URI encoding keeps it.
 */
const TOKEN_PLACEHOLDER = 'onairEdgeViewerToken0';
const PLACEHOLDER_BYTES = Buffer.from(TOKEN_PLACEHOLDER);
/** Delivery directives and the master's format: the only query parameters that change the owner's answer. */
const FORWARDED_PARAMS = ['_HLS_msn', '_HLS_part', '_HLS_skip', 'format'] as const;
/** Per cached playlist, the viewer-token renderings kept (viewers usually share few tokens; past this, rendered again). */
const TOKEN_RENDERINGS = 16;
const MAX_OWNERS = 10_000;
/** How often a request held for a stream's next owner asks the locator (one loop per stream, whatever the audience). */
const OWNER_POLL_MS = 250;
/** An owner found gone is not asked again for this long (its requests go straight to the gone answer); then probed again. */
const GONE_MEMORY_MS = 1_000;
/** Last playlists kept for answers between owners (one per stream, rendition and request shape; oldest dropped first). */
const MAX_LAST_PLAYLISTS = 4096;
const MAX_LAST_PLAYLIST_BYTES = 32 * 1024 * 1024;
/** Retry-After (seconds) on a 503 for a stream between owners: about when the edge may know the next one. */
const BETWEEN_OWNERS_RETRY_AFTER = ['retry-after', '1'] as const;

/**
 * Counts since start (the metrics module reads them: onair_edge_hls_*). cache: per viewer request, answered from
 * the cache (`hit`), by joining a request to the owner already in flight (`coalesced`), or by a new one (`miss`).
 * upstream: per request to an owner, `ok` (200), `refused` (the owner answered another status), `error` (no usable
 * answer: connection failed or reset, body over maxObjectBytes), `timeout`, `busy` (not sent: maxInFlight reached).
 */
export interface EdgeHlsProxyStats {
  readonly cache: { hit: number; miss: number; coalesced: number };
  readonly upstream: { ok: number; refused: number; error: number; timeout: number; busy: number };
}

/** What knownOwner answers when the locator has to be asked. */
export const UNKNOWN: unique symbol = Symbol('unknown owner');

interface OwnerEntry {
  readonly at: number;
  owner: Promise<OwnerAddress | undefined>;
  /** The locator answered: `found` is its answer. */
  settled: boolean;
  found: OwnerAddress | undefined;
}

/** The owner's answer, read whole: one Buffer every viewer of this edge is served. */
interface Upstream {
  readonly status: number;
  readonly body: Buffer;
  /** [body]: the list a media answer takes, made once, not per viewer. */
  readonly chunks: readonly Buffer[];
  readonly contentType: string;
  readonly cacheControl: string;
  readonly etag: string;
  /** A media playlist's EXT-X-TARGETDURATION (read once per answer, for every viewer's HlsServed.targetDuration); else 0. */
  readonly targetDuration: number;
}

interface Cached {
  readonly answer: Upstream;
  /** performance.now() past which it is not served; Infinity for immutable media. */
  readonly expiresAt: number;
  /** Playlists: the body split around the token placeholder (views into it), made on the first viewer with a token. */
  pieces?: Buffer[];
  renderings?: Map<string, RenderedPlaylist>;
}

/**
 * `--edge-hls proxy`, and `--workers` between the workers of one machine (WORKER_HLS_PROXY_OPTIONS, one instance per
 * worker): an HLS request for a stream owned by another node is answered with the OWNER's HLS
 * (playlists, parts, segments, init, master), so every name and media sequence number is the same on every node
 * and a player behind a round-robin load balancer can take each request to a different node. The viewer was
 * authorised here (register-hls.ts); the request to the owner carries a short-lived HMAC under the cluster
 * secret, bound to the stream path and the URL path (EDGE_HLS_HEADER), in place of the viewer's token.
 *
 * One upstream request per object per edge, whatever the audience: concurrent requests for one URL (delivery
 * directives included) share one upstream request, and its answer is kept in a byte-bounded LRU (media is
 * immutable; playlists only for the owner's max-age, capped). Every viewer gets the same Buffer.
 */
export class EdgeHlsProxy {
  private readonly cache = new Map<string, Cached>();
  private cacheBytes = 0;
  private readonly inFlight = new Map<string, Promise<Upstream>>();
  private readonly owners = new Map<string, OwnerEntry>();
  /** performance.now() at which each stream was last found owned (bounded like `owners`). */
  private readonly lastOwned = new Map<string, number>();
  /** Requests held for a stream's next owner share one poll per stream and owner gone (bounded like `owners`). */
  private readonly ownerWaits = new Map<string, Promise<OwnerAddress | undefined>>();
  /** performance.now() at which an owner (node id) was found gone: refused connections, or its heartbeat overdue. */
  private readonly goneOwners = new Map<string, number>();
  /**
   * The last playlist each owner answered, per stream path, URL path and request shape (lastPlaylistKey), with when:
   * what a playlist request between owners is answered after its hold (betweenOwners).
   */
  private readonly lastPlaylists = new Map<string, { entry: Cached; at: number }>();
  private lastPlaylistBytes = 0;
  private closed = false;
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1024, maxFreeSockets: 64 });
  /** Requests sent to owners (tests and metrics read it: N viewers of one object -> 1). */
  upstreamRequests = 0;
  /** Plain sums the metrics registry reads at scrape time (no label hashing per request). */
  readonly stats: EdgeHlsProxyStats = {
    cache: { hit: 0, miss: 0, coalesced: 0 },
    upstream: { ok: 0, refused: 0, error: 0, timeout: 0, busy: 0 },
  };

  constructor(
    private readonly locator: OwnerLocator,
    private readonly secret: string,
    private readonly log: Logger,
    private readonly options: EdgeHlsProxyOptions = DEFAULT_EDGE_HLS_PROXY_OPTIONS,
  ) {}

  /** The owner of `streamPath` as the locator last said (remembered ownerTtlMs, so not one Redis round trip per request). */
  owner(streamPath: string): Promise<OwnerAddress | undefined> {
    const now = performance.now();
    const hit = this.owners.get(streamPath);
    if (hit && now - hit.at < this.options.ownerTtlMs) return hit.owner;
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
   * True when `streamPath` had an owner within ownerGoneRetryMs: without one now, it is between owners (a failover,
   * a drain) rather than over, and players are told to retry (503) instead of that it is not live (404), which
   * hls.js does not retry: its playlist would stop for good.
   */
  recentlyOwned(streamPath: string): boolean {
    const at = this.lastOwned.get(streamPath);
    return at !== undefined && performance.now() - at < this.options.ownerGoneRetryMs;
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

  private async pollOwner(streamPath: string, gone: string | undefined): Promise<OwnerAddress | undefined> {
    const until = performance.now() + this.options.ownerWaitMs;
    for (;;) {
      this.owners.delete(streamPath);
      const owner = await this.owner(streamPath);
      if (owner && owner.nodeId !== gone) return owner;
      const left = until - performance.now();
      if (left <= 0 || this.closed) return undefined;
      await new Promise((r) => setTimeout(r, Math.min(OWNER_POLL_MS, left)).unref());
    }
  }

  /**
   * Answers `ex` with the owner's answer to the same object. `urlPath`: the request's path as it arrived (no query).
   * From the cache it answers before returning (no promise: the busiest path of a worker serving its siblings'
   * streams); a miss waits for the owner.
   */
  serve(
    ex: HlsExchange, owner: OwnerAddress, httpUrl: string, streamPath: string, urlPath: string, resource: HlsResource, query: HlsQuery, retry = true,
  ): void | Promise<void> {
    const playlist = resource.kind === 'master' || resource.kind === 'media';
    const token = playlist && typeof query.token === 'string' && query.token !== '' ? query.token : undefined;
    // The key is the upstream URL itself: owner, path and the forwarded query.
    const key = `${httpUrl}${urlPath}${upstreamQuery(query, token !== undefined)}`;
    const cached = this.fresh(key);
    if (!cached) return this.serveMiss(ex, owner, key, streamPath, urlPath, resource, query, playlist, token, retry);
    this.stats.cache.hit++;
    this.answer(ex, cached, owner, playlist, token);
  }

  private async serveMiss(
    ex: HlsExchange, owner: OwnerAddress, key: string, streamPath: string, urlPath: string, resource: HlsResource, query: HlsQuery,
    playlist: boolean, token: string | undefined, retry: boolean,
  ): Promise<void> {
    let answer: Upstream;
    try {
      // An owner found gone a moment ago is not asked again (a dead host would cost each request a connect attempt).
      if (this.knownGone(owner.nodeId)) throw new UpstreamError('the node owning this stream is gone', 'bad_gateway', false, true);
      answer = await this.fetchOnce(key, streamPath, urlPath);
    } catch (err) {
      const code = err instanceof UpstreamError ? err.code : 'bad_gateway';
      if (code !== 'bad_gateway') {
        if (!ex.gone) ex.error(code, (err as Error).message);
        return;
      }
      return this.ownerFailed(ex, owner, streamPath, urlPath, resource, query, err as Error, retry);
    }
    // The first of the waiting requests stores it (kept or not); the others find it or use their own answer.
    const cached = this.fresh(key) ?? this.keep(key, answer, resource, query);
    if (playlist && answer.status === 200) this.rememberPlaylist(lastPlaylistKey(streamPath, urlPath, query, token !== undefined), answer);
    if (!ex.gone) this.answer(ex, cached, owner, playlist, token);
  }

  private answer(ex: HlsExchange, cached: Cached, owner: OwnerAddress, playlist: boolean, token: string | undefined): void {
    const { answer } = cached;
    if (answer.status !== 200) return upstreamError(ex, answer, this.log, owner.nodeId);
    if (!playlist) return ex.media(answer.chunks, answer.contentType, answer.etag);
    ex.targetDuration = answer.targetDuration;
    ex.playlist(token === undefined ? answer : rendering(cached, token), answer.cacheControl);
  }

  /**
   * The owner did not answer. Found gone (its port refuses connections, or the registry shows its heartbeat overdue:
   * a kill -9 or a lost host, whose leases live on up to a lease), a part, segment or init is answered 503 at once
   * (no next owner will have that name; players retry media several times, hls.js six times over ~30 s, and re-pick
   * by position from the next playlist), and a playlist is held for the next owner, then answered as betweenOwners
   * says. An owner that is not known gone and does not answer (alive in the registry): 502 after the same hold, as a
   * gateway error.
   */
  private async ownerFailed(
    ex: HlsExchange, owner: OwnerAddress, streamPath: string, urlPath: string, resource: HlsResource, query: HlsQuery, err: Error, retry: boolean,
  ): Promise<void> {
    const remembered = err instanceof UpstreamError && err.remembered;
    const timedOut = err instanceof UpstreamError && err.timeout;
    // Ask the locator again on the next request; the owner may have changed.
    this.owners.delete(streamPath);
    let gone = remembered || await this.checkGone(owner, err);
    if (!remembered) this.log.warn({ owner: owner.nodeId, path: urlPath, err: err.message, gone }, 'edge HLS request to the owner failed');
    const playlist = resource.kind === 'master' || resource.kind === 'media';
    if (gone && !playlist) {
      if (!ex.gone) this.betweenOwners(ex, streamPath, urlPath, resource, query);
      return;
    }
    // Not answering at all (no timeout): it may have died, and its stream move to another node; once.
    const next = retry && !timedOut ? await this.awaitOwner(streamPath, owner.nodeId) : undefined;
    if (ex.gone) return;
    if (next?.httpUrl) return this.serve(ex, next, next.httpUrl, streamPath, urlPath, resource, query, false);
    // The hold gave the registry time to see a dead owner's heartbeat overdue.
    gone ||= await this.checkGone(owner, undefined);
    if (ex.gone) return;
    if (gone) this.betweenOwners(ex, streamPath, urlPath, resource, query);
    else ex.error('bad_gateway', 'the node owning this stream did not answer');
  }

  /**
   * The answer for a stream between owners (its owner gone, or none named since it left) once a request's hold is
   * over: a playlist without delivery directives is the last one its owner gave (200, no-store), as the owner's own
   * packager keeps its playlist through a publisher's reconnect window; anything else, or with no such playlist,
   * 503 + Retry-After. Why a playlist: hls.js (1.7, defaults) gives up a level after three playlist failures in a
   * row (timeouts and errors alike, 1 s and 2 s apart), reset only by a playlist it loads, so 503s alone last it
   * ~14 s after a kill -9 (its blocking reload times out at 3 part targets, then two held requests fail), less
   * than a lease plus an encoder's reconnect; an unchanged playlist keeps it polling (every half target duration,
   * and held here each time) until the next owner's playlist goes on from it. Blocking reloads (`_HLS_msn`) are not
   * answered with it (they ask for a part this playlist lacks; hls.js stops waiting for them after ~3 part targets).
   */
  betweenOwners(ex: HlsExchange, streamPath: string, urlPath: string, resource: HlsResource, query: HlsQuery): void {
    if ((resource.kind === 'master' || resource.kind === 'media') && query._HLS_msn === undefined) {
      const token = typeof query.token === 'string' && query.token !== '' ? query.token : undefined;
      const last = this.lastPlaylists.get(lastPlaylistKey(streamPath, urlPath, query, token !== undefined));
      if (last && performance.now() - last.at < this.options.ownerGoneRetryMs) {
        ex.targetDuration = last.entry.answer.targetDuration;
        return ex.playlist(token === undefined ? last.entry.answer : rendering(last.entry, token), 'no-store');
      }
    }
    ex.error('stream_not_ready', 'the stream is between nodes (its publisher is reconnecting): retry', BETWEEN_OWNERS_RETRY_AFTER);
  }

  /** Its own entry (the cache's carries every viewer token's rendering), bounded in count and bytes, oldest out first. */
  private rememberPlaylist(key: string, answer: Upstream): void {
    const old = this.lastPlaylists.get(key);
    if (old) {
      this.lastPlaylists.delete(key);
      this.lastPlaylistBytes -= old.entry.answer.body.length;
    }
    this.lastPlaylists.set(key, { entry: { answer, expiresAt: 0 }, at: performance.now() });
    this.lastPlaylistBytes += answer.body.length;
    for (const [k, e] of this.lastPlaylists) {
      if (this.lastPlaylists.size <= MAX_LAST_PLAYLISTS && this.lastPlaylistBytes <= MAX_LAST_PLAYLIST_BYTES) break;
      this.lastPlaylists.delete(k);
      this.lastPlaylistBytes -= e.entry.answer.body.length;
    }
  }

  /** True when `owner` is gone: its port refused the connection (nothing listens there), or the registry says so. */
  private async checkGone(owner: OwnerAddress, err: Error | undefined): Promise<boolean> {
    const gone = await ownerFoundGone(this.locator, owner.nodeId, err);
    if (gone) {
      setNewest(this.goneOwners, owner.nodeId, performance.now(), MAX_OWNERS);
    }
    return gone;
  }

  private knownGone(nodeId: string): boolean {
    const at = this.goneOwners.get(nodeId);
    if (at === undefined) return false;
    if (performance.now() - at < GONE_MEMORY_MS) return true;
    this.goneOwners.delete(nodeId);
    return false;
  }

  /**
   * The owner of `streamPath` when the locator's answer is at hand (asked within ownerTtlMs and answered: the
   * owner, or undefined for none); UNKNOWN when it has to be asked (owner()).
   */
  knownOwner(streamPath: string): OwnerAddress | undefined | typeof UNKNOWN {
    const hit = this.owners.get(streamPath);
    if (!hit || !hit.settled || performance.now() - hit.at >= this.options.ownerTtlMs) return UNKNOWN;
    return hit.found;
  }

  close(): void {
    this.closed = true;
    this.agent.destroy();
    this.cache.clear();
    this.cacheBytes = 0;
    this.lastPlaylists.clear();
    this.lastPlaylistBytes = 0;
  }

  /** Bytes and entries held (tests, metrics). */
  get cached(): { bytes: number; entries: number; inFlight: number } {
    return { bytes: this.cacheBytes, entries: this.cache.size, inFlight: this.inFlight.size };
  }

  private fresh(key: string): Cached | undefined {
    const hit = this.cache.get(key);
    if (!hit) return undefined;
    this.drop(key, hit);
    if (hit.expiresAt <= performance.now()) return undefined;
    this.cache.set(key, hit); // most recently used last
    this.cacheBytes += hit.answer.body.length;
    return hit;
  }

  private keep(key: string, answer: Upstream, resource: HlsResource, query: HlsQuery): Cached {
    const ttl = ttlMs(answer, resource, query, this.options);
    const entry: Cached = { answer, expiresAt: ttl === Infinity ? Infinity : performance.now() + ttl };
    if (ttl <= 0 || answer.body.length > this.options.maxCacheBytes / 4) return entry;
    this.cache.set(key, entry);
    this.cacheBytes += answer.body.length;
    for (const [k, e] of this.cache) {
      if (this.cacheBytes <= this.options.maxCacheBytes && this.cache.size <= this.options.maxCacheEntries) break;
      this.drop(k, e);
    }
    return entry;
  }

  private drop(key: string, entry: Cached): void {
    this.cache.delete(key);
    this.cacheBytes -= entry.answer.body.length;
  }

  /** One upstream request per key at a time; every request for the key meanwhile waits for it. */
  private fetchOnce(key: string, streamPath: string, urlPath: string): Promise<Upstream> {
    const running = this.inFlight.get(key);
    if (running) {
      this.stats.cache.coalesced++;
      return running;
    }
    this.stats.cache.miss++;
    if (this.inFlight.size >= this.options.maxInFlight) {
      this.stats.upstream.busy++;
      return Promise.reject(new UpstreamError('too many requests to owners in flight', 'stream_not_ready'));
    }
    this.upstreamRequests++;
    const { upstream } = this.stats;
    const p = this.fetch(key, signEdgeHlsRequest(this.secret, urlPath, streamPath)).then((answer) => {
      if (answer.status === 200) upstream.ok++;
      else upstream.refused++;
      return answer;
    }, (err: unknown) => {
      if (err instanceof UpstreamError && err.timeout) upstream.timeout++;
      else upstream.error++;
      throw err;
    }).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, p);
    return p;
  }

  private fetch(url: string, auth: string): Promise<Upstream> {
    const max = this.options.maxObjectBytes;
    const headers: Record<string, string> = { [EDGE_HLS_HEADER]: auth };
    if (this.options.siblingHop) headers[HOP_HEADER] = SIBLING_CACHE_HOP;
    else if (this.options.viewersReported) headers[EDGE_VIEWERS_HEADER] = 'reported';
    return new Promise((resolve, reject) => {
      const req = request(url, { method: 'GET', agent: this.agent, headers }, (res) => {
        res.on('error', reject);
        // Refused first, then the connection dropped (a destroy carrying the error would also throw it from the socket).
        const tooBig = (): void => {
          reject(new UpstreamError(`the owner's answer is over ${max} bytes`));
          req.destroy();
        };
        if (Number(res.headers['content-length'] ?? 0) > max) return tooBig();
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > max) tooBig();
          else chunks.push(chunk);
        });
        res.on('end', () => {
          const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
          const status = res.statusCode ?? 502;
          resolve({
            status,
            body,
            chunks: [body],
            contentType: String(res.headers['content-type'] ?? 'application/octet-stream'),
            cacheControl: String(res.headers['cache-control'] ?? 'no-store'),
            etag: String(res.headers.etag ?? ''),
            // Only a playlist starts with '#' (#EXTM3U): media is not scanned.
            targetDuration: status === 200 && body[0] === 0x23 ? targetDurationOf(body) : 0,
          });
        });
      });
      req.setTimeout(this.options.upstreamTimeoutMs, () => {
        reject(new UpstreamError('the owner did not answer in time', 'bad_gateway', true));
        req.destroy();
      });
      req.on('error', reject);
      req.end();
    });
  }
}

class UpstreamError extends Error {
  /** `remembered`: not sent, the owner was found gone a moment ago. */
  constructor(message: string, readonly code: ApiErrorCode = 'bad_gateway', readonly timeout = false, readonly remembered = false) {
    super(message);
  }
}

/** The query the owner gets: directives and format in a fixed order (one cache key per distinct answer), the placeholder token. */
function upstreamQuery(query: HlsQuery, token: boolean): string {
  let q = '';
  for (const name of FORWARDED_PARAMS) {
    const v = query[name];
    for (const one of typeof v === 'string' ? [v] : v ?? []) q += `${q ? '&' : '?'}${name}=${encodeURIComponent(one)}`;
  }
  return token ? `${q}${q ? '&' : '?'}token=${TOKEN_PLACEHOLDER}` : q;
}

/**
 * The key of the last playlist kept for `urlPath` of `streamPath` (any owner): the forwarded query without the
 * blocking-reload directives, as any answer of the owner's to a request of this shape (skip or not, format, token or
 * not) is a playlist a client asking this way can take.
 */
function lastPlaylistKey(streamPath: string, urlPath: string, query: HlsQuery, token: boolean): string {
  return `${streamPath} ${urlPath}${upstreamQuery({ ...query, _HLS_msn: undefined, _HLS_part: undefined }, token)}`;
}

/**
 * How long an answer may be served again: media the owner calls immutable for good; playlists for their s-maxage
 * (this is a shared cache, RFC 9111 §5.2.2.10) or else max-age, capped; errors never.
 */
function ttlMs(answer: Upstream, resource: HlsResource, query: HlsQuery, o: EdgeHlsProxyOptions): number {
  if (answer.status !== 200) return 0;
  if (resource.kind !== 'master' && resource.kind !== 'media') return answer.cacheControl.includes('immutable') ? Infinity : 0;
  const m = /(?:^|[,\s])s-maxage=(\d+)/.exec(answer.cacheControl) ?? /(?:^|[,\s])max-age=(\d+)/.exec(answer.cacheControl);
  if (!m || /no-store|no-cache|private/.test(answer.cacheControl)) return 0;
  const cap = query._HLS_msn !== undefined ? o.directivePlaylistTtlMaxMs : o.playlistTtlMaxMs;
  return Math.min(Number(m[1]) * 1000, cap);
}

/** The playlist with this viewer's token on every URI (made once per token per upstream playlist). */
function rendering(entry: Cached, token: string): RenderedPlaylist {
  let hit = entry.renderings?.get(token);
  if (hit) return hit;
  const { body, etag } = entry.answer;
  entry.pieces ??= split(body, PLACEHOLDER_BYTES);
  const encoded = Buffer.from(encodeURIComponent(token));
  const parts: Buffer[] = [];
  for (let i = 0; i < entry.pieces.length; i++) {
    if (i > 0) parts.push(encoded);
    parts.push(entry.pieces[i]!);
  }
  // The owner's ETag names the placeholder rendering; this one also depends on the token.
  const tag = createHash('sha256').update(token).digest('base64url').slice(0, 12);
  hit = { body: Buffer.concat(parts), etag: etag.endsWith('"') ? `${etag.slice(0, -1)}-${tag}"` : `"${tag}"` };
  entry.renderings ??= new Map();
  if (entry.renderings.size >= TOKEN_RENDERINGS) entry.renderings.clear();
  entry.renderings.set(token, hit);
  return hit;
}

function split(body: Buffer, sep: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let from = 0;
  for (let at = body.indexOf(sep, from); at >= 0; at = body.indexOf(sep, from)) {
    out.push(body.subarray(from, at));
    from = at + sep.length;
  }
  out.push(body.subarray(from));
  return out;
}

/** The owner's refusal as this server's own: its code when it is one of ours with the same status, else by status. */
function upstreamError(ex: HlsExchange, answer: Upstream, log: Logger, owner: string): void {
  let code: string | undefined;
  let message = 'refused by the node owning this stream';
  try {
    const parsed = JSON.parse(answer.body.toString()) as { error?: { code?: string; message?: string } };
    code = parsed.error?.code;
    if (typeof parsed.error?.message === 'string') message = parsed.error.message;
  } catch {
    // not our JSON: mapped by status below
  }
  if (answer.status === 403) {
    // The viewer was authorised here; a refusal of the edge's own token is this node's fault (secret, clock), not theirs.
    log.error({ owner }, 'the owner refused this edge\'s HLS request (is --cluster-secret the same on every node, are the clocks in sync?)');
    return ex.error('bad_gateway', 'the node owning this stream refused this server');
  }
  if (code && code in API_ERRORS && API_ERRORS[code as ApiErrorCode].status === answer.status) return ex.error(code as ApiErrorCode, message);
  if (answer.status === 404) return ex.error('stream_not_live', message);
  if (answer.status === 400) return ex.error('invalid_request', message);
  if (answer.status === 503) return ex.error('stream_not_ready', message);
  return ex.error('bad_gateway', message);
}
