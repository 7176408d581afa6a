import type { Logger } from '../../../../../core/logger.js';
import { signEdgeHlsRequest, type OwnerAddress, type OwnerLocator } from '../../../../../services/edge/index.js';
import type { HlsResource } from '../hls-paths.js';
import type { HlsExchange } from '../hls-responses.js';
import type { HlsQuery } from '../hls-serving.js';
import { PlainClients, mayBeFirstPlaylist } from '../plain-clients.js';
import { setNewest } from '../../../../../core/bounded-map.js';
import { AnswerCache, type CachedAnswer } from './answer-cache.js';
import { LastPlaylists } from './last-playlists.js';
import { answerOwnerRefusal } from './owner-refusal.js';
import { OwnerLookup, type UNKNOWN } from './owner-lookup.js';
import { DEFAULT_EDGE_HLS_PROXY_OPTIONS, type EdgeHlsProxyOptions } from './proxy-options.js';
import { rendering } from './token-rendering.js';
import { UpstreamError, UpstreamFetch, type UpstreamAnswer, type UpstreamStats } from './upstream-fetch.js';
import { upstreamQuery } from './upstream-query.js';

/** Retry-After (seconds) on a 503 for a stream between owners: about when the edge may know the next one. */
const BETWEEN_OWNERS_RETRY_AFTER = ['retry-after', '1'] as const;
/** Streams whose new viewers are told apart (PlainClients each), the first seen dropped first: at worst held once more. */
const MAX_VIEWED_STREAMS = 1_024;

/**
 * Counts since start (the metrics module reads them: onair_edge_hls_*). cache: per viewer request, answered from
 * the cache (`hit`), by joining a request to the owner already in flight (`coalesced`), or by a new one (`miss`).
 * upstream: per request to an owner, `ok` (200), `refused` (the owner answered another status), `error` (no usable
 * answer: connection failed or reset, body over maxObjectBytes), `timeout`, `busy` (not sent: maxInFlight reached).
 */
