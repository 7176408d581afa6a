import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { API_ERRORS, errorBody, type ApiErrorCode } from './api-errors.js';
import { MAX_PARAM_LENGTH } from './limits.js';

/**
 * What fastify's router refuses before any route runs, in the server's one error shape. The messages never
 * echo the path: it may carry a playback token, and a 414's path is by definition huge.
 */
export function answerFrameworkError(err: FastifyError, _req: FastifyRequest, reply: FastifyReply): void {
  const [code, message]: [ApiErrorCode, string] = err.code === 'FST_ERR_BAD_URL'
    ? ['invalid_url', 'the URL is not valid (a bad percent-encoding?)']
    : err.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? ['uri_too_long', `a path segment is longer than ${MAX_PARAM_LENGTH} characters`]
      : ['internal_error', 'internal server error'];
  reply.code(API_ERRORS[code].status).send(errorBody(code, message));
}

const CLIENT_ERRORS: Readonly<Record<string, readonly [ApiErrorCode, string]>> = {
  HPE_HEADER_OVERFLOW: ['headers_too_large', 'the request headers are too large'],
  ERR_HTTP_REQUEST_TIMEOUT: ['request_timeout', 'the request did not arrive in time'],
};

/**
 * What Node's HTTP parser refuses (no request exists yet, so no route or hook runs): the answer is written
 * on the socket, which is then closed, as Node and fastify do by default; only the body is ours.
 */
export function answerClientError(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [code, message] = CLIENT_ERRORS[err.code ?? ''] ?? ['malformed_request', 'the request is not valid HTTP'];
  const status = API_ERRORS[code].status;
  const body = JSON.stringify(errorBody(code, message));
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n`
      + `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  }
  socket.destroy(err);
}
