/** Timings of the HLS routes (the library's own limits are in src/protocols/hls/limits.ts). */

/**
 * A master or media playlist asked before the first segment is complete waits this long for it (a player
 * that connects as the publisher starts plays at once instead of failing), then gets 503.
 */
export const FIRST_SEGMENT_WAIT_MS = 10_000;
