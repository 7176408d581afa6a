import type { HttpTarget } from './keep-alive-connection.js';
import type { MediaObjects } from './media-objects.js';
import type { PlaylistScanner } from './playlist-scan.js';
import type { SampleSet } from './sample-set.js';
import type { ViewerCounters } from './viewer-counters.js';

/** One simulated viewer: started once (its first request after a random phase), stopped once. */
export interface Viewer {
  readonly counters: ViewerCounters;
  start(): void;
  stop(): void;
}

/** What every viewer of one load client shares. */
export interface ViewerEnv {
  readonly target: HttpTarget;
  /** Request path of the media playlist (HLS) or of the FLV stream. */
  readonly path: string;
  readonly objects: MediaObjects;
  readonly scanner: PlaylistScanner;
  /** LL-HLS: ms from a part's first appearance in a playlist to its receipt, per part and viewer. */
  readonly partLag: SampleSet;
}