export interface EdgeHlsProxyStats {
  readonly cache: { hit: number; miss: number; coalesced: number };
  readonly upstream: Readonly<UpstreamStats>;
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
 * directives included) share one upstream request (UpstreamFetch), and its answer is kept in a byte-bounded LRU
 * (AnswerCache: media is immutable; playlists only for the owner's max-age, capped). Every viewer gets the same
 * Buffer. Owners are found through OwnerLookup; this class is what a viewer's request gets, and what it gets when
 * the owner does not answer.
 *
 * The owner sees only this copy's requests, so the copy tells it which are a new viewer's first LL-HLS playlist
 * (NEW_VIEWER_PARAM, by the owner's rule: a client here not seen asking a plain playlist of the stream lately), and the
 * owner holds that request for a keyframe start as it would its own viewer's. New viewers arriving together share that
 * one held request (its own key), and its answer is kept as any plain playlist's.
 */
export class EdgeHlsProxy {
  private readonly cache: AnswerCache;
  private readonly upstream: UpstreamFetch;
  private readonly owners: OwnerLookup;
  private readonly lastPlaylists = new LastPlaylists();
  /** Per stream path: this copy's viewers that asked a media playlist without directives, and when. */
  private readonly plainClients = new Map<string, PlainClients>();
  /** Plain sums the metrics registry reads at scrape time (no label hashing per request). */
  readonly stats: EdgeHlsProxyStats;

  constructor(
    locator: OwnerLocator,
    private readonly secret: string,
    private readonly log: Logger,
    private readonly options: EdgeHlsProxyOptions = DEFAULT_EDGE_HLS_PROXY_OPTIONS,
  ) {
    this.cache = new AnswerCache(options);
    this.upstream = new UpstreamFetch(options);
    this.owners = new OwnerLookup(locator, options);
    this.stats = { cache: { hit: 0, miss: 0, coalesced: 0 }, upstream: this.upstream.stats };
  }

  /** Requests sent to owners (tests and metrics read it: N viewers of one object -> 1). */
  get upstreamRequests(): number {
    return this.upstream.sent;
  }

  /** The owner of `streamPath` as the locator last said (OwnerLookup.owner). */
  owner(streamPath: string): Promise<OwnerAddress | undefined> {
    return this.owners.owner(streamPath);
  }

  /** The owner of `streamPath` when it is at hand, else UNKNOWN (OwnerLookup.knownOwner). */
  knownOwner(streamPath: string): OwnerAddress | undefined | typeof UNKNOWN {
    return this.owners.knownOwner(streamPath);
  }

  /** True when `streamPath` had an owner within ownerGoneRetryMs (OwnerLookup.recentlyOwned). */
  recentlyOwned(streamPath: string): boolean {
    return this.owners.recentlyOwned(streamPath);
  }

  /** The next owner of `streamPath` other than `gone`, or undefined after ownerWaitMs (OwnerLookup.awaitOwner). */
  awaitOwner(streamPath: string, gone: string | undefined): Promise<OwnerAddress | undefined> {
    return this.owners.awaitOwner(streamPath, gone);
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
    // Decided once per request (a retry on the next owner keeps it); set already when another copy asked for its viewer.
    ex.firstPlaylist ??= resource.kind === 'media' && mayBeFirstPlaylist(ex, resource.format, query._HLS_msn !== undefined) && this.newViewer(ex, streamPath);
    // The key is the upstream URL itself: owner, path and the forwarded query.
    const key = `${httpUrl}${urlPath}${upstreamQuery(query, token !== undefined, ex.firstPlaylist)}`;
    const cached = this.cache.fresh(key);
    if (!cached) return this.serveMiss(ex, owner, key, streamPath, urlPath, resource, query, playlist, token, retry);
    this.stats.cache.hit++;
    this.answer(ex, cached, owner, playlist, token);
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
      const last = this.lastPlaylists.get(streamPath, urlPath, query, token !== undefined, this.options.ownerGoneRetryMs);
      if (last) {
        ex.targetDuration = last.answer.targetDuration;
        return ex.playlist(token === undefined ? last.answer : rendering(last, token), 'no-store');
      }
    }
    ex.error('stream_not_ready', 'the stream is between nodes (its publisher is reconnecting): retry', BETWEEN_OWNERS_RETRY_AFTER);
  }

  close(): void {
    this.owners.close();
    this.upstream.close();
    this.cache.clear();
    this.lastPlaylists.clear();
    this.plainClients.clear();
  }

  /** Bytes and entries held (tests, metrics). */
  get cached(): { bytes: number; entries: number; inFlight: number } {
    return { ...this.cache.size, inFlight: this.upstream.inFlightCount };
  }

  /**
   * A first-playlist request (mayBeFirstPlaylist) of a viewer of this copy that asked none of this stream within
   * PLAIN_CLIENT_MEMORY_MS. Whether the owner holds it (LL-HLS, the stream's keyframe-start setting) is the owner's to
   * say: a plain playlist's cost here is one more upstream request per new-viewer burst.
   */
  private newViewer(ex: HlsExchange, streamPath: string): boolean {
    if (!ex.viewer) return false;
    let clients = this.plainClients.get(streamPath);
    if (!clients) setNewest(this.plainClients, streamPath, (clients = new PlainClients()), MAX_VIEWED_STREAMS);
    return clients.isNew(ex.req);
  }

  private async serveMiss(
    ex: HlsExchange, owner: OwnerAddress, key: string, streamPath: string, urlPath: string, resource: HlsResource, query: HlsQuery,
    playlist: boolean, token: string | undefined, retry: boolean,
  ): Promise<void> {
    let answer: UpstreamAnswer;
    try {
      // An owner found gone a moment ago is not asked again (a dead host would cost each request a connect attempt).
      if (this.owners.knownGone(owner.nodeId)) throw new UpstreamError('the node owning this stream is gone', 'bad_gateway', false, true);
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
    const cached = this.cache.fresh(key) ?? this.cache.keep(key, answer, playlist, query);
    if (playlist && answer.status === 200) this.lastPlaylists.remember(streamPath, urlPath, query, token !== undefined, answer);
    if (!ex.gone) this.answer(ex, cached, owner, playlist, token);
  }

  /** One upstream request per key at a time; every request for the key meanwhile waits for it. */
  private fetchOnce(key: string, streamPath: string, urlPath: string): Promise<UpstreamAnswer> {
    const running = this.upstream.inFlight(key);
    if (running) {
      this.stats.cache.coalesced++;
      return running;
    }
    this.stats.cache.miss++;
    return this.upstream.fetch(key, signEdgeHlsRequest(this.secret, urlPath, streamPath));
  }

  private answer(ex: HlsExchange, cached: CachedAnswer, owner: OwnerAddress, playlist: boolean, token: string | undefined): void {
    const { answer } = cached;
    if (answer.status !== 200) return answerOwnerRefusal(ex, answer, this.log, owner.nodeId);
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
    this.owners.forget(streamPath);
    let gone = remembered || await this.owners.checkGone(owner, err);
    if (!remembered) this.log.warn({ owner: owner.nodeId, path: urlPath, err: err.message, gone }, 'edge HLS request to the owner failed');
    const playlist = resource.kind === 'master' || resource.kind === 'media';
    if (gone && !playlist) {
      if (!ex.gone) this.betweenOwners(ex, streamPath, urlPath, resource, query);
      return;
    }
    // Not answering at all (no timeout): it may have died, and its stream move to another node; once.
    const next = retry && !timedOut ? await this.owners.awaitOwner(streamPath, owner.nodeId) : undefined;
    if (ex.gone) return;
    if (next?.httpUrl) return this.serve(ex, next, next.httpUrl, streamPath, urlPath, resource, query, false);
    // The hold gave the registry time to see a dead owner's heartbeat overdue.
    gone ||= await this.owners.checkGone(owner, undefined);
    if (ex.gone) return;
    if (gone) this.betweenOwners(ex, streamPath, urlPath, resource, query);
    else ex.error('bad_gateway', 'the node owning this stream did not answer');
  }
}
