/**
 * Hub limits. Defaults for the configurable ones live in src/config/schema.ts; these are the fixed ones.
 */

/**
 * A timestamp step larger than this (either way) is a discontinuity, not media timing: an encoder restart,
 * a publisher takeover or a corrupt stamp. 10 s is far above any real frame gap (1 fps screen capture
 * still steps 1 s) and below anything a player can bridge without stalling.
 */
export const TIMESTAMP_JUMP_MS = 10_000;

/** Gap inserted when a discontinuity is repaired, so the repaired frame still moves time forward. */
export const DISCONTINUITY_STEP_MS = 1;

/**
 * For audio-only streams there is no keyframe to start a new player at; keep this much recent audio so
 * a new player still starts at once.
 */
export const AUDIO_ONLY_CACHE_MS = 1_000;

/** A subscriber that dropped to resume must be under this fraction of its budget before it restarts. */
export const RESUME_BUDGET_FRACTION = 0.5;

/** Slow-subscriber warnings are throttled to one per subscriber per this interval. */
export const DROP_LOG_INTERVAL_MS = 10_000;
