/** Named limits of the recording service; each says why. Configurable values live in src/config/schema.ts. */

/**
 * Free space is read this often (one statfs call): at 20 Mb/s a recording writes 12.5 MB in 5 s, far less
 * than any sensible --record-min-free-mb, so the floor is seen before the disk fills.
 */
export const DISK_CHECK_INTERVAL_MS = 5_000;

/**
 * Finished assets (ready or failed) kept in memory for VOD playback, so a player's playlist and byte-range
 * requests are answered without a database read each (a row is ~1 KB; a finished asset changes only when deleted).
 */
export const PLAYABLE_ASSET_CACHE_MAX = 2_048;
