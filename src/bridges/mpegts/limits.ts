/** Limits and intervals of the MPEG-TS bridges; each says why. */

/**
 * Demux errors of one ingest are logged at most once per this interval (with counts per code): a stream
 * with a bad link can produce an error per packet, and the log must stay readable and cheap.
 */
export const ERROR_LOG_INTERVAL_MS = 10_000;

/**
 * How far before the first timestamp the ingest puts its ms timeline's zero. The hub takes 32-bit wire
 * timestamps; audio and video interleave up to a second or so apart, and an early straggler must not fall
 * below zero (it would read as a 32-bit wrap).
 */
export const INGEST_TIMELINE_MARGIN_MS = 10_000;

/**
 * The output repeats PAT/PMT before every keyframe and at least this often (media time): a receiver that
 * joins mid-stream (or lost packets) finds the tables soon. ffmpeg's muxer uses 100 ms; 250 ms keeps the
 * overhead under 12 kbit/s and far below any GOP, which a joining receiver waits for anyway.
 */
export const TABLE_INTERVAL_MS = 250;

/**
 * Added to the output's timestamps so a negative composition offset (E-RTMP allows it) never makes a PTS
 * negative, which would wrap to 2^33 and read as 26 hours ahead.
 */
export const OUTPUT_START_OFFSET_MS = 1_000;

/**
 * At the start of an ingest, frames are held until every track of the PMT has sent its config, so outputs
 * see all configs before the first frame (as RTMP encoders send them) and start with every track. In TS
 * the audio config (the first ADTS header) often arrives after the first video keyframe: ffmpeg
 * interleaves with up to 0.7 s of delay. Held at most this much media, then released without the late track.
 */
export const START_HOLD_MAX_MS = 2_000;

/** ... and at most this many bytes (a 2 s start of a 50 Mbit/s stream is ~12 MB). */
export const START_HOLD_MAX_BYTES = 16 * 1024 * 1024;
