/** Limits of the health service. Thresholds are config flags (--health-*); these are fixed. */

/** History kept per stream: 5 minutes at one sample a second. */
export const HISTORY_SAMPLES = 300;

/** How often every live stream is evaluated. */
export const EVALUATION_INTERVAL_MS = 1000;

/**
 * An HLS session (one client address + user agent per stream) ends when it has not asked for a media playlist for
 * HLS_SESSION_IDLE_TARGET_DURATIONS of its stream's target durations (EXT-X-TARGETDURATION), kept within these
 * bounds (hlsSessionIdleMs): a player reloads a classic playlist about once a target duration (RFC 8216 §6.3.4: not
 * sooner than one after its last load, half of one after an unchanged reload), and an LL-HLS one every part (blocking
 * reloads), so three target durations are a few missed reloads, and a viewer who closed the tab drops out after
 * 12 s on a 4 s `standard` stream, HLS_SESSION_IDLE_MIN_MS on a 1 s `low` one. The floor is for LL-HLS's 1 s target
 * durations: a playlist request is recorded when it is answered 200, and a player whose blocking reload failed
 * retries it 1 s, then 2 s later (hls.js defaults), so 3 s would drop viewers over one late part. The cap is the
 * time used while a stream's target duration is not known here (and was the one time for every stream). MediaMTX
 * ends its HLS sessions (a cookie or query secret) after one fixed inactivity time and SRS its `hls_ctx` virtual
 * connections after twice the configured hls_window (minutes): the same for every stream, so a low-latency stream
 * would keep its gone viewers as long as a classic one.
 */
export const HLS_SESSION_IDLE_TARGET_DURATIONS = 3;
export const HLS_SESSION_IDLE_MIN_MS = 6_000;
export const HLS_SESSION_IDLE_MAX_MS = 20_000;

/** HLS sessions tracked per stream; past it new clients are not counted (the figure is an estimate anyway). */
export const MAX_HLS_SESSIONS_PER_STREAM = 10_000;

/** Client identity kept per HLS session: the user agent is the client's to choose, so it is cut. */
export const MAX_HLS_CLIENT_KEY = 256;

/** Health SSE feeds open at once (each costs a socket and a JSON encoding a second). */
export const MAX_HEALTH_FEEDS = 256;

/**
 * Workers: a sibling worker reports its HLS sessions of a stream it does not own once a second; the owner drops a
 * report this old (that worker's viewers left, or it died).
 */
export const SIBLING_AUDIENCE_TTL_MS = 3_000;

/**
 * --cluster: HLS session ids a node sends per stream in its once-a-second report to the owning node (8 bytes each as
 * JSON digits, about 17: 2000 ids are ~34 KB). Sessions past it are sent as a count, added at the owner without being
 * united (a viewer whose requests land on two nodes may then count twice).
 */
export const MAX_REPORTED_SESSIONS = 2_000;

/** --cluster: streams in one node's report to one owner; the rest wait for a round in which fewer are served. */
export const MAX_REPORTED_STREAMS = 1_000;
