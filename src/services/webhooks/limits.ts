/** First retry delay; doubles per attempt (exponential backoff) up to RETRY_MAX_MS. */
export const RETRY_BASE_MS = 10_000;
/** Backoff cap: a receiver down for hours is retried hourly, not at ever longer gaps. */
export const RETRY_MAX_MS = 3_600_000;
/** Attempts before a delivery is marked failed (~6 h of retries with the defaults); redeliver restarts it. */
export const MAX_ATTEMPTS = 12;
/** A receiver must answer within this; a hung one is an attempt failed, not a stuck worker. */
export const DELIVERY_TIMEOUT_MS = 10_000;
/**
 * Longest sleep of the worker. It wakes at once for new events and at the next retry's due time, so this only
 * matters for deliveries queued by another instance sharing PostgreSQL. The embedded database has no other
 * writer and does not poll at all: each poll is two queries, ~30 ms of CPU in PGlite, which made an idle server
 * cost ~0.3 % of a core.
 */
export const POLL_INTERVAL_MS = 15_000;
/** setTimeout's longest delay (2^31-1 ms); a longer one would fire at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;
/** Shortest sleep between worker passes. */
export const MIN_POLL_INTERVAL_MS = 20;
/** Deliveries claimed per worker pass, sent concurrently; bounds sockets and memory per pass. */
export const CLAIM_BATCH_SIZE = 20;
/** A claimed delivery is leased this long beyond its timeout: a crash mid-send retries it after the lease. */
export const LEASE_MARGIN_MS = 30_000;
/** Endpoints per server: webhooks fan out per event, so a runaway script must not multiply every event. */
export const MAX_ENDPOINTS = 100;
/** Longest error text stored per delivery. */
export const MAX_ERROR_TEXT = 500;
