import type { PlaybackPolicy, StreamRecord } from './stream-types.js';
import { streamPathOf } from './stream-types.js';
import { sha256Hex } from '../random-ids.js';

/**
 * What playback needs to know about one API stream, held in memory by the PlaybackDirectory. The live state
 * is not here: the hub holds it (a publisher on `streamPath`), in memory already.
 */
export interface PlaybackEntry {
  readonly playbackId: string;
  readonly streamId: string;
  readonly playbackPolicy: PlaybackPolicy;
  readonly disabled: boolean;
  /** The hub path of the source (`live/<playbackId>`); transcoded renditions are at `<streamPath>/<name>`. */
  readonly streamPath: string;
  /**
   * The row's updated_at (ms): any change through the service moves it (a key reset too), so an entry whose
   * value differs is a new entry, and what was checked against the old one (a cached token) is checked again.
   */
  readonly updatedAtMs: number;
  /**
   * sha256 of the stream key as last known (the trigger announces key resets): while PostgreSQL is unavailable a
   * publish is checked against it (LastKnownKeys). Absent in entries built by tests.
   */
  readonly keyHash?: string;
  /**
   * The stream as last read, without its key: while PostgreSQL is unavailable a publish whose key hashes to
   * `keyHash` is decided from it (its settings), on any node (LastKnownKeys). Absent in entries built by tests.
   */
  readonly stream?: Omit<StreamRecord, 'streamKey'>;
}

export function playbackEntry(fields: Omit<PlaybackEntry, 'streamPath'>): PlaybackEntry {
  return { ...fields, streamPath: streamPathOf(fields.playbackId) };
}

export function entryOf(s: StreamRecord, keyHash = sha256Hex(s.streamKey)): PlaybackEntry {
  const { streamKey: _key, ...stream } = s;
  return playbackEntry({
    playbackId: s.playbackId, streamId: s.id, playbackPolicy: s.settings.playbackPolicy, disabled: s.status === 'disabled', updatedAtMs: s.updatedAt.getTime(),
    keyHash, stream,
  });
}

export function sameEntry(a: PlaybackEntry | undefined, b: PlaybackEntry | undefined): boolean {
  if (a === b) return true;
  if (!a || !b) return false;
  return a.playbackId === b.playbackId && a.streamId === b.streamId && a.playbackPolicy === b.playbackPolicy
    && a.disabled === b.disabled && a.updatedAtMs === b.updatedAtMs && a.keyHash === b.keyHash;
}
