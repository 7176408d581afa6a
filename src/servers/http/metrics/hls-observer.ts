import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { HlsAudience } from '../../../services/health/index.js';
import type { OnAirMetrics } from '../../../services/metrics/index.js';

/** `/hls/<playbackId>/<tail>`: the URL space of the HLS routes (see the HLS path parser for the full grammar). */
const HLS_URL = /^\/hls\/([A-Za-z0-9_-]{1,128})\/([^?]*)(\?.*)?$/;

/** What an HLS URL's tail names, for the latency histogram's `kind` label (a handful of values). */
export function hlsResourceKind(tail: string, query: string): string {
  if (tail === 'index.m3u8') return 'master';
  if (/\/(media|ts)\.m3u8$/.test(tail)) return /[?&]_HLS_msn=/.test(query) ? 'playlist_blocking' : 'playlist';
  if (/\/part-[^/]*\.m4s$/.test(tail)) return 'part';
  if (/\/seg-[^/]*\.(m4s|ts)$/.test(tail)) return 'segment';
  if (/\/init-[^/]*\.mp4$/.test(tail)) return 'init';
  return 'other';
}

/**
 * Every HLS response goes into the latency histogram and its bytes into the HLS byte counter; a media playlist
 * served is a sign of life of an HLS session (HlsAudience). HLS itself is untouched. /hls/ is answered on Node's
 * request before fastify (playback-front.ts), so fastify's hooks never see it: the responses are watched on the
 * server's 'request' event, from onReady on, i.e. after the front was mounted (mounting takes over the listeners
 * present then). The client address is the socket's (behind a proxy, the proxy's: sessions are also told apart
 * by user agent).
 */
export function observeHls(app: FastifyInstance, metrics: OnAirMetrics | undefined, audience: HlsAudience | undefined): void {
  if (!metrics && !audience) return;
  app.addHook('onReady', async () => {
    app.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      const m = HLS_URL.exec(req.url ?? '');
      if (!m) return;
      const started = performance.now();
      res.once('close', () => {
        const kind = hlsResourceKind(m[2]!, m[3] ?? '');
        const bytes = res.writableFinished ? Number(res.getHeader('content-length') ?? 0) || 0 : 0;
        const now = performance.now();
        metrics?.observeHlsRequest({ kind, status: res.statusCode, seconds: (now - started) / 1000, bytes });
        if (audience && res.statusCode === 200 && res.writableFinished) {
          // Playback ids and names are lower-case on the hub (names are case-folded), as the HLS route resolves them.
          audience.record(`live/${m[1]!.toLowerCase()}`, { ip: req.socket.remoteAddress ?? '', userAgent: req.headers['user-agent'] }, bytes,
            kind === 'playlist' || kind === 'playlist_blocking', now);
        }
      });
    });
  });
}
