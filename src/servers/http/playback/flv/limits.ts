/**
 * HTTP-FLV / WS-FLV / watch page limits and timings.
 */

/**
 * A playbackId in a URL: open-mode stream names and API playback ids both fit `[A-Za-z0-9_-]`; 128 matches
 * the open-mode name cap. Anything else is a 404 before any lookup, so no path trickery reaches auth or the hub.
 */
export const PLAYBACK_ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * A publisher that has connected but sent no keyframe yet: a viewer waits this long for the stream to become
 * decodable (its configs decide the FLV header flags) before getting a 503. OBS and ffmpeg send configs and a
 * keyframe within a GOP, and GOPs longer than 5 s are rare in live.
 */
export const FLV_START_WAIT_MS = 5_000;

/**
 * A viewer ended by the server (stream gone, shutdown) gets this long to take what is already queued
 * (at most its byte budget), then the socket is destroyed: a stalled viewer cannot hold a closing server.
 */
export const FLV_CLOSE_LINGER_MS = 2_000;

/** Incoming WebSocket frames are never needed (players send nothing); 4 KiB bounds what a client can make us buffer. */
export const WS_MAX_INCOMING_PAYLOAD = 4 * 1024;

/** WebSocket close reasons are at most 123 bytes (RFC 6455 5.5: 125-byte control payload minus the code). */
export const WS_CLOSE_REASON_MAX = 123;

/** CORS preflight answers may be cached this long (seconds) by browsers. */
export const CORS_PREFLIGHT_MAX_AGE_S = 600;

/** Preflight Access-Control-Request-Headers longer than this are not echoed (header names are short). */
export const CORS_REQUEST_HEADERS_MAX = 512;
