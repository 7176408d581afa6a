import type { FastifyReply, FastifyRequest } from 'fastify';
import { API_ERRORS, errorBody, type ApiErrorCode } from '../api-errors.js';
import { corsHeaders } from './cors.js';

/**
 * Every playback error (HLS, HTTP-FLV, WS-FLV before the upgrade, watch page) in the one error shape of the
 * server, `{error: {code, message}}` with a registry code and its status, readable by a player on another
 * origin, and never cached (the same URL may answer once the stream is live).
 */
export function sendPlaybackError(req: FastifyRequest, reply: FastifyReply, code: ApiErrorCode, message: string): FastifyReply {
  return reply.code(API_ERRORS[code].status).headers(corsHeaders(req.headers.origin)).header('cache-control', 'no-store')
    .send(errorBody(code, message));
}
