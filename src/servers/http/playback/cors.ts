import type { FastifyReply, FastifyRequest } from 'fastify';
import { CORS_PREFLIGHT_MAX_AGE_S, CORS_REQUEST_HEADERS_MAX } from './limits.js';

/** Response headers a player's script may read from a playback answer (a ranged one's Content-Range and Length). */
export const CORS_EXPOSE_HEADERS = 'content-length, content-range, accept-ranges';

/**
 * The one CORS policy of every playback route (HLS, HTTP-FLV, WS-FLV): players on other origins (hls.js or
 * mpegts.js on a customer's page) read everything here. Without an Origin the answer is `*`. With one, that
 * origin is echoed with Allow-Credentials, because a player asked to send credentials (hls.js `xhrSetup`,
 * mpegts.js `withCredentials`) is refused by the browser on `*` (Fetch standard, "CORS check"). Playback is
 * authorized by the URL (token in the query), never by cookies, so echoing any origin grants nothing extra.
 * Range needs a preflight, and a player reads Content-Range and Content-Length from a ranged answer.
 */
export function corsHeaders(origin: string | undefined): Record<string, string> {
  const expose = { 'access-control-expose-headers': CORS_EXPOSE_HEADERS, vary: 'Origin' };
  if (!origin) return { 'access-control-allow-origin': '*', ...expose };
  return { 'access-control-allow-origin': origin, 'access-control-allow-credentials': 'true', ...expose };
}

/** Header names a preflight may ask for: tokens only (RFC 9110 §5.1 field-name), so nothing odd is reflected. */
const HEADER_LIST = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+(\s*,\s*[A-Za-z0-9!#$%&'*+.^_`|~-]+)*$/;

/** Answers an OPTIONS preflight (custom headers such as Range or Authorization from a player's config). */
export function answerPreflight(req: FastifyRequest, reply: FastifyReply): FastifyReply {
  return reply.code(204).headers(preflightHeaders(req.headers.origin, req.headers['access-control-request-headers'])).send();
}

/** The headers of a preflight's 204, for fastify routes and the HLS front alike. */
export function preflightHeaders(origin: string | undefined, asked: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {
    ...corsHeaders(origin),
    'access-control-allow-methods': 'GET, HEAD, OPTIONS',
    'access-control-max-age': String(CORS_PREFLIGHT_MAX_AGE_S),
  };
  if (typeof asked === 'string' && asked.length <= CORS_REQUEST_HEADERS_MAX && HEADER_LIST.test(asked)) {
    headers['access-control-allow-headers'] = asked;
  }
  return headers;
}
