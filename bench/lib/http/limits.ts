/**
 * Named limits and constants of the HTTP viewer load client (bench/lib/http-viewers.ts); each says why.
 */

/** Longest response head (status line + headers, or a chunked body's trailers) accepted: Node's own default. */
export const MAX_HEAD_BYTES = 16 * 1024;

/** Longest chunk-size line (size and extensions): far above anything a server writes; bounds the partial line. */
export const MAX_CHUNK_LINE_BYTES = 1024;

/** Hex digits of a chunk size: 13 keep it below 2^53, where a Number stops being exact. */
export const MAX_CHUNK_SIZE_DIGITS = 13;

/** Decimal digits of a Content-Length: 15 keep it exact as a Number (and a petabyte is enough). */
export const MAX_CONTENT_LENGTH_DIGITS = 15;

/** Longest playlist body a viewer keeps to read (media bodies are only counted): a 12-segment LL-HLS playlist is ~5 KB. */
export const MAX_PLAYLIST_BYTES = 1024 * 1024;

/** A viewer "keeps up" when it received at least this share of the stream's media bytes over the window (issue 17). */
export const KEEP_UP_SHARE = 0.9;

/** Orders parts across segments as msn * stride + index; OnAir caps parts per segment at 256 (MAX_PARTS_PER_SEGMENT). */
export const PART_KEY_STRIDE = 1000;

/**
 * Distinct playlist texts whose scan is kept: every viewer of a rendition gets the same bytes for the same state, so
 * one scan serves them all; a few dozen cover the states (with/without skip, a part or two apart) alive at once.
 */
export const PLAYLIST_SCAN_CACHE = 64;

/** Media objects (segments, parts) remembered for first-listing times and the stream's rate: minutes of parts. */
export const MEDIA_OBJECTS_KEPT = 4096;

/** Latency samples kept per measure; past this, reservoir sampling keeps an unbiased subset (bounded memory). */
export const MAX_SAMPLES = 500_000;

/** A viewer whose request failed (socket error, 5xx on a playlist) waits this long before trying again, so a refusing server is not hammered in a loop. */
export const RETRY_DELAY_MS = 250;

/** Shared read buffer of every socket (onread): one buffer for the whole process, since reads are handled synchronously. */
export const READ_BUFFER_BYTES = 64 * 1024;
