/**
 * One registry of error codes. Every code has a one-line meaning; `errors.test.ts` checks that the
 * README's error table documents each one, so a code never ships undocumented.
 */
export const ERROR_CODES = {
  ONAIR_ERR_TRUNCATED: 'input ended before a complete value',
  ONAIR_ERR_LIMIT: 'a peer-declared size or count exceeds a named limit',
  ONAIR_ERR_MALFORMED: 'input violates the format or protocol',
  ONAIR_ERR_UNSUPPORTED: 'valid input that this server does not handle',
  ONAIR_ERR_TIMEOUT: 'a peer did not answer in time',
  ONAIR_ERR_CLOSED: 'the object was already closed',
  ONAIR_ERR_STATE: 'a message arrived in a state where it is not allowed',
  ONAIR_ERR_BAD_NAME: 'an app or stream name failed validation',
  ONAIR_ERR_UNAUTHORIZED: 'credentials were missing, wrong or expired',
  ONAIR_ERR_NOT_FOUND: 'the named resource does not exist',
  ONAIR_ERR_CONFLICT: 'the resource is in use or already exists',
  ONAIR_ERR_CONFIG: 'the configuration is invalid',
  ONAIR_ERR_INTERNAL: 'an unexpected error inside the server (a bug; logged with its stack)',
  ONAIR_ERR_UNAVAILABLE: 'the database cannot be reached right now (down, restarting, unreachable); retried or answered 503',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class OnAirError extends Error {
  override readonly name = 'OnAirError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isOnAirError(err: unknown, code?: ErrorCode): err is OnAirError {
  return err instanceof OnAirError && (code === undefined || err.code === code);
}

/** Throws ONAIR_ERR_LIMIT when a peer-declared `value` exceeds `limit`; `what` names the field. */
export function checkLimit(what: string, value: number, limit: number): void {
  if (value > limit) throw new OnAirError('ONAIR_ERR_LIMIT', `${what} ${value} exceeds limit ${limit}`);
}
