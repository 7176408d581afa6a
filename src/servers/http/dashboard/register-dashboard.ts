import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';

/**
 * Where `npm run build:web` (Vite) writes the dashboard. This file sits at the same depth under src/
 * (run with tsx) and under dist/ (built), so one relative path finds <package>/dist/dashboard from both.
 */
export const DASHBOARD_DIR = fileURLToPath(new URL('../../../../dist/dashboard/', import.meta.url));

/** Where Vite puts the hashed JS/CSS (vite.config.ts build.assetsDir); beside /static/player/. */
const ASSETS_PREFIX = '/static/dashboard/';

/**
 * Scripts, styles and media from this server only. hls.js feeds MSE through blob: URLs and may run its
 * transmuxer in a blob: worker; uPlot and Preact set styles through the CSSOM, which style-src does not
 * govern, so no 'unsafe-inline' is needed.
 */
const DASHBOARD_CSP = [
  "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "connect-src 'self'",
  "media-src 'self' blob:", "worker-src 'self' blob:", "form-action 'self'", "base-uri 'none'", "frame-ancestors 'none'",
].join('; ');

/**
 * The dashboard at `/`: index.html (never cached, so a rebuild is picked up) and its content-hashed files
 * under /static/dashboard/ (cached for a year). The page holds no secret; it reads everything from
 * /api/v1 with the token the person signs in with. Without a build, `/` says how to make one.
 */
export function registerDashboard(app: FastifyInstance, dir: string = DASHBOARD_DIR): void {
  const index = join(dir, 'index.html');
  const assets = join(dir, 'static', 'dashboard');

  app.get('/', async (_req, reply) => {
    let html: Buffer;
    try {
      html = await readFile(index);
    } catch {
      return reply.code(503).type('text/plain; charset=utf-8').header('cache-control', 'no-store')
        .send('The OnAir dashboard is not built: run `npm run build` (or `npm run build:web`). The API is at /api/v1.\n');
    }
    return reply.type('text/html; charset=utf-8').headers({
      'cache-control': 'no-cache', 'content-security-policy': DASHBOARD_CSP, 'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer', 'x-frame-options': 'DENY',
    }).send(html);
  });

  // Files are looked up per request (the folder may not exist yet: the warning about that is suppressed),
  // so a build made while the server runs is served without a restart.
  app.register(fastifyStatic, {
    root: assets, prefix: ASSETS_PREFIX, decorateReply: false, index: false, immutable: true, maxAge: '365d',
    suppressWarning: true, setHeaders: (reply) => void reply.header('x-content-type-options', 'nosniff'),
  });
}
