import type { PlaybackPolicy } from '../streams/stream-types.js';
import type { AssetStatus, AssetSummary, RecordedTrack } from '../streams/asset-events.js';

// The asset as events carry it is declared with the other published events (services/streams); built here.
export { ASSET_STATUSES, type AssetStatus, type AssetSummary, type RecordedTrack } from '../streams/asset-events.js';

/** One recording of a stream's live sessions (services' view; the HTTP layer adds URLs). */
export interface AssetRecord {
  readonly id: string;
  /** Null once the stream is deleted (recordings outlive their stream). */
  readonly streamId: string | null;
  readonly streamPath: string;
  /** The stream's playback id and policy when recorded: who may play the asset once the stream is gone. */
  readonly playbackId: string | null;
  readonly playbackPolicy: PlaybackPolicy;
  /** Publish sessions recorded into this asset (a reconnect within the window continues it). */
  readonly sessionIds: readonly string[];
  readonly status: AssetStatus;
  readonly startedAt: Date;
  readonly endedAt: Date | null;
  /** Media recorded; a stretch dropped for a slow disk is not counted (see gaps). */
  readonly durationMs: number;
  readonly sizeBytes: number;
  readonly gaps: number;
  readonly gapMs: number;
  readonly tracks: readonly RecordedTrack[];
  /** Directory of the files, relative to the recordings directory. */
  readonly storagePath: string;
  /** publisher_left, tracks_changed, disk_full, write_failed, server_shutdown, server_restart, deleted, ... */
  readonly endReason: string | null;
  readonly error: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export function summarizeAsset(a: AssetRecord): AssetSummary {
  return {
    id: a.id, streamId: a.streamId, status: a.status, startedAt: a.startedAt.toISOString(), endedAt: a.endedAt?.toISOString() ?? null,
    durationSec: a.durationMs / 1000, sizeBytes: a.sizeBytes, gaps: { count: a.gaps, durationSec: a.gapMs / 1000 },
    tracks: a.tracks, endReason: a.endReason, error: a.error,
  };
}
