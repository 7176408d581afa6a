import type { Logger } from '../../core/logger.js';
import type { StreamHub } from '../../hub/index.js';
import type { RecordedTrack } from './asset-types.js';

/**
 * The recorder the service drives, implemented by src/bridges/record and handed in by the composition root
 * (services may not import bridges). Structural: the bridge does not import these types.
 */
export interface RecordingPort {
  /** Starts recording `streamPath` into `dir` (a hub subscriber that waits across publisher reconnects). */
  start(hub: StreamHub, streamPath: string, options: RecorderOptions): RecorderHandle;
  /** Finishes a recording a crash left open; undefined when nothing was recorded. */
  recover(dir: string): Promise<{ durationMs: number; bytes: number } | undefined>;
  /** The VOD playlist of a finished recording with its media at `mediaUri`; undefined when nothing was recorded. */
  vodPlaylist(dir: string, mediaUri: string): Promise<string | undefined>;
}

export interface RecorderOptions {
  readonly dir: string;
  readonly reconnectWindowMs: number;
  readonly log: Logger;
  readonly onTracks: (tracks: readonly RecordedTrack[]) => void;
  /** Once, when the files are complete and closed. */
  readonly onFinished: (result: RecordingResult) => void;
}

export interface RecorderHandle {
  readonly durationMs: number;
  /** Bytes of the media file written so far (safe to read up to). */
  readonly bytes: number;
  /** True once it is ending (stop called, or its reconnect window passed): it records nothing more. */
  readonly isFinishing: boolean;
  /** EVENT playlist of what is written so far; undefined before the first fragment. */
  playlist(mediaUri: string): string | undefined;
  /** Idempotent; resolves when the files are complete. */
  stop(reason: string): Promise<RecordingResult>;
}

export interface RecordingResult {
  readonly reason: string;
  readonly durationMs: number;
  readonly bytes: number;
  readonly gaps: number;
  readonly gapMs: number;
  readonly error?: string;
}

/** Names of the files inside an asset's directory (bridges/record writes them). */
export const MEDIA_FILE_NAME = 'recording.mp4';
