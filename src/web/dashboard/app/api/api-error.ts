import type { ApiErrorBody } from './types.js';

/** A failed API call, with the server's stable error code (docs/API.md "Errors") and a message for a person. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** What the dashboard says for the codes a person can act on; anything else shows the server's own message. */
const HINTS: Record<string, string> = {
  unauthorized: 'The server refused this API token. Check it and sign in again.',
  rate_limited: 'Too many failed sign-ins from this address: wait a minute and try again.',
  service_unavailable: 'The server is shutting down.',
};

/** Builds the error of a non-2xx response from its body (JSON or not). */
export function apiErrorOf(status: number, bodyText: string): ApiError {
  let code = `http_${status}`;
  let message = bodyText.trim().slice(0, 300) || `HTTP ${status}`;
  try {
    const body = JSON.parse(bodyText) as Partial<ApiErrorBody>;
    if (body.error && typeof body.error.code === 'string') {
      code = body.error.code;
      message = String(body.error.message ?? message);
    }
  } catch {
    // not JSON: keep the text
  }
  return new ApiError(status, code, HINTS[code] ?? message);
}

/** The text to show for any error an API call can throw (including a network failure). */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof TypeError) return 'Cannot reach the OnAir server.';
  return err instanceof Error ? err.message : String(err);
}
