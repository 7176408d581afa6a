import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AdminTokenAuthenticator } from '../../../services/auth/admin-token.js';
import type { FailureRateLimiter } from '../../../services/auth/failure-rate-limiter.js';
import { ApiError } from '../api-errors.js';
import { tokenOutsideHeader } from './feed-token.js';

const BEARER = /^Bearer ([A-Za-z0-9._~+/=-]{1,512})$/;

/**
 * onRequest hook for /api/v1: `Authorization: Bearer <admin token>` (EventSource routes also take it as
 * `?token=` or a cookie, see feed-token.ts). An IP with too many failures is
 * refused (429) before its token is checked, so the token cannot be brute-forced at line rate.
 */
export function adminAuthHook(auth: AdminTokenAuthenticator, limiter: FailureRateLimiter) {
  return async (req: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    if (limiter.isLimited(req.ip)) throw new ApiError('rate_limited', 'too many failed authentication attempts; retry later');
    const header = req.headers.authorization;
    const match = header ? BEARER.exec(header) : null;
    const token = match?.[1] ?? tokenOutsideHeader(req);
    if (token && auth.verify(token)) return;
    limiter.recordFailure(req.ip);
    throw new ApiError('unauthorized', header ? 'invalid bearer token' : 'missing Authorization: Bearer <token>');
  };
}
