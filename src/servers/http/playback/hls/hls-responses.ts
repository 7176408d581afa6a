import { API_ERRORS, errorBody, type ApiErrorCode } from '../../api-errors.js';
import { CORS_EXPOSE_HEADERS } from '../cors.js';
import { parseRange, sliceChunks } from './byte-ranges.js';
import type { HlsResponseKind, HlsResponseObserver } from './hls-observer-hook.js';
import type { RenderedPlaylist } from './playlist-cache.js';
import { MEDIA_MAX_AGE_S } from './limits.js';
import type { HlsRequest } from './hls-request.js';
import { PreparedAnswer, type PreparedAnswers } from '../../lean/prepared-answer.js';
import type { Socket } from 'node:net';
import type { ParkedWait, ParkingClient } from '../../../../protocols/hls/index.js';

export const MIME_PLAYLIST = 'application/vnd.apple.mpegurl';
export const MIME_TS = 'video/mp2t';

/** Segment, part and init names are never reused (instance tag + MSN), so their bytes never change. */
export const MEDIA_CACHE = `public, max-age=${MEDIA_MAX_AGE_S}, immutable`;

/** Response headers as Node's writeHead takes them flat: name, value, name, value (no object per response). */
type FlatHeaders = (string | number)[];

export type { HlsRequest };

/** What the HLS answers use of a response: Node's ServerResponse, or the lean front's LeanResponse. */
export interface HlsResponse {
  readonly headersSent: boolean;
  readonly destroyed: boolean;
  readonly writableEnded: boolean;
  writeHead(status: number, headers: FlatHeaders | Readonly<Record<string, string>>): unknown;
  cork(): void;
  write(chunk: Buffer): unknown;
  end(body?: Buffer): unknown;
  /**
   * The lean front's: a whole answer prepared for many requests (status line, headers and body as one Buffer, see
   * prepared-answer.ts); absent on Node's ServerResponse, which gets writeHead and end.
   */
  endPrepared?(answer: PreparedAnswer): unknown;
  destroy(): unknown;
  /** The lean front's: its connection, where a waiting request is parked (released when the client leaves). */
  readonly parking?: ParkingClient;
  /** Node's ServerResponse's: its connection (null once detached). */
  readonly socket?: Socket | null;
  /** 'drain': writable again; 'close': the viewer's connection closed (ServerResponse: also once it is done). */
  once(event: 'drain' | 'close', listener: () => void): unknown;
  removeListener(event: 'drain' | 'close', listener: () => void): unknown;
}

/**
 * A node:http connection that parked a request, with one 'close' listener (per connection, not per request): Node
 * closes the socket when its client leaves (FIN included: httpAllowHalfOpen is off), and the parked requests'
 * waiter slots are freed then rather than at their deadline. A set: Node answers pipelined requests in parallel.
 */
class SocketParking implements ParkingClient {
  private readonly waits = new Set<ParkedWait>();

  constructor(socket: Socket) {
    socket.once('close', this.release);
  }

  parked(wait: ParkedWait): void {
    this.waits.add(wait);
  }

  unparked(wait: ParkedWait): void {
    this.waits.delete(wait);
  }

  private readonly release = (): void => {
    for (const w of [...this.waits]) w.release();
  };
}

const nodeParking = new WeakMap<Socket, SocketParking>();

function socketParking(socket: Socket): ParkingClient {
  let p = nodeParking.get(socket);
  if (!p) nodeParking.set(socket, (p = new SocketParking(socket)));
  return p;
}

/**
 * Answers of the HLS routes on Node's own request and response (no framework in between, see playback-front.ts):
 * bodies are the shared Buffers (a rendered playlist, a part or a segment as one Buffer) written as they
 * are, never copied per request; HEAD gets the same headers and no body. Headers go to writeHead as one flat list
 * (no header object built, spread and walked per response); Node then writes status line, headers and body in
 * one writev(2) (checked with strace: one write call per response). Every answer is reported to the observer.
 */
