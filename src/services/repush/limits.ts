/** Limits of re-push targets. Configurable defaults (timeouts, backoff, budget) live in src/config/schema.ts. */

/**
 * Targets per stream. Each live target holds a socket and up to its byte budget of queued media (4 MiB by
 * default), so 20 bound one stream's re-push memory near 80 MiB; managed services stop at similar counts.
 */
export const MAX_TARGETS_PER_STREAM = 20;

/** An ingest URL (rtmp(s)://host[:port]/app[/instance]): real ones are under 100 characters. */
export const MAX_TARGET_URL_LENGTH = 1024;

/** Stream keys: YouTube/Twitch keys are ~40 characters, Facebook's with their query ~200. */
export const MAX_TARGET_KEY_LENGTH = 1024;

/**
 * Consecutive failed attempts after which a target shows `failed` (and `target.failed` fires) instead of
 * `reconnecting`. Three covers a transient blip (an ingest restarting) without paging anyone; a refusal of the
 * key (`auth`) is `failed` at once, since retrying the same key rarely helps. Retries go on at the backoff cap.
 */
export const FAILED_AFTER_ATTEMPTS = 3;

/** Bitrate out is the bytes sent over this window (one timer for all targets, only while any is running). */
export const BITRATE_SAMPLE_MS = 2_000;

/** Error messages from the remote side are cut to this length before they are stored, shown or logged. */
export const MAX_ERROR_MESSAGE_LENGTH = 300;

/** Masked keys show their last characters only when the key is long enough that they give nothing away. */
export const MASK_SHOWN_CHARS = 4;
export const MASK_MIN_KEY_LENGTH = 16;
