import type { LadderSetting, StreamRecord } from '../streams/stream-types.js';
import { INGEST_APP } from '../streams/stream-urls.js';

/**
 * The ladder of a hub source path: an API stream's own setting (found by its playback id in
 * `live/<playbackId>`), else the server default for names with no API record (open/callback mode).
 * Rendition paths (`live/<id>/<name>`) are never sources.
 */
export function ladderLookup(
  streams: { getByPlaybackId(playbackId: string): Promise<StreamRecord | null> },
  serverDefault: 'passthrough' | 'default',
): (streamPath: string) => Promise<{ ladder: LadderSetting; streamId?: string } | undefined> {
  return async (streamPath) => {
    const segments = streamPath.split('/');
    if (segments.length !== 2) return undefined;
    const stream = segments[0] === INGEST_APP ? await streams.getByPlaybackId(segments[1]!) : null;
    if (stream) return { ladder: stream.settings.ladder, streamId: stream.id };
    return { ladder: serverDefault };
  };
}
