import { Agent, request } from 'node:http';
import { EDGE_HLS_HEADER, EDGE_VIEWERS_HEADER } from '../../../../../services/edge/index.js';
import { targetDurationOf } from '../../../../../formats/m3u8/index.js';
import type { ApiErrorCode } from '../../../api-errors.js';
import { HOP_HEADER, SIBLING_CACHE_HOP } from '../hls-proxy.js';
import type { EdgeHlsProxyOptions } from './proxy-options.js';

/** The owner's answer, read whole: one Buffer every viewer of this edge is served. */
export interface UpstreamAnswer {
  readonly status: number;
  readonly body: Buffer;
  /** [body]: the list a media answer takes, made once, not per viewer. */
  readonly chunks: readonly Buffer[];
  readonly contentType: string;
  readonly cacheControl: string;
  readonly etag: string;
  /** A media playlist's EXT-X-TARGETDURATION (read once per answer, for every viewer's HlsServed.targetDuration); else 0. */
  readonly targetDuration: number;
}

/** Per request to an owner (EdgeHlsProxyStats.upstream). */
export interface UpstreamStats {
  ok: number;
  refused: number;
  error: number;
  timeout: number;
  busy: number;
}

export class UpstreamError extends Error {
  /** `remembered`: not sent, the owner was found gone a moment ago. */
  constructor(message: string, readonly code: ApiErrorCode = 'bad_gateway', readonly timeout = false, readonly remembered = false) {
    super(message);
  }
}

type FetchBounds = Pick<EdgeHlsProxyOptions, 'maxInFlight' | 'maxObjectBytes' | 'upstreamTimeoutMs' | 'siblingHop' | 'viewersReported'>;

/**
 * The requests an edge sends to owners: one per URL at a time (a request for a URL already asked for joins it), at
 * most maxInFlight at once, each answer at most maxObjectBytes and within upstreamTimeoutMs, on kept-alive connections.
 */
export class UpstreamFetch {
  private readonly running = new Map<string, Promise<UpstreamAnswer>>();
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1024, maxFreeSockets: 64 });
  /** Requests sent to owners (tests and metrics read it: N viewers of one object -> 1). */
  sent = 0;
  readonly stats: UpstreamStats = { ok: 0, refused: 0, error: 0, timeout: 0, busy: 0 };

  constructor(private readonly bounds: FetchBounds) {}

  /** The request for `url` under way, if any. */
  inFlight(url: string): Promise<UpstreamAnswer> | undefined {
    return this.running.get(url);
  }

  get inFlightCount(): number {
    return this.running.size;
  }

  /** A new request for `url` (`auth`: the EDGE_HLS_HEADER signature); refused at once past maxInFlight. */
  fetch(url: string, auth: string): Promise<UpstreamAnswer> {
    const { stats } = this;
    if (this.running.size >= this.bounds.maxInFlight) {
      stats.busy++;
      return Promise.reject(new UpstreamError('too many requests to owners in flight', 'stream_not_ready'));
    }
    this.sent++;
    const p = this.get(url, auth).then((answer) => {
      if (answer.status === 200) stats.ok++;
      else stats.refused++;
      return answer;
    }, (err: unknown) => {
      if (err instanceof UpstreamError && err.timeout) stats.timeout++;
      else stats.error++;
      throw err;
    }).finally(() => this.running.delete(url));
    this.running.set(url, p);
    return p;
  }

  close(): void {
    this.agent.destroy();
  }

  private get(url: string, auth: string): Promise<UpstreamAnswer> {
    const max = this.bounds.maxObjectBytes;
    const headers: Record<string, string> = { [EDGE_HLS_HEADER]: auth };
    if (this.bounds.siblingHop) headers[HOP_HEADER] = SIBLING_CACHE_HOP;
    else if (this.bounds.viewersReported) headers[EDGE_VIEWERS_HEADER] = 'reported';
    return new Promise((resolve, reject) => {
      const req = request(url, { method: 'GET', agent: this.agent, headers }, (res) => {
        res.on('error', reject);
        // Refused first, then the connection dropped (a destroy carrying the error would also throw it from the socket).
        const tooBig = (): void => {
          reject(new UpstreamError(`the owner's answer is over ${max} bytes`));
          req.destroy();
        };
        if (Number(res.headers['content-length'] ?? 0) > max) return tooBig();
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > max) tooBig();
          else chunks.push(chunk);
        });
        res.on('end', () => {
          const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
          const status = res.statusCode ?? 502;
          resolve({
            status,
            body,
            chunks: [body],
            contentType: String(res.headers['content-type'] ?? 'application/octet-stream'),
            cacheControl: String(res.headers['cache-control'] ?? 'no-store'),
            etag: String(res.headers.etag ?? ''),
            // Media is not scanned (it does not start with '#'); a master playlist has none.
            targetDuration: status === 200 ? targetDurationOf(body) : 0,
          });
        });
      });
      req.setTimeout(this.bounds.upstreamTimeoutMs, () => {
        reject(new UpstreamError('the owner did not answer in time', 'bad_gateway', true));
        req.destroy();
      });
      req.on('error', reject);
      req.end();
    });
  }
}
