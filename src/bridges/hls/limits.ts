/** Named limits of the hub-side HLS packager; the library's own are in src/protocols/hls/limits.ts. */

/** After ENDLIST the packager stays this long so polling players read ENDLIST instead of a 404. */
export const ENDED_GRACE_MS = 30_000;
