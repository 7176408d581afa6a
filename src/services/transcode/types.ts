/**
 * The transcoding contract shared with the HLS master playlist and the stream API. Renditions are
 * published into the hub at `<sourcePath>/<name>` (e.g. `live/abc/480p`); the source stays at `<sourcePath>`
 * and is always the first (top) rendition, named `source`.
 */
export interface RenditionInfo {
  /** `source` for the source itself, else the rung name (`720p`, or a custom ladder's name). */
  readonly name: string;
  /** Hub path: the source path for `source`, else `<sourcePath>/<name>`. */
  readonly path: string;
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  /** bits/s: the encoder target for a rung; for the source, onMetaData videodatarate or the measured rate. */
  readonly videoBitrate: number;
  /** bits/s; 0 without audio. */
  readonly audioBitrate: number;
  /** True for the source (relayed untouched). */
  readonly source: boolean;
}

export type TranscodeState =
  /** No transcoding for this stream: by its ladder, or as the fallback named in `reason`. */
  | 'passthrough'
  /** ffmpeg started; renditions appear as they produce their first frame. */
  | 'starting'
  | 'running'
  /** ffmpeg exited unexpectedly; it restarts after a backoff while the source keeps playing. */
  | 'restarting';

/**
 * Why a stream plays with fewer renditions than its ladder asked for:
 * ffmpeg_not_found: no ffmpeg binary (see config ffmpegPath);
 * max_transcodes: --max-transcodes streams are already transcoding;
 * cpu_budget: the estimated cost did not fit the encode budget (rungs were left out);
 * too_slow: measured encode speed stayed under real time (rungs were dropped);
 * source_unsupported: no decodable video track (audio-only or unknown codec) or unknown size;
 * crash_loop: ffmpeg keeps exiting (it is still retried with backoff).
 */
export type TranscodeReason = 'ffmpeg_not_found' | 'max_transcodes' | 'cpu_budget' | 'too_slow' | 'source_unsupported' | 'crash_loop';

export interface TranscodeStatus {
  readonly state: TranscodeState;
  /** What the stream asked for. */
  readonly ladder: 'passthrough' | 'default' | 'custom';
  readonly reason: TranscodeReason | null;
  /** Human-readable detail of `reason` (never a key). */
  readonly detail: string | null;
  /** Rungs of the ladder left out or dropped (by admission or for speed). */
  readonly droppedRungs: readonly string[];
  readonly renditions: readonly RenditionInfo[];
  /** Encode speed over the last window (1.0 = real time); null before it is measured. */
  readonly speed: number | null;
  readonly restarts: number;
}

export type TranscodeEvents = {
  /** The rendition list of `streamPath` changed (a rendition started, was dropped, or the stream ended: []). */
  renditions: [{ streamPath: string; renditions: readonly RenditionInfo[] }];
  status: [{ streamPath: string; status: TranscodeStatus | undefined }];
};
