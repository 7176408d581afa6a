/** Longest raw app + name accepted before any parsing: RTMP names are short; this bounds the work on junk. */
export const MAX_RAW_NAME_LENGTH = 1024;
/**
 * Canonical names remembered (canonicalizeName is pure; every HLS request of a viewer asks for the same name, so
 * the playback hot path looks it up instead of decoding, splitting and checking it again). Dropped whole when full.
 */
export const CANONICAL_NAME_MEMO_MAX = 4096;
/** One path segment (a key is 35 chars, a playback id 24); 128 leaves room for readable open-mode names. */
export const MAX_SEGMENT_LENGTH = 128;
/** app + name segments; deeper paths are no stream layout we serve and only widen the name space. */
export const MAX_SEGMENTS = 4;
/** Failed publish/API auth attempts allowed per IP per window before further tries are refused unseen. */
export const AUTH_FAILURES_PER_WINDOW = 10;
export const AUTH_FAILURE_WINDOW_MS = 60_000;
/** IPs tracked by a failure limiter; the oldest is forgotten beyond this so a spoofed-IP flood cannot grow memory. */
export const AUTH_LIMITER_MAX_IPS = 10_000;
/** Bytes of a callback response read (an optional `{"name": ...}`); a larger body is ignored, not buffered. */
export const CALLBACK_MAX_RESPONSE_BYTES = 4096;
/** A playback token longer than this is refused before any base64 or HMAC work. */
export const MAX_PLAYBACK_TOKEN_LENGTH = 2048;
/** Signed publish URL signature: hex of a 32-byte HMAC-SHA256. */
export const PUBLISH_SIG_HEX_LENGTH = 64;
/**
 * Playback tokens whose verification is remembered (LRU). One token per viewer session is the usual use, so
 * this is concurrent signed viewers per instance before the oldest tokens are verified again; ~0.4 KB each.
 */
export const PLAYBACK_TOKEN_CACHE_MAX = 20_000;
/** setTimeout takes at most 2^31-1 ms (~24.8 days); a later token expiry is waited for in steps. */
export const MAX_TIMER_MS = 2_147_483_647;
/**
 * Play decisions remembered per (name, token) while the playback directory is unchanged: every request of a
 * viewer asks the same question. Only allows are kept (a flood of unknown ids cannot flush them); dropped whole
 * when full, and whenever the directory changes.
 */
export const PLAY_DECISION_CACHE_MAX = 4096;
