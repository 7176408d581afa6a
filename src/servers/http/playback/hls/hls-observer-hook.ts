import type { HlsRequest } from './hls-request.js';

/** What an HLS response served, for metrics and the health module's viewer estimate: a handful of kinds, never the URL. */
export type HlsResponseKind = 'master' | 'playlist' | 'playlist_blocking' | 'part' | 'segment' | 'init' | 'other';

export interface HlsServed {
  readonly kind: HlsResponseKind;
  readonly status: number;
  /** Body bytes written (0 for HEAD, 304 and errors without a body). */
  readonly bytes: number;
  /** performance.now() when the request arrived: a blocking reload's time includes its wait. */
  readonly startedMs: number;
  /** performance.now() when the answer was written. */
  readonly nowMs: number;
  /** The hub path the request was authorised for (`live/<name>`); undefined when it was refused before. */
  readonly streamPath: string | undefined;
  /**
   * False for a sibling worker's request (for its copy of the owner's answers, or a viewer's request it forwarded):
   * the viewer is counted by the worker they reached, not here (README "Viewer counts under workers"). Also false for
   * a cluster edge's request that says it reports its viewers (EDGE_VIEWERS_HEADER: they are added from its report,
   * README "Viewer counts across nodes"); an edge that does not report is counted as one session.
   */
  readonly viewer: boolean;
  /**
   * Workers, --no-hls-worker-cache: the answer was the owning worker's, passed on here (the owner reported it to its
   * own metrics already; the viewer is counted here, where they arrived).
   */
  readonly relayed: boolean;
  /**
   * A media playlist's answer: its stream's EXT-X-TARGETDURATION in seconds (the source rendition's, which its ABR
   * renditions follow; from the owner's playlist when answered from a copy or relayed), which sets how long the
   * viewer's session lives without another reload (services/health hlsSessionIdleMs). 0 = not known (other answers).
   */
  readonly targetDuration: number;
  readonly req: HlsRequest;
}

/**
 * Told of every answer the HLS front writes, by the front itself: no request listener and no per-response
 * closure, and nothing for the server's other requests. A request whose viewer left during a blocking wait
 * writes nothing and is not reported.
 */
export interface HlsResponseObserver {
  served(s: HlsServed): void;
}
