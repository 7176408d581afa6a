import type { FastifyReply, FastifyRequest } from 'fastify';
import { corsHeaders } from '../cors.js';
import { sendPlaybackError } from '../playback-errors.js';
import { bodyOf, parseRange, sliceChunks } from './byte-ranges.js';

export const MIME_PLAYLIST = 'application/vnd.apple.mpegurl';
export const MIME_TS = 'video/mp2t';

/** Playlists change every part: never cached (RFC 8216 §6.2.2 "SHOULD NOT" cache longer than a target). */
const PLAYLIST_CACHE = 'no-cache';
/** Segment, part and init names are never reused (instance tag + MSN), so their bytes never change. */
const MEDIA_CACHE = 'public, max-age=31536000, immutable';

export function sendPlaylist(request: FastifyRequest, reply: FastifyReply, body: string): FastifyReply {
  return reply.code(200).headers(corsHeaders(request.headers.origin)).header('content-type', MIME_PLAYLIST).header('cache-control', PLAYLIST_CACHE).send(body);
}

/** Media bytes with Range support (RFC 9110 §14): 206 + Content-Range, or 416. */
export function sendMedia(request: FastifyRequest, reply: FastifyReply, chunks: readonly Buffer[], mime: string): FastifyReply {
  let size = 0;
  for (const c of chunks) size += c.length;
  const range = parseRange(request.headers.range, size);
  if (range === 'unsatisfiable') {
    reply.header('content-range', `bytes */${size}`);
    return sendPlaybackError(request, reply, 'range_not_satisfiable', `the media has ${size} bytes`);
  }
  reply.headers(corsHeaders(request.headers.origin)).header('content-type', mime).header('cache-control', MEDIA_CACHE).header('accept-ranges', 'bytes');
  if (range) {
    const part = sliceChunks(chunks, range.start, range.end);
    return reply.code(206).header('content-range', `bytes ${range.start}-${range.end}/${size}`)
      .header('content-length', range.end - range.start + 1).send(bodyOf(part));
  }
  return reply.code(200).header('content-length', size).send(bodyOf(chunks));
}
