import { createReadStream } from 'node:fs';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errorBody } from '../../api-errors.js';
import { parseRange } from '../hls/byte-ranges.js';

export interface FileBody {
  readonly path: string;
  /** Bytes that may be read (a recording being written is read up to its last whole fragment). */
  readonly size: number;
  readonly mime: string;
  readonly cacheControl: string;
  /** Content-Disposition (downloads). */
  readonly disposition?: string;
}

/**
 * A file, or one byte range of it (RFC 9110 §14): 206 + Content-Range; a range past the end is 416 with
 * Content-Range "bytes * / size" (no spaces) and the server's error shape (`range_not_satisfiable`); the whole file otherwise.
 * HEAD answers the same headers without a body. Streamed from disk. Headers the caller set (CORS) stay.
 */
export function sendFileRange(request: FastifyRequest, reply: FastifyReply, file: FileBody): FastifyReply {
  const range = parseRange(request.headers.range, file.size);
  if (range === 'unsatisfiable') {
    return reply.code(416).header('content-range', `bytes */${file.size}`).header('cache-control', 'no-store')
      .send(errorBody('range_not_satisfiable', `the media has ${file.size} bytes`));
  }
  reply.header('content-type', file.mime).header('cache-control', file.cacheControl).header('accept-ranges', 'bytes');
  if (file.disposition) reply.header('content-disposition', file.disposition);
  const start = range?.start ?? 0;
  const end = range?.end ?? file.size - 1;
  if (range) reply.code(206).header('content-range', `bytes ${start}-${end}/${file.size}`);
  reply.header('content-length', end - start + 1);
  if (request.method === 'HEAD' || end < start) return reply.send();
  return reply.send(createReadStream(file.path, { start, end }));
}
