import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The dashboard's build: src/web/dashboard -> dist/dashboard (index.html + hashed files under
 * static/dashboard/), which the server finds relative to its own file (servers/http/dashboard). Everything
 * is bundled: no CDN. `npm run dev:web` serves it with hot reload and proxies the API to a running OnAir.
 */
const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));
const devTarget = process.env.ONAIR_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: here('.'),
  base: '/',
  publicDir: false,
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: here('../../../dist/dashboard'),
    emptyOutDir: true,
    assetsDir: 'static/dashboard',
    target: 'es2022',
    sourcemap: false,
    // hls.js alone is ~500 kB minified; it is loaded on the stream page only (a separate chunk).
    chunkSizeWarningLimit: 600,
  },
  server: {
    proxy: Object.fromEntries(['/api', '/hls', '/live', '/ws', '/watch', '/static/player'].map((p) => [p, { target: devTarget, ws: p === '/ws' }])),
  },
});
