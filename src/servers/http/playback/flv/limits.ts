/**
 * HTTP-FLV / WS-FLV limits and timings (what every playback route shares is in ../limits.ts).
 */

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
