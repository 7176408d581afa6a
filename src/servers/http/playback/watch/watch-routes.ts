import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { FastifyInstance } from 'fastify';
import { WATCH_ASSETS, offeredPlayers, renderWatchPage, watchPlayerOf } from '../../../../web/watch-page.js';
import { WATCH_SCRIPT } from '../../../../web/watch-script.js';
import { sendPlaybackError } from '../playback-errors.js';
import type { PlaybackDeps } from '../playback-deps.js';
import { playbackIdOf, rawQuery } from '../playback-url.js';
import { watchStatus } from './watch-status.js';

/**
 * Player files come from the installed packages, resolved through Node's resolver so the server finds them
 * from src/ (tsx) and from dist/ alike; nothing is fetched from a CDN.
 */
const require = createRequire(import.meta.url);
const PLAYER_FILES: Record<string, string> = {
  [WATCH_ASSETS.hls]: 'hls.js/dist/hls.min.js',
  [WATCH_ASSETS.mpegts]: 'mpegts.js/dist/mpegts.js',
};

/**
 * Scripts only from this server; media from this server (MSE blob: URLs); hls.js may run its transmuxer in a
 * blob: worker. connect-src 'self' covers same-host ws:/wss: in CSP3 browsers.
 */
const WATCH_CSP = [
  "default-src 'none'", "script-src 'self'", "style-src 'unsafe-inline'", "media-src 'self' blob:",
  "connect-src 'self'", "worker-src 'self' blob:", "img-src 'self' data:", "base-uri 'none'", "frame-ancestors 'self'",
].join('; ');

/**
 * GET /watch/<playbackId>, its status (/watch/<playbackId>/status) and the scripts it loads under /static/player/.
 * `hls`: false (--hls off) = the page neither starts on nor offers its HLS player.
 */
export function registerWatchPage(app: FastifyInstance, deps: Pick<PlaybackDeps, 'hub' | 'decidePlay'>, hls = true): void {
  const offered = offeredPlayers(hls);
  const loaded = new Map<string, Promise<Buffer>>();
  const playerFile = (url: string): Promise<Buffer> => {
    let p = loaded.get(url);
    if (!p) {
      // Read once, kept in memory (under 1 MB together); a failed read is retried next time.
      p = readFile(require.resolve(PLAYER_FILES[url]!));
      p.catch(() => loaded.delete(url));
      loaded.set(url, p);
    }
    return p;
  };

  app.get<{ Params: { id: string }; Querystring: { player?: string } }>('/watch/:id', async (req, reply) => {
    const id = playbackIdOf(req.params.id);
    if (!id) return sendPlaybackError(req, reply, 'not_found', 'no such playback id');
    return reply
      .type('text/html; charset=utf-8')
      .headers({ 'cache-control': 'no-cache', 'content-security-policy': WATCH_CSP, 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' })
      .send(renderWatchPage(id, watchPlayerOf(req.query.player, offered), offered));
  });

  // Polled by the page until the stream is live, so it can say "no such stream" / "not live yet" instead of a
  // player's network error.
  app.get<{ Params: { id: string } }>('/watch/:id/status', async (req, reply) => {
    const id = playbackIdOf(req.params.id);
    const state = id ? watchStatus(deps, { playbackId: id, query: rawQuery(req.url), clientIp: req.ip }) : 'not_found';
    return reply.header('cache-control', 'no-store').send({ state });
  });

  for (const url of Object.keys(PLAYER_FILES)) {
    app.get(url, async (_req, reply) =>
      reply.type('application/javascript; charset=utf-8').header('cache-control', 'public, max-age=3600').send(await playerFile(url)),
    );
  }
  app.get(WATCH_ASSETS.page, async (_req, reply) =>
    reply.type('application/javascript; charset=utf-8').header('cache-control', 'no-cache').send(WATCH_SCRIPT),
  );
}
