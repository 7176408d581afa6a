import type { TrackInfo } from '../../codecs/index.js';

// The asset of the asset.* events (services/recording builds it): declared beside the other published events
// because services/streams (the events' home) sits below services/recording and must not import it.

/** recording: being written; ready: complete and playable; failed: stopped early or unwritable; deleted: files gone. */
export type AssetStatus = 'recording' | 'ready' | 'failed' | 'deleted';
export const ASSET_STATUSES: readonly AssetStatus[] = ['recording', 'ready', 'failed', 'deleted'];

/** A recorded track: what its codec configuration says, without the configuration bytes. */
export type RecordedTrack = Omit<TrackInfo, 'config' | 'profile' | 'level'>;

/** What webhooks carry: the asset without where it is stored. */
export interface AssetSummary {
  readonly id: string;
  readonly streamId: string | null;
  readonly status: AssetStatus;
  readonly startedAt: string;
  readonly endedAt: string | null;
  readonly durationSec: number;
  readonly sizeBytes: number;
  readonly gaps: { readonly count: number; readonly durationSec: number };
  readonly tracks: readonly RecordedTrack[];
  readonly endReason: string | null;
  readonly error: string | null;
}
