/** Named limits of the recorder; each says why. Configurable values live in src/config/schema.ts. */

const MiB = 1024 * 1024;

/**
 * VOD segment target: a segment ends at the first video keyframe at or past it (audio-only: at it). 4 s sits in
 * the 2-6 s players handle best (Apple's VOD guidance is 6 s); with a 2 s GOP every segment is 4 s.
 */
export const RECORD_SEGMENT_MS = 4_000;

/**
 * Movie fragment (moof + mdat) target: each is written and handed to the kernel as soon as it closes, so a
 * crash of the server (kill -9) loses at most about this much of what was recorded. The moof costs 16 bytes
 * per sample whatever the fragment length, so shorter fragments only add a box header each.
 */
export const RECORD_FRAGMENT_MS = 1_000;

/**
 * Bytes a recording may have waiting for the disk. Past it, fragments are dropped until the next segment
 * start at which the queue is under RESUME_QUEUE_FRACTION of this (a gap is recorded: an
 * EXT-X-DISCONTINUITY in the playlist, a timestamp jump in the MP4), so a slow or stalled disk costs this much
 * memory per recording, never more. 32 MiB is 95 s of a 2.7 Mb/s stream and 13 s of a 20 Mb/s one.
 */
export const MAX_WRITE_QUEUE_BYTES = 32 * MiB;
export const RESUME_QUEUE_FRACTION = 0.5;

/**
 * How long media may wait on its way in to a recorder (SubscriberSink.latencyToleranceMs): a fragment is
 * written a second at a time anyway, so a recorder never makes the ingest read more often.
 */
export const RECORD_LATENCY_TOLERANCE_MS = 1_000;

/**
 * Largest journal read back (segment index of a finished or crashed recording): one ~70-byte line per
 * fragment is ~6 MB a day; 64 MiB stops a corrupt or foreign file from being read whole into memory.
 */
export const MAX_JOURNAL_BYTES = 64 * MiB;

/** Largest init segment read back from a recording (ftyp + moov: a few hundred bytes to a few KiB). */
export const MAX_INIT_BYTES = 1 * MiB;

/**
 * Appends up to this size are copied into one buffer per file before the write (recording-file.ts): a
 * second of a 2.7 Mb/s stream is ~340 KB; bigger batches (a high bitrate, a queue that built up) are written
 * as they are. Allocated once per recording, when it first writes.
 */
export const GATHER_BYTES = 1024 * 1024;
