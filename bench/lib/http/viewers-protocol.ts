/**
 * The messages between bench/hls-viewers.ts and its load client process (bench/lib/http-viewers.ts), over IPC.
 */
import type { Percentiles } from './sample-set.js';

export type ViewerMode = 'segments' | 'llhls' | 'flv';

export interface StartCommand {
  readonly type: 'start';
  readonly host: string;
  readonly port: number;
  readonly mode: ViewerMode;
  /** Request path of the media playlist (HLS) or of the FLV stream. */
  readonly path: string;
  readonly viewers: number;
  /** Viewers start spread over this long (plus a random phase each), so they do not move in lockstep. */
  readonly rampMs: number;
  /** LL-HLS: ask for delta updates (`_HLS_skip=YES`) as hls.js does. */
  readonly skip: boolean;
  /** LL-HLS: also request preload-hinted parts on a second connection (Safari). */
  readonly preloadHints: boolean;
  /** The stream's media bytes per second when no playlist tells it (FLV: the published clip's rate). */
  readonly referenceBytesPerSec: number;
  /** Side load: requests a second for unknown playback ids (`{id}` in `unknownIdPath`), with /healthz probed meanwhile. */
  readonly unknownIds?: { readonly rate: number; readonly unknownIdPath: string; readonly healthzPath: string };
}

export type Command = StartCommand | { readonly type: 'window-start' } | { readonly type: 'window-end' } | { readonly type: 'stop' };

export interface SideLoadReport {
  readonly rate: number;
  readonly sent: number;
  /** Due requests dropped because every connection was busy and the backlog was full. */
  readonly dropped: number;
  readonly connections: number;
  /** Requests sent and still unanswered when the window ended (not in latencyMs). */
  readonly pending: number;
  /** Answers by `unknown-id <status>` (0: no answer). */
  readonly answers: Record<string, number>;
  readonly latencyMs: Percentiles;
  readonly healthzMs: Percentiles;
  readonly healthzFailures: Record<string, number>;
}

export interface WindowReport {
  readonly seconds: number;
  readonly mode: ViewerMode;
  readonly viewers: number;
  /** The stream's media bytes per second that keeping up is judged against (see MediaObjects). */
  readonly streamBytesPerSec: number;
  /** Per viewer, over the window: media bytes, playlist bytes, requests, kept up. */
  readonly perViewer: { readonly media: number[]; readonly playlist: number[]; readonly requests: number[]; readonly keptUp: boolean[] };
  readonly totals: { readonly mediaBytes: number; readonly playlistBytes: number; readonly otherBytes: number; readonly requests: number; readonly connects: number; readonly protocolErrors: number };
  /** Failed viewer requests by `<what> <status>` (status 0: no answer). */
  readonly errors: Record<string, number>;
  /** Segment viewers: polls skipped because the previous one was still fetching. */
  readonly latePolls: number;
  /** LL-HLS: ms from a part's first appearance in any playlist to its receipt, over all parts and viewers. */
  readonly partLagMs: Percentiles;
  /** The load client's own event-loop delay: when high, the client, not the server, is slow. */
  readonly clientLoopDelayMs: { readonly p50: number; readonly p99: number; readonly max: number };
  readonly side?: SideLoadReport;
}
