/** Limits of the client side of an RTMP session (re-push, tests, benchmarks). */

/**
 * Commands awaiting a `_result` at once. A publisher has at most two in flight (connect, then createStream);
 * more means a caller bug or a server that never answers, and every one holds a promise.
 */
export const MAX_PENDING_CALLS = 8;

/** onStatus waiters at once (publish or play start per message stream): same reasoning as the calls. */
export const MAX_STATUS_WAITERS = 8;

/**
 * Status codes and descriptions come from the peer and end up in error messages, the API and logs: they are
 * cut to this many characters.
 */
export const MAX_STATUS_TEXT = 256;

/**
 * The Window Acknowledgement Size a client announces (ffmpeg's value): the server acknowledges every 2.5 MB of
 * media we send. Used as the answer to Set Peer Bandwidth too (spec 5.4.5).
 */
export const CLIENT_WINDOW_ACK_SIZE = 2_500_000;

/** flashVer of a publishing client; FMLE is what OBS and ffmpeg announce, and what every ingest accepts. */
export const CLIENT_FLASH_VER = 'FMLE/3.0 (compatible; OnAir)';

/**
 * Largest message a publishing client accepts from the server: a server sends a publisher only commands,
 * statuses and control messages (a few hundred bytes), so a re-push connection never buffers 8 MiB for a peer.
 */
export const PUBLISHER_MAX_INBOUND_MESSAGE = 64 * 1024;
