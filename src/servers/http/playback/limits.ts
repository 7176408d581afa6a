/** Limits every playback route (HLS, HTTP-FLV, WS-FLV, watch page) shares. */

/**
 * A playbackId in a URL is at most this long: API playback ids are 24 characters, and open-mode stream
 * names are capped at the same length as any published name segment (services/auth MAX_SEGMENT_LENGTH).
 */
export const PLAYBACK_ID_MAX_LENGTH = 128;

/** CORS preflight answers may be cached this long (seconds) by browsers. */
export const CORS_PREFLIGHT_MAX_AGE_S = 600;

/** Preflight Access-Control-Request-Headers longer than this are not echoed (header names are short). */
export const CORS_REQUEST_HEADERS_MAX = 512;
