import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { launchChromium } from './chromium.js';
import { HLS_JS_PAGE, SHAKA_PAGE } from './player-pages.js';

/**
 * hls.js or Shaka Player (both from node_modules) in headless Debian Chromium, on a page served from another
 * origin than OnAir (so CORS is exercised). For tests and benchmarks.
 */
const SCRIPTS: Record<string, string> = {
  '/hls.min.js': resolve(import.meta.dirname, '../node_modules/hls.js/dist/hls.min.js'),
  // The debug build: its stack traces name Shaka's functions when a player error has to be read.
  '/shaka-player.js': resolve(import.meta.dirname, '../node_modules/shaka-player/dist/shaka-player.compiled.debug.js'),
};

export type PlayerName = 'hls.js' | 'shaka';

export interface PlayerState {
  currentTime: number;
  readyState: number;
  paused: boolean;
  /** Seconds behind the live edge as the player reckons it. */
  latency: number;
  /** Wall clock (epoch ms) of the frame on screen, from EXT-X-PROGRAM-DATE-TIME; null before it is known. */
  playingDate: number | null;
  now: number;
  /** Fatal player errors (hls.js `fatal`, Shaka severity CRITICAL) and uncaught page errors. */
  fatal: string[];
  errors: string[];
  decoded: number;
  /** Shaka: gap jumps and stalls the player reported (hls.js: 0). */
  gapJumps: number;
  stalls: number;
}

/** One entry of an hls.js page's start-up timeline (player-pages.ts TIMELINE): wall clock `t`, event name, its values. */
export interface TimelineEntry {
  t: number;
  ev: string;
  [key: string]: unknown;
}

export interface OpenOptions {
  timeline?: boolean;
  shakaConfig?: Record<string, unknown>;
  /** Script run in the page before the player's own (playwright addInitScript), e.g. to slow the page down. */
  initScript?: string;
}

export interface HlsBrowser {
  /**
   * `timeline` (hls.js only): record the player's start-up timeline, read with `timeline(page)`. `shakaConfig`
   * (Shaka only): passed to `player.configure()` before `load()`.
   */
  open(src: string, lowLatencyMode: boolean, player?: PlayerName, options?: OpenOptions): Promise<Page>;
  state(page: Page): Promise<PlayerState>;
  timeline(page: Page): Promise<TimelineEntry[]>;
  close(): Promise<void>;
}

export async function launchHlsBrowser(): Promise<HlsBrowser> {
  const scripts = new Map(Object.entries(SCRIPTS).map(([url, file]) => [url, readFileSync(file)]));
  const server: Server = createServer((req, res) => {
    const url = req.url ?? '/';
    const script = scripts.get(url);
    if (script) res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    else res.writeHead(200, { 'content-type': 'text/html' }).end(url.startsWith('/shaka') ? SHAKA_PAGE : HLS_JS_PAGE);
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
    async open(src, lowLatencyMode, player = 'hls.js', options = {}) {
      const page = await b.newPage();
      if (options.initScript) await page.addInitScript(options.initScript);
      await page.goto(`http://127.0.0.1:${port}/${player === 'shaka' ? 'shaka' : ''}`);
      await page.evaluate(([s, ll, tl, cfg]) => (globalThis as unknown as { start(s: string, ll: boolean, tl: boolean, cfg: unknown): void }).start(s, ll, tl, cfg),
        [src, lowLatencyMode, options.timeline === true, options.shakaConfig ?? null] as const);
      return page;
    },
    state: (page) => page.evaluate(() => (globalThis as unknown as { state(): PlayerState }).state()),
    timeline: (page) => page.evaluate(() => (globalThis as unknown as { __tl?: TimelineEntry[] }).__tl ?? []),
    async close() {
      await chromiumHandle.close();
      await new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
    },
  };
}
