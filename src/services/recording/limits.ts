/** Named limits of the recording service; each says why. Configurable values live in src/config/schema.ts. */

/**
 * Free space is read this often (one statfs call): at 20 Mb/s a recording writes 12.5 MB in 5 s, far less
 * than any sensible --record-min-free-mb, so the floor is seen before the disk fills.
 */
export const DISK_CHECK_INTERVAL_MS = 5_000;
