/** pg pool size: the API and the webhook worker are the only users; a few connections keep latency flat. */
export const POOL_MAX_CONNECTIONS = 10;
/** Idle pool connections are returned after this, so a quiet server holds no sockets it does not need. */
export const POOL_IDLE_TIMEOUT_MS = 30_000;
/** A database that does not accept a connection within this fails startup instead of hanging it. */
export const CONNECT_TIMEOUT_MS = 10_000;
/**
 * A query PostgreSQL never answers (a hung server, a link that went black under an open connection) fails after
 * this as "database unavailable" instead of holding its API request or write forever. Migrations are exempt: they
 * may run long on a big database, and nothing waits on them but the start.
 */
export const QUERY_TIMEOUT_MS = 10_000;
/** Advisory lock id serialising migrations when several instances start against one PostgreSQL. */
export const MIGRATION_LOCK_ID = 0x0a1a_0001;
/** A lost LISTEN connection is re-opened after this, doubling per failure up to LISTEN_RETRY_MAX_MS. */
export const LISTEN_RETRY_MIN_MS = 250;
/** Backoff cap: a database that is down is not hammered, and a recovered one is heard from within this. */
export const LISTEN_RETRY_MAX_MS = 5_000;
/** TCP keepalive on the LISTEN connection, so a silently dead peer is noticed (the periodic reload covers it meanwhile). */
export const LISTEN_KEEPALIVE_DELAY_MS = 10_000;
