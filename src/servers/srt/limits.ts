/**
 * Limits of the SRT listener. A SYN-cookie listener keeps nothing for an induction; these bound what a
 * caller with a valid cookie can make it hold while its request is decided.
 */

/**
 * Conclusions being decided at once (auth lookups, key derivation). Real encoders connect a few at a time;
 * a flood with valid cookies (each needs a round trip from a real address) is refused with "backlog".
 */
export const MAX_PENDING_HANDSHAKES = 128;

/** Of those, from one address: a misbehaving host cannot take all the slots. */
export const MAX_PENDING_PER_ADDRESS = 16;

/**
 * Rejections remembered so a caller that missed ours and repeats its conclusion gets the same answer
 * instead of a second auth attempt (which would count twice against its failure rate limit).
 */
export const REJECTION_CACHE_SIZE = 1024;
export const REJECTION_CACHE_TTL_MS = 10_000;

/**
 * The sessions' fallback clock. A session also runs its timers whenever one of its datagrams arrives, so
 * while media or ACKs flow its ACKs (every 10 ms), NAKs and TSBPD release happen on arrival; this timer
 * covers the gaps (a paused publisher, a player waiting for pacing). 20 ms (the NAK floor) instead of 5 ms
 * was 0.79x a session's CPU in the same windows: each wake-up of the event loop costs more than the work.
 * It runs only while sessions exist.
 */
export const TICK_INTERVAL_MS = 20;

/**
 * Kernel receive buffer asked for the UDP socket: 4 MiB is ~2800 full packets, 1 s of 20 Mb/s ingest from a
 * stalled event loop. Linux caps it at net.core.rmem_max (often 208 KiB) without an error.
 */
export const SOCKET_BUFFER_BYTES = 4 * 1024 * 1024;

/** Hostile-input log lines (bad packets, bad cookies) at most once per this many ms per kind. */
export const HOSTILE_LOG_INTERVAL_MS = 10_000;
