import type { StreamHub } from '../../hub/index.js';
import { recoverRecording, vodPlaylist } from './recording-files.js';
import { StreamRecorder, type StreamRecorderOptions } from './stream-recorder.js';

export { StreamRecorder, type StreamRecorderOptions, type RecordingResult, type RecordedTrack } from './stream-recorder.js';
export { MEDIA_FILE, JOURNAL_FILE, recoverRecording, vodPlaylist } from './recording-files.js';

/** The fragmented-MP4 recorder as services/recording's RecordingPort (wired in the composition root). */
export const fmp4RecordingPort = {
  start: (hub: StreamHub, streamPath: string, options: Pick<StreamRecorderOptions, 'dir' | 'reconnectWindowMs' | 'log' | 'onTracks' | 'onFinished'>) =>
    new StreamRecorder(options).start(hub, streamPath),
  recover: async (dir: string) => {
    const r = await recoverRecording(dir);
    return r && { durationMs: r.durationMs, bytes: r.bytes };
  },
  vodPlaylist: (dir: string, mediaUri: string) => vodPlaylist(dir, mediaUri),
};
