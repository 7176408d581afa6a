/** Limits of the ffmpeg FLV pipes, each with its reason. */

/**
 * Timestamp step placed between two ffmpeg runs of one rendition (ms): a restarted ffmpeg counts from 0
 * again; its first frame is placed one typical frame after the last one of the previous run.
 */
export const RUN_JOIN_STEP_MS = 40;
