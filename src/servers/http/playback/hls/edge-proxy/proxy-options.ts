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
