/** First retry delay; doubles per attempt (exponential backoff) up to RETRY_MAX_MS. */
export const RETRY_BASE_MS = 10_000;
/** Backoff cap: a receiver down for hours is retried hourly, not at ever longer gaps. */
export const RETRY_MAX_MS = 3_600_000;
/** Attempts before a delivery is marked failed (~6 h of retries with the defaults); redeliver restarts it. */
export const MAX_ATTEMPTS = 12;
/** A receiver must answer within this; a hung one is an attempt failed, not a stuck worker. */
export const DELIVERY_TIMEOUT_MS = 10_000;
/** How often the worker looks for due retries (new events wake it at once). */
export const POLL_INTERVAL_MS = 1_000;
/** Deliveries claimed per worker pass, sent concurrently; bounds sockets and memory per pass. */
export const CLAIM_BATCH_SIZE = 20;
/** A claimed delivery is leased this long beyond its timeout: a crash mid-send retries it after the lease. */
export const LEASE_MARGIN_MS = 30_000;
/** Endpoints per server: webhooks fan out per event, so a runaway script must not multiply every event. */
export const MAX_ENDPOINTS = 100;
/** Longest error text stored per delivery. */
export const MAX_ERROR_TEXT = 500;