export class HlsExchange {
  readonly head: boolean;
  /** When the request arrived (performance.now()), for the observer. */
  readonly startedMs: number;
  /** What the request names, once the URL is parsed (the observer's label). */
  kind: HlsResponseKind = 'other';
  /** The hub path it was authorised for, once decided. */
  streamPath: string | undefined;
  /** False once the request is found to be another server's, not a viewer's (HlsServed.viewer). */
  viewer = true;
  /**
   * Another server's request for a media playlist that says whether it asks for a new viewer of its own (its copy's
   * first playlist for that viewer, NEW_VIEWER_PARAM on a signed request): held for a keyframe start as that viewer's
   * would be. Undefined = decided where the viewer's request arrives (HlsServing's PlainClients).
   */
  firstPlaylist: boolean | undefined = undefined;
  /** A media playlist's: its stream's EXT-X-TARGETDURATION, seconds (HlsServed.targetDuration); 0 = not known. */
  targetDuration = 0;

  constructor(
    readonly req: HlsRequest,
    readonly res: HlsResponse,
    private readonly observer?: HlsResponseObserver,
  ) {
    this.head = req.method === 'HEAD';
    this.startedMs = observer ? performance.now() : 0;
  }

  /** The viewer left while a blocking request waited: nothing to write. */
  get gone(): boolean {
    return this.res.destroyed || this.res.writableEnded;
  }

  /** The request's connection as the waiters see it, asked only by a request that waits (a blocking reload, a held part). */
  get parking(): ParkingClient | undefined {
    const { res } = this;
    return res.parking ?? (res.socket ? socketParking(res.socket) : undefined);
  }

  /** A playlist from the cache; 304 when the client holds these bytes already (If-None-Match). */
  playlist(p: RenderedPlaylist, cacheControl: string): void {
    const { origin } = this.req.headers;
    const inm = this.req.headers['if-none-match'];
    // The usual answer of the lean front: as prepared for every request of this playlist, Cache-Control and Origin.
    if (p.prepared && !inm && !this.head && this.res.endPrepared) {
      let a = p.prepared.find(cacheControl, origin);
      if (!a) {
        const made = new PreparedAnswer(200, playlistHeaders(origin, cacheControl, p), p.body);
        if (p.prepared.add(cacheControl, origin, made)) a = made;
      }
      if (a) {
        this.res.endPrepared(a);
        return this.served(200, p.body.length);
      }
    }
    const h = playlistHead(origin, cacheControl, p.etag);
    if (matches(inm, p.etag)) return this.notModified(h);
    h.push('content-type', MIME_PLAYLIST, 'content-length', p.body.length);
    this.res.writeHead(200, h);
    this.res.end(this.head ? undefined : p.body);
    this.served(200, this.head ? 0 : p.body.length);
  }

  /**
   * Media that is one Buffer (a part, an init segment) answered whole (no Range, no If-None-Match, GET) through the
   * lean front from its prepared answers (`prepared`, kept with the object by the caller); else `media`.
   */
  mediaPrepared(body: Buffer, mime: string, etag: string, prepared: PreparedAnswers): void {
    const { origin } = this.req.headers;
    if (this.head || !this.res.endPrepared || this.req.headers.range !== undefined || this.req.headers['if-none-match']) {
      return this.media([body], mime, etag);
    }
    let a = prepared.find('', origin);
    if (!a) {
      const made = new PreparedAnswer(200, mediaHeaders(origin, etag, mime, body.length), body);
      if (!prepared.add('', origin, made)) return this.media([body], mime, etag);
      a = made;
    }
    this.res.endPrepared(a);
    this.served(200, body.length);
  }

  /** Media bytes (init, segment, part) with Range (RFC 9110 §14: 206 + Content-Range, or 416) and If-None-Match. */
  media(chunks: readonly Buffer[], mime: string, etag: string): void {
    let size = 0;
    for (let i = 0; i < chunks.length; i++) size += chunks[i]!.length;
    const h = mediaHead(this.req.headers.origin, etag);
    // If-None-Match is evaluated before Range (RFC 9110 §13.2.2).
    if (matches(this.req.headers['if-none-match'], etag)) return this.notModified(h);
    const range = parseRange(this.req.headers.range, size);
    if (range === 'unsatisfiable') {
      return this.error('range_not_satisfiable', `the media has ${size} bytes`, ['content-range', `bytes */${size}`]);
    }
    h.push('content-type', mime);
    if (range) {
      const length = range.end - range.start + 1;
      h.push('content-range', `bytes ${range.start}-${range.end}/${size}`, 'content-length', length);
      this.res.writeHead(206, h);
      this.body(sliceChunks(chunks, range.start, range.end));
      return this.served(206, this.head ? 0 : length);
    }
    h.push('content-length', size);
    this.res.writeHead(200, h);
    this.body(chunks);
    this.served(200, this.head ? 0 : size);
  }

