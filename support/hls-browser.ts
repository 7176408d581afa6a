import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { launchChromium } from './chromium.js';

/**
 * hls.js (from node_modules) in headless Debian Chromium, on a page served from another origin than
 * OnAir (so CORS is exercised). For tests and benchmarks.
 */
const HLS_JS = resolve(import.meta.dirname, '../node_modules/hls.js/dist/hls.min.js');

const PAGE = `<!doctype html><html><body><video id="v" muted playsinline></video>
<script src="/hls.min.js"></script>
<script>
window.__errors = [];
window.__fatal = [];
window.start = (src, lowLatencyMode) => {
  const video = document.getElementById('v');
  const hls = new Hls({ lowLatencyMode, debug: false, liveDurationInfinity: true });
  window.__hls = hls;
  hls.on(Hls.Events.ERROR, (_e, d) => {
    (d.fatal ? window.__fatal : window.__errors).push(d.type + ':' + d.details);
    if (window.__errors.length > 200) window.__errors.shift();
  });
  hls.loadSource(src);
  hls.attachMedia(video);
  hls.on(Hls.Events.MANIFEST_PARSED, () => video.play().catch((e) => window.__errors.push('play:' + e)));
};
window.state = () => {
  const v = document.getElementById('v');
  const h = window.__hls;
  return {
    currentTime: v.currentTime, readyState: v.readyState, paused: v.paused,
    latency: h ? h.latency : NaN, playingDate: h && h.playingDate ? h.playingDate.getTime() : null,
    now: Date.now(), fatal: window.__fatal.slice(), errors: window.__errors.slice(-20),
    decoded: v.getVideoPlaybackQuality ? v.getVideoPlaybackQuality().totalVideoFrames : 0,
  };
};
</script></body></html>`;

export interface PlayerState {
  currentTime: number;
  readyState: number;
  paused: boolean;
  latency: number;
  playingDate: number | null;
  now: number;
  fatal: string[];
  errors: string[];
  decoded: number;
}

export interface HlsBrowser {
  open(src: string, lowLatencyMode: boolean): Promise<Page>;
  state(page: Page): Promise<PlayerState>;
  close(): Promise<void>;
}

export async function launchHlsBrowser(): Promise<HlsBrowser> {
  const hlsJs = readFileSync(HLS_JS);
  const server: Server = createServer((req, res) => {
    if (req.url === '/hls.min.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(hlsJs);
    else res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  let chromiumHandle: Awaited<ReturnType<typeof launchChromium>>;
  try {
    chromiumHandle = await launchChromium();
  } catch (err) {
    server.close();
    throw err;
  }
  const b = chromiumHandle.context;
  return {
    async open(src, lowLatencyMode) {
      const page = await b.newPage();
      await page.goto(`http://127.0.0.1:${port}/`);
      await page.evaluate(([s, ll]) => (globalThis as unknown as { start(s: string, ll: boolean): void }).start(s, ll), [src, lowLatencyMode] as const);
      return page;
    },
    state: (page) => page.evaluate(() => (globalThis as unknown as { state(): PlayerState }).state()),
    async close() {
      await chromiumHandle.close();
      await new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
    },
  };
}
