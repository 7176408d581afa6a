/**
 * One registry of the API's error codes: HTTP status and meaning. Every error body is
 * `{ "error": { "code", "message" } }`; codes are stable (clients branch on them), messages are for humans.
 * `api-errors.test.ts` checks that docs/API.md documents each code.
 */
export const API_ERRORS = {
  validation_failed: { status: 400, doc: 'the body, query or path failed its schema; the message names the field and the rule' },
  invalid_json: { status: 400, doc: 'the request body is not valid JSON' },
  invalid_request: { status: 400, doc: 'well-formed but unacceptable: an unknown cursor, webhook event type or URL' },
  unauthorized: { status: 401, doc: 'missing, malformed or wrong `Authorization: Bearer <token>`' },
  not_found: { status: 404, doc: 'no such route' },
  stream_not_found: { status: 404, doc: 'no stream with this id' },
  webhook_not_found: { status: 404, doc: 'no webhook endpoint with this id' },
  delivery_not_found: { status: 404, doc: 'no webhook delivery with this id (or its endpoint was deleted)' },
  asset_not_found: { status: 404, doc: 'no asset with this id, or (download) it has no media: deleted, or nothing was recorded' },
  limit_reached: { status: 409, doc: 'a server-side limit is reached (e.g. the number of webhook endpoints)' },
  payload_too_large: { status: 413, doc: 'the request body exceeds the API body limit' },
  unsupported_media_type: { status: 415, doc: 'the body is not `application/json`' },
  rate_limited: { status: 429, doc: 'too many failed authentication attempts from this IP; retry after the window' },
  internal_error: { status: 500, doc: 'an unexpected server error (logged with the request id)' },
  service_unavailable: { status: 503, doc: 'the server is shutting down' },
} as const satisfies Record<string, { status: number; doc: string }>;

export type ApiErrorCode = keyof typeof API_ERRORS;

export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly statusCode: number;
  constructor(readonly code: ApiErrorCode, message: string) {
    super(message);
    this.statusCode = API_ERRORS[code].status;
  }
}

export interface ApiErrorBody {
  error: { code: ApiErrorCode; message: string };
}

export function errorBody(code: ApiErrorCode, message: string): ApiErrorBody {
  return { error: { code, message } };
}
