import { OnAirError, isOnAirError } from '../core/errors.js';

/** Socket errors of a database that cannot be reached (down, restarting, unreachable network). */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED']);

/**
 * SQLSTATEs that say "the server is going away or not accepting us right now", not "your SQL is wrong":
 * class 08 (connection exception), 57P01-57P03 (shutdown, crash shutdown, starting up), 53300 (too many connections).
 */
const SERVER_CODES = /^(08...|57P0[123]|53300)$/;

/** node-postgres reports a dropped or timed-out connection with plain Errors; these are its wordings. */
const PG_MESSAGES = /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|Connection is not queryable|not queryable|Query read timeout/i;

/**
 * True when `err` means the database could not be reached or dropped the connection (worth retrying once
 * it is back), false for anything the same statement would fail with again (a constraint, bad SQL).
 */
export function isConnectionFailure(err: unknown): boolean {
  if (isOnAirError(err, 'ONAIR_ERR_UNAVAILABLE')) return true;
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && (SOCKET_CODES.has(code) || SERVER_CODES.test(code))) return true;
  if (err instanceof AggregateError && err.errors.some(isConnectionFailure)) return true;
  return PG_MESSAGES.test(err.message);
}

/** A connection failure as the one typed error the layers above branch on (HTTP 503, publish refusals, retry queues). */
export function unavailableError(err: unknown): unknown {
  if (isOnAirError(err) || !isConnectionFailure(err)) return err;
  return new OnAirError('ONAIR_ERR_UNAVAILABLE', `database unavailable: ${(err as Error).message}`, { cause: err });
}

/** True for ONAIR_ERR_UNAVAILABLE (what PostgresDatabase throws while PostgreSQL cannot be reached). */
export function isDatabaseUnavailable(err: unknown): boolean {
  return isOnAirError(err, 'ONAIR_ERR_UNAVAILABLE');
}
