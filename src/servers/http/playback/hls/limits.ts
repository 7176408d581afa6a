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
 * A media playlist with delivery directives (`_HLS_msn`) is a correct answer to that exact query, and a shared cache
 * keyed by the full query keeps it this many target durations (`s-maxage`; browsers get `max-age=0`, see
 * playlistCacheControl). One, not the several it would stay correct for: a player that has fallen behind the viewers
 * of its cache asks URLs they asked before, and each kept answer lists only up to the part it asked for; a player
 * that reloads no faster than a PART-TARGET (Shaka Player) then never catches up and fails once a segment behind
 * (behind nginx on `lowest`: 3 of 3 rounds at 6 target durations, 0 of 5 at 1). At one target duration an answer
 * older than that is fetched again and lists the parts made since. Viewers at the live edge still share one origin
 * request per part: they wait for it together.
 */
export const DIRECTIVE_PLAYLIST_TARGET_DURATIONS = 1;

/**
 * A LL-HLS media playlist asked without directives (a player's first load) may be this stale in a cache: the
 * player's next request carries directives and catches up at once. Half a part target is below the one-second
 * grain of max-age; 1 s is what AWS MediaPackage sends for LL-HLS media playlists.
 */
export const LL_PLAYLIST_MAX_AGE_S = 1;

/**
 * A client (address + user agent, as the viewer estimate counts sessions) that asked a stream's media playlist without
 * delivery directives within this long is not a new viewer: its next such request is answered at once, never held for
 * a keyframe start (HlsRendition.keyframeStart). A classic player polls without directives every target duration or
 * less, so it is held at most once; an hls.js viewer sends directives after its first load (and on a level switch,
 * from the rendition reports).
 */
export const PLAIN_CLIENT_MEMORY_MS = 30_000;

/** Clients remembered per stream for PLAIN_CLIENT_MEMORY_MS (the oldest forgotten first: at worst held once more). */
export const MAX_PLAIN_CLIENTS = 4_096;
