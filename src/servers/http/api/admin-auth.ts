import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AdminTokenAuthenticator } from '../../../services/auth/admin-token.js';
import type { FailureRateLimiter } from '../../../services/auth/failure-rate-limiter.js';
import { ApiError } from '../api-errors.js';

/** RFC 9110 11.1: the auth scheme is case-insensitive; one or more spaces before the token68. */
const BEARER = /^bearer +([A-Za-z0-9._~+/=-]{1,512}) *$/i;

/**
 * onRequest hook for /api/v1: `Authorization: Bearer <admin token>`. An IP with too many failures is
 * refused (429, with Retry-After) before its token is checked, so the token cannot be brute-forced at line
 * rate; that refuses the right token too, which the 429 says. Behind a reverse proxy `req.ip` is the client's
 * address only with --trust-proxy.
 */
export function adminAuthHook(auth: AdminTokenAuthenticator, limiter: FailureRateLimiter) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (limiter.isLimited(req.ip)) {
      const seconds = Math.max(1, Math.ceil(limiter.retryAfterMs(req.ip) / 1000));
      reply.header('retry-after', String(seconds));
      throw new ApiError('rate_limited', `too many failed authentication attempts from ${req.ip}: every request from this address is refused for ${seconds} s, even with the right token`);
    }
    const header = req.headers.authorization;
    const match = header ? BEARER.exec(header) : null;
    if (match && auth.verify(match[1]!)) return;
    limiter.recordFailure(req.ip);
    throw new ApiError('unauthorized', header ? 'invalid bearer token' : 'missing Authorization: Bearer <token>');
  };
}
