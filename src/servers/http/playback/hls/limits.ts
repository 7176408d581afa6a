/** Timings of the HLS routes (the library's own limits are in src/protocols/hls/limits.ts). */

/**
 * A master or media playlist asked before the first segment is complete waits this long for it (a player
 * that connects as the publisher starts plays at once instead of failing), then gets 503.
 */
export const FIRST_SEGMENT_WAIT_MS = 10_000;

/**
 * Rendered playlist variants kept per rendition (format x delta update x token): per-viewer tokens make a
 * variant per viewer, so the oldest is dropped past this; a dropped one is rendered again when asked.
 */
export const PLAYLIST_CACHE_VARIANTS = 256;

/** Segment, part and init names are never reused (instance tag + MSN): a year, immutable (RFC 8246). */
export const MEDIA_MAX_AGE_S = 31_536_000;

/**
 * A media playlist with delivery directives (`_HLS_msn`) is a correct answer to that exact query for as long as
 * the segment it names is listed, so a shared cache keyed by the full query may keep it this many target durations
 * (`s-maxage`; browsers get `max-age=0`, see playlistCacheControl).
 */
export const DIRECTIVE_PLAYLIST_TARGET_DURATIONS = 6;

/**
 * A LL-HLS media playlist asked without directives (a player's first load) may be this stale in a cache: the
 * player's next request carries directives and catches up at once. Half a part target is below the one-second
 * grain of max-age; 1 s is what AWS MediaPackage sends for LL-HLS media playlists.
 */
export const LL_PLAYLIST_MAX_AGE_S = 1;
