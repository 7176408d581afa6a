/** Display names are for dashboards; 200 chars fits any real title and bounds row size. */
export const MAX_STREAM_NAME_LENGTH = 200;
/** Passthrough is an application's own id or small JSON; 1 KiB like common managed APIs' metadata fields. */
export const MAX_PASSTHROUGH_LENGTH = 1024;
/** SRT passphrases: libsrt accepts 10 to 79 characters (SRTO_PASSPHRASE). */
export const MIN_SRT_PASSPHRASE_LENGTH = 10;
export const MAX_SRT_PASSPHRASE_LENGTH = 79;
/** What a secret setting reads as outside the stream's own responses (lists, webhooks). */
export const MASKED_SECRET = '********';
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
/**
 * PostgreSQL outage: writes that must not be lost (sessions, stream status, stream and webhook events) wait in
 * memory, in order, up to this many; beyond it new ones are dropped and counted in the log. 10 000 is hours of
 * publish starts and ends for a node's streams, and a few MB at most.
 */
export const MAX_DEFERRED_WRITES = 10_000;
/** Queued writes are retried after this, doubling per failed try up to DEFERRED_RETRY_MAX_MS. */
export const DEFERRED_RETRY_MIN_MS = 250;
export const DEFERRED_RETRY_MAX_MS = 5_000;
/**
 * A publish waits this long at most for its stream-key lookup; past it the database counts as unavailable for
 * that publish (the last-known keys decide). Encoders give up on their own after about 5-10 s.
 */
export const PUBLISH_LOOKUP_TIMEOUT_MS = 3_000;

/** A drained node waits up to this long for the writes it queued during a database outage before it leaves anyway. */
export const DRAIN_WRITES_WAIT_MS = 60_000;
/** ... and leaves once no write was queued or in flight for this long (its publishers' last writes start as they leave). */
export const DRAIN_WRITES_QUIET_MS = 1_000;
