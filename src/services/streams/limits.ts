/** Display names are for dashboards; 200 chars fits any real title and bounds row size. */
export const MAX_STREAM_NAME_LENGTH = 200;
/** Passthrough is an application's own id or small JSON; 1 KiB like common managed APIs' metadata fields. */
export const MAX_PASSTHROUGH_LENGTH = 1024;
/** More rungs than this is no longer a ladder but a CPU exhaustion vector. */
export const MAX_LADDER_RUNGS = 8;
/** Playback tokens: shortest and longest lifetime a caller may ask for, and the default (one day). */
export const MIN_PLAYBACK_TOKEN_TTL_SEC = 60;
export const MAX_PLAYBACK_TOKEN_TTL_SEC = 30 * 24 * 3600;
export const DEFAULT_PLAYBACK_TOKEN_TTL_SEC = 24 * 3600;
/**
 * How often a live session's bytesIn is written while it is live (the final figure is written when it ends):
 * often enough that the sessions API shows a growing count, rare enough to be one batched UPDATE per interval
 * for all live streams rather than work per packet.
 */
export const SESSION_PROGRESS_INTERVAL_MS = 5_000;
/** The NOTIFY channel of migration 7's trigger on `streams` (the payload is the playback id that changed). */
export const PLAYBACK_DIRECTORY_CHANNEL = 'onair_playback_directory';
/** Playback ids re-read per query after notifications: a bulk change is read in a few bounded queries. */
export const PLAYBACK_REFRESH_BATCH = 500;
/** After a failed directory read, a full reload is tried again this much later. */
export const PLAYBACK_RELOAD_RETRY_MS = 1_000;
