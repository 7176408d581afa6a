import type { FastifyReply, FastifyRequest } from 'fastify';
import { CORS_PREFLIGHT_MAX_AGE_S, CORS_REQUEST_HEADERS_MAX } from './limits.js';

/**
 * CORS for players on other origins (INTEROP 6): mpegts.js fetches with `mode: 'cors'` and sends credentials
 * only when asked (withCredentials), and then the browser needs the exact origin plus Allow-Credentials, not
 * `*`. Playback is authorized by the URL (token in the query), never by cookies, so echoing any origin
 * grants nothing extra.
 */
export function corsHeaders(origin: string | undefined): Record<string, string> {
  if (!origin) return { 'access-control-allow-origin': '*', vary: 'Origin' };
  return { 'access-control-allow-origin': origin, 'access-control-allow-credentials': 'true', vary: 'Origin' };
}

/** Header names a preflight may ask for: tokens only (RFC 9110 field-name), so nothing odd is reflected. */
const HEADER_LIST = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+(\s*,\s*[A-Za-z0-9!#$%&'*+.^_`|~-]+)*$/;

/** Answers an OPTIONS preflight (custom headers such as Range or Authorization from a player's config). */
export function answerPreflight(req: FastifyRequest, reply: FastifyReply): void {
  const asked = req.headers['access-control-request-headers'];
  const headers: Record<string, string> = {
    ...corsHeaders(req.headers.origin),
    'access-control-allow-methods': 'GET, OPTIONS',
    'access-control-max-age': String(CORS_PREFLIGHT_MAX_AGE_S),
  };
  if (typeof asked === 'string' && asked.length <= CORS_REQUEST_HEADERS_MAX && HEADER_LIST.test(asked)) {
    headers['access-control-allow-headers'] = asked;
  }
  reply.code(204).headers(headers).send();
}