  /** The one playback error shape, never cached (the same URL may answer once the stream is live). */
  error(code: ApiErrorCode, message: string, extra: readonly string[] = []): void {
    const body = Buffer.from(JSON.stringify(errorBody(code, message)));
    const status = API_ERRORS[code].status;
    const h = cors(this.req.headers.origin);
    h.push('content-type', 'application/json; charset=utf-8', 'cache-control', 'no-store', 'content-length', body.length, ...extra);
    this.res.writeHead(status, h);
    this.res.end(this.head ? undefined : body);
    this.served(status, this.head ? 0 : body.length);
  }

  /** A response of the exchange's own making (the CORS preflight). */
  raw(status: number, headers: Readonly<Record<string, string>>): void {
    this.res.writeHead(status, headers);
    this.res.end();
    this.served(status, 0);
  }

  private notModified(h: FlatHeaders): void {
    this.res.writeHead(304, h);
    this.res.end();
    this.served(304, 0);
  }

  /** Each chunk written as is; corked so a segment's parts leave in one writev. */
  private body(chunks: readonly Buffer[]): void {
    if (this.head) return void this.res.end();
    if (chunks.length === 1) return void this.res.end(chunks[0]);
    this.res.cork();
    for (let i = 0; i < chunks.length; i++) this.res.write(chunks[i]!);
    this.res.end();
  }

  /** The owning worker's answer was passed on to the viewer (hls-proxy.ts): `bytes` of body, for the observer. */
  relayed(status: number, bytes: number): void {
    this.served(status, bytes, true);
  }

  private served(status: number, bytes: number, relayed = false): void {
    this.observer?.served({
      kind: this.kind, status, bytes, startedMs: this.startedMs, nowMs: performance.now(), streamPath: this.streamPath,
      viewer: this.viewer, relayed, targetDuration: this.targetDuration, req: this.req,
    });
  }
}

/** A playlist answer's headers before its body's (what a 304 carries too). */
function playlistHead(origin: string | undefined, cacheControl: string, etag: string): FlatHeaders {
  const h = cors(origin);
  h.push('cache-control', cacheControl, 'etag', etag);
  return h;
}

/** A whole playlist answer's headers: what `playlist` writes for a 200. */
function playlistHeaders(origin: string | undefined, cacheControl: string, p: RenderedPlaylist): FlatHeaders {
  const h = playlistHead(origin, cacheControl, p.etag);
  h.push('content-type', MIME_PLAYLIST, 'content-length', p.body.length);
  return h;
}

/** A media answer's headers before its body's (what a 304 carries too). */
function mediaHead(origin: string | undefined, etag: string): FlatHeaders {
  const h = cors(origin);
  h.push('cache-control', MEDIA_CACHE, 'accept-ranges', 'bytes', 'etag', etag);
  return h;
}

/** A whole media answer's headers: what `media` writes for a 200. */
function mediaHeaders(origin: string | undefined, etag: string, mime: string, size: number): FlatHeaders {
  const h = mediaHead(origin, etag);
  h.push('content-type', mime, 'content-length', size);
  return h;
}

/** The playback CORS headers (cors.ts has the policy and why), flat, as the start of a response's header list. */
function cors(origin: string | undefined): FlatHeaders {
  return origin
    ? ['access-control-allow-origin', origin, 'access-control-allow-credentials', 'true', 'access-control-expose-headers', CORS_EXPOSE_HEADERS, 'vary', 'Origin']
    : ['access-control-allow-origin', '*', 'access-control-expose-headers', CORS_EXPOSE_HEADERS, 'vary', 'Origin'];
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
