import { createReadStream } from 'node:fs';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { parseRange } from '../../hls/byte-ranges.js';

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
 * A file, or one byte range of it (RFC 9110 §14): 206 + Content-Range, 416 (Content-Range `bytes *` + size) for a range
 * past the end, the whole file otherwise; HEAD answers the same headers without a body. Streamed from disk.
 */
export function sendFileRange(request: FastifyRequest, reply: FastifyReply, file: FileBody): FastifyReply {
  reply.header('content-type', file.mime).header('cache-control', file.cacheControl).header('accept-ranges', 'bytes');
  if (file.disposition) reply.header('content-disposition', file.disposition);
  const range = parseRange(request.headers.range, file.size);
  if (range === 'unsatisfiable') return reply.code(416).header('content-range', `bytes */${file.size}`).send();
  const start = range?.start ?? 0;
  const end = range?.end ?? file.size - 1;
  if (range) reply.code(206).header('content-range', `bytes ${start}-${end}/${file.size}`);
  reply.header('content-length', end - start + 1);
  if (request.method === 'HEAD' || end < start) return reply.send();
  return reply.send(createReadStream(file.path, { start, end }));
}
