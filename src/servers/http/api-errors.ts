/**
 * One registry of the HTTP error codes (API, playback, and what fastify and Node's HTTP parser refuse):
 * HTTP status and meaning. Every error body is `{ "error": { "code", "message" } }`; codes are stable
 * (clients branch on them), messages are for humans. `api-errors.test.ts` checks that docs/API.md
 * documents each code.
 */
export const API_ERRORS = {
  validation_failed: { status: 400, doc: 'the body, query or path failed its schema; the message names the field and the rule' },
  invalid_json: { status: 400, doc: 'the request body is not valid JSON' },
  invalid_request: { status: 400, doc: 'well-formed but unacceptable: an unknown cursor, webhook event type or URL; an HLS delivery directive (`_HLS_msn`, `_HLS_part`, `_HLS_skip`) that is malformed or too far ahead' },
  invalid_url: { status: 400, doc: 'the request URL is malformed (e.g. a bad percent-encoding)' },
  malformed_request: { status: 400, doc: 'the request is not valid HTTP (the connection is closed after the answer)' },
  unauthorized: { status: 401, doc: 'missing, malformed or wrong `Authorization: Bearer <token>`' },
  forbidden: { status: 403, doc: 'playback refused: the stream is signed and `?token=` is missing, wrong or expired' },
  not_found: { status: 404, doc: 'no such route' },
  stream_not_found: { status: 404, doc: 'no stream with this id' },
  webhook_not_found: { status: 404, doc: 'no webhook endpoint with this id' },
  delivery_not_found: { status: 404, doc: 'no webhook delivery with this id (or its endpoint was deleted)' },
  target_not_found: { status: 404, doc: 'no re-push target with this id on this stream' },
  asset_not_found: { status: 404, doc: 'no asset with this id, or (download, VOD) it has no media: deleted, or nothing was recorded; VOD: its stream is disabled' },
  stream_not_live: { status: 404, doc: 'playback: no live stream under this playback id (unknown, not publishing, or ended)' },
  media_not_found: { status: 404, doc: 'playback: no such rendition, or the segment, part or init segment left the window (or the stream cannot be carried in MPEG-TS)' },
  no_playable_track: { status: 406, doc: 'playback: no track of the stream can be carried over HTTP-FLV' },
  request_timeout: { status: 408, doc: 'the request did not arrive in time (the connection is closed after the answer)' },
  limit_reached: { status: 409, doc: 'a server-side limit is reached (e.g. the number of webhook endpoints)' },
  payload_too_large: { status: 413, doc: 'the request body exceeds the API body limit' },
  uri_too_long: { status: 414, doc: 'a path segment is longer than the router accepts (256 characters)' },
  unsupported_media_type: { status: 415, doc: 'the body is not `application/json`' },
  range_not_satisfiable: { status: 416, doc: 'playback: the `Range` lies outside the media\'s bytes' },
  rate_limited: { status: 429, doc: 'too many failed authentication attempts from this address; every request from it is refused until Retry-After, even with the right token' },
  headers_too_large: { status: 431, doc: 'the request headers exceed Node\'s limit (16 KiB; the connection is closed after the answer)' },
  internal_error: { status: 500, doc: 'an unexpected server error (logged with the request id)' },
  bad_gateway: { status: 502, doc: 'playback: the node or worker owning the stream did not answer this server\'s forwarded request; retry' },
  service_unavailable: { status: 503, doc: 'the server is shutting down' },
  database_unavailable: { status: 503, doc: 'the database (PostgreSQL) cannot be reached right now; retry after Retry-After seconds (live streams are not affected)' },
  stream_not_ready: { status: 503, doc: 'playback: the stream has no segment or decodable frame yet, or a blocking playlist request was not satisfied in time; retry' },
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
