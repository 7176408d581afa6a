/** Limits of the health service. Thresholds are config flags (--health-*); these are fixed. */

/** History kept per stream: 5 minutes at one sample a second. */
export const HISTORY_SAMPLES = 300;

/** How often every live stream is evaluated. */
export const EVALUATION_INTERVAL_MS = 1000;

/**
 * An HLS session (one client address + user agent per stream) ends when it has not asked for a media playlist
 * for this long: players reload every part (LL-HLS) or target duration (standard, 4-6 s); 20 s covers a few
 * missed reloads without counting a viewer who left for long.
 */
export const HLS_SESSION_IDLE_MS = 20_000;

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
