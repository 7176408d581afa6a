/**
 * Fixed limits of ingest health measurement. The thresholds a broadcaster may tune are HealthThresholds
 * (config flags, defaults in src/config/schema.ts); these are the measurement's own.
 */

/** Media seconds kept per track: the 60 s window plus the second being filled, rounded up to a power of two. */
export const MEDIA_RING_SECONDS = 64;

/** Evaluations (about one a second) kept for media-rate and drift: the 60 s window plus the newest. */
export const TICK_RING_SIZE = 64;

/** The windows every rate is reported over, in media seconds. */
export const SHORT_WINDOW_S = 10;
export const LONG_WINDOW_S = 60;

/** Wall-clock windows (in evaluations, about a second each) of the arrival figures. */
export const MEDIA_RATE_TICKS = 10;
export const DRIFT_TICKS = 60;

/**
 * A frame is late when it arrives this much later than the stream's pace (the earliest arrival relative to
 * media time over the last 10 s). Above the 200 ms a merged read may hold a message (--merged-read-max-ms),
 * below the second a player's buffer starts to feel.
 */
export const LATE_FRAME_MS = 500;

/**
 * Arrival time is read from the clock when a message's timestamp is this far (either way) from the one the last
 * reading was taken at; the messages in between take that reading. A clock read costs more than the rest of a
 * message's health accounting and, on Node 20, allocates a heap number: at 30 fps with audio (~77 messages a
 * second) this reads it ~20 times a second. A message's arrival is then early by at most about this much of media
 * (nothing within a burst), a tenth of the finest threshold it is judged by (late frames, 500 ms); a sparse stream
 * (1 fps) and tracks far out of sync read it at every message. Where the bridge marks its reads (RTMP:
 * Publisher.received), a read's messages share one reading: a merged read of 200 ms of media takes one, not four.
 */
export const ARRIVAL_CLOCK_STEP_MS = 50;

/**
 * The messages of one marked read (Publisher.received: a socket read, with the reads that continue a full one at
 * once) share one arrival reading while they stay within this much media of it. A long burst (a GOP replayed at
 * publish, a backlog after a network hiccup, or a continued read that in fact waited: a full read may have emptied
 * the socket exactly) still gets a reading per second of media, so no stamp is older than that much media.
 */
export const MARKED_READ_MEDIA_MS = 1_000;

/** A step inside one track's timestamps over this is a gap: media is missing (1 fps screen capture steps 1 s). */
export const MEDIA_GAP_MS = 2_000;

/**
 * A track that delivered nothing for this long reports 0 for its last-second figures (a merged read holds input
 * at most 200 ms, so a live track is never this quiet).
 */
export const STALE_TRACK_MS = 1_500;

/** Drift and media rate need at least this much wall-clock span to say anything (shorter is noise). */
export const DRIFT_MIN_SPAN_MS = 5_000;

/**
 * Arrivals in the first this-many ms of a publish do not anchor drift windows: a relay's GOP burst or an
 * encoder's start-up flush arrives faster than real time without the encoder's clock being wrong.
 */
export const DRIFT_SETTLE_MS = 2_000;

/** bitrate_drop compares against a 60 s average that holds at least this many seconds of media. */
export const BITRATE_DROP_MIN_SECONDS = 20;

/** onMetaData keys kept as encoder settings, and the longest string value kept: the peer chooses both. */
export const MAX_ENCODER_SETTINGS = 32;
export const MAX_SETTING_TEXT = 200;
