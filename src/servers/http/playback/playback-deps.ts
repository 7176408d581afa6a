import type { Config } from '../../../config/schema.js';
import type { Logger } from '../../../core/logger.js';
import type { StreamHub } from '../../../hub/index.js';
import type { RenditionInfo } from '../../../services/transcode/types.js';
import type { PlayAuthRequest, PlayDecision } from '../../auth-port.js';
import type { EdgePort } from '../../edge-port.js';

/** What the playback routes (HLS, HTTP-FLV, WS-FLV, watch page) get from the composition root. */
export interface PlaybackDeps {
  readonly hub: StreamHub;
  readonly config: Config;
  readonly log: Logger;
  /**
   * Maps a playbackId (the `name`) plus its query (a playback token for signed streams) to a hub path, or
   * refuses. With `--auth open` or `callback` a name that is no API stream's playbackId plays as `live/<name>`
   * (the open name, or the name the callback returned).
   */
  authorizePlay(req: PlayAuthRequest): Promise<PlayDecision>;
  /** The same decision, synchronously (it is made from memory): what the per-request routes call. */
  decidePlay(req: PlayAuthRequest): PlayDecision;
  /** Closes a connected viewer (HTTP-FLV, WS-FLV) when its authorisation lapses; returns the stop function. */
  watchPlay(req: PlayAuthRequest, onRevoke: (reason: string) => void): () => void;
  /** ABR: a stream's renditions, the source first (TranscodeService.renditions; on an edge, EdgeRenditions); absent = the source only. */
  readonly renditions?: (streamPath: string) => readonly RenditionInfo[];
  /** Pulls a stream that has no publisher here from its owner (edges, workers); absent = no pulls. */
  readonly edge?: EdgePort;
}
