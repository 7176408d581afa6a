import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { API_ERRORS, errorBody, type ApiErrorCode } from '../../api-errors.js';
import { corsHeaders } from '../cors.js';
import { parseRange, sliceChunks } from './byte-ranges.js';
import type { RenderedPlaylist } from './playlist-cache.js';
import { MEDIA_MAX_AGE_S } from './limits.js';

export const MIME_PLAYLIST = 'application/vnd.apple.mpegurl';
export const MIME_TS = 'video/mp2t';

/** Segment, part and init names are never reused (instance tag + MSN), so their bytes never change. */
export const MEDIA_CACHE = `public, max-age=${MEDIA_MAX_AGE_S}, immutable`;

/**
 * Answers of the HLS routes on Node's own request and response (no framework in between, see hls-front.ts):
 * bodies are the shared Buffers (a rendered playlist, the window's parts) written as they are, never copied
 * per request; HEAD gets the same headers and no body.
 */
export class HlsExchange {
  readonly head: boolean;

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
  ) {
    this.head = req.method === 'HEAD';
  }

  /** The viewer left while a blocking request waited: nothing to write. */
  get gone(): boolean {
    return this.res.destroyed || this.res.writableEnded;
  }

  /** A playlist from the cache; 304 when the client holds these bytes already (If-None-Match). */
  playlist(p: RenderedPlaylist, cacheControl: string): void {
    const headers: OutgoingHttpHeaders = {
      ...corsHeaders(this.req.headers.origin), 'content-type': MIME_PLAYLIST, 'cache-control': cacheControl, etag: p.etag,
    };
    if (matches(this.req.headers['if-none-match'], p.etag)) return this.notModified(headers);
    headers['content-length'] = p.body.length;
    this.res.writeHead(200, headers);
    this.res.end(this.head ? undefined : p.body);
  }

  /** Media bytes (init, segment, part) with Range (RFC 9110 §14: 206 + Content-Range, or 416) and If-None-Match. */
  media(chunks: readonly Buffer[], mime: string, etag: string): void {
    let size = 0;
    for (const c of chunks) size += c.length;
    const headers: OutgoingHttpHeaders = {
      ...corsHeaders(this.req.headers.origin), 'content-type': mime, 'cache-control': MEDIA_CACHE, 'accept-ranges': 'bytes', etag,
    };
    // If-None-Match is evaluated before Range (RFC 9110 §13.2.2).
    if (matches(this.req.headers['if-none-match'], etag)) return this.notModified(headers);
    const range = parseRange(this.req.headers.range, size);
    if (range === 'unsatisfiable') {
      return this.error('range_not_satisfiable', `the media has ${size} bytes`, { 'content-range': `bytes */${size}` });
    }
    if (range) {
      headers['content-range'] = `bytes ${range.start}-${range.end}/${size}`;
      headers['content-length'] = range.end - range.start + 1;
      this.res.writeHead(206, headers);
      return this.body(sliceChunks(chunks, range.start, range.end));
    }
    headers['content-length'] = size;
    this.res.writeHead(200, headers);
    this.body(chunks);
  }

  /** The one playback error shape, never cached (the same URL may answer once the stream is live). */
  error(code: ApiErrorCode, message: string, extra: OutgoingHttpHeaders = {}): void {
    const body = Buffer.from(JSON.stringify(errorBody(code, message)));
    this.res.writeHead(API_ERRORS[code].status, {
      ...corsHeaders(this.req.headers.origin), 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store',
      'content-length': body.length, ...extra,
    });
    this.res.end(this.head ? undefined : body);
  }

  /** A response of the exchange's own making (the CORS preflight). */
  raw(status: number, headers: OutgoingHttpHeaders): void {
    this.res.writeHead(status, headers);
    this.res.end();
  }

  private notModified(headers: OutgoingHttpHeaders): void {
    delete headers['content-type'];
    this.res.writeHead(304, headers);
    this.res.end();
  }

  /** Each chunk written as is; corked so a part's chunks leave in one write. */
  private body(chunks: readonly Buffer[]): void {
    if (this.head) return void this.res.end();
    if (chunks.length === 1) return void this.res.end(chunks[0]);
    this.res.cork();
    for (const c of chunks) this.res.write(c);
    this.res.end();
  }
}

/** If-None-Match against a strong ETag, by the weak comparison the header uses (RFC 9110 §13.1.2). */
export function matches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  for (const tag of header.split(',')) {
    const t = tag.trim();
    if ((t.startsWith('W/') ? t.slice(2) : t) === etag) return true;
  }
  return false;
}
