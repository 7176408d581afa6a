import type { FastifyError, FastifyInstance } from 'fastify';
import { isOnAirError, type ErrorCode } from '../../core/errors.js';
import { API_ERRORS, ApiError, errorBody, type ApiErrorCode } from './api-errors.js';

/** Service-layer error codes that reach the API, and the API code each becomes. */
const FROM_ONAIR: Partial<Record<ErrorCode, ApiErrorCode>> = {
  ONAIR_ERR_MALFORMED: 'invalid_request',
  ONAIR_ERR_BAD_NAME: 'invalid_request',
  ONAIR_ERR_LIMIT: 'limit_reached',
  ONAIR_ERR_CLOSED: 'service_unavailable',
  ONAIR_ERR_UNAVAILABLE: 'database_unavailable',
};

/** Fastify's own error codes and the API code each becomes. */
const FROM_FASTIFY: Record<string, ApiErrorCode> = {
  FST_ERR_VALIDATION: 'validation_failed',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'validation_failed',
};

function classify(err: FastifyError | Error): { code: ApiErrorCode; message: string } {
  if (err instanceof ApiError) return { code: err.code, message: err.message };
  if (isOnAirError(err)) {
    const code = FROM_ONAIR[err.code];
    if (code) return { code, message: err.message };
  }
  const fastifyCode = (err as FastifyError).code;
  const mapped = fastifyCode ? FROM_FASTIFY[fastifyCode] : undefined;
  if (mapped) return { code: mapped, message: err.message };
  return { code: 'internal_error', message: 'internal server error' };
}

/** Every error leaves as `{ error: { code, message } }` with the registry's status. */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const { code, message } = classify(err);
    if (code === 'internal_error') req.log.error({ err }, 'request failed');
    if (code === 'unauthorized') reply.header('www-authenticate', 'Bearer');
    if (code === 'database_unavailable') reply.header('retry-after', '5');
    return reply.status(API_ERRORS[code].status).send(errorBody(code, message));
  });
  app.setNotFoundHandler((req, reply) => {
    return reply.status(404).send(errorBody('not_found', `no route ${req.method} ${req.url.split('?')[0]}`));
  });
}
