/** Named limits of the playlist parser; each says why. The writer's output is ours; the parser is used on
 *  playlists fetched from elsewhere (tests, benchmarks, a future HLS pull), so it is bounded. */

/** 4 MiB: a day-long EVENT playlist of 2 s segments is ~4 MB; larger is abuse or a mistake. */
export const MAX_PLAYLIST_BYTES = 4 * 1024 * 1024;

/** Lines per playlist: 4 MiB of the shortest meaningful lines ("#EXTINF:1,\nx") is well under this. */
export const MAX_PLAYLIST_LINES = 200_000;

/** 8 KiB per line: URIs with signed tokens reach ~2 KiB; attribute lists are far shorter. */
export const MAX_LINE_LENGTH = 8 * 1024;

/** Attributes in one tag's attribute list: EXT-X-STREAM-INF has the most (~15 defined). */
export const MAX_ATTRIBUTES = 64;

/**
 * targetDurationOf reads this far into a playlist: our writer puts EXT-X-TARGETDURATION third (after #EXTM3U and
 * EXT-X-VERSION, about 40 bytes in); RFC 8216 puts no order on header tags, so an unusual playlist may say 0.
 */
export const TARGET_DURATION_SCAN_BYTES = 512;

/** EXT-X-TARGETDURATION values past this (a day) are not a live stream's: read as unknown. */
export const MAX_TARGET_DURATION_S = 86_400;
