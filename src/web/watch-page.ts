/**
 * The watch page at /watch/<playbackId>: a video element, the chosen player (hls.js by default, mpegts.js
 * over HTTP-FLV or WS-FLV with `?player=flv` / `?player=ws-flv`) served by this server, and a latency read-out.
 * The page logic is a separate static script (watch-script.ts) so the Content-Security-Policy needs no inline script.
 */
export const WATCH_PLAYERS = ['hls', 'flv', 'ws-flv'] as const;
export type WatchPlayer = (typeof WATCH_PLAYERS)[number];

/** Where the server serves the page's scripts (no CDN). */
export const WATCH_ASSETS = {
  hls: '/static/player/hls.min.js',
  mpegts: '/static/player/mpegts.js',
  page: '/static/player/watch.js',
} as const;

/**
 * `?player=` value -> player among those this server offers; anything else falls back to the first offered: HLS,
 * which every browser plays, or HTTP-FLV on a server with HLS off.
 */
export function watchPlayerOf(value: unknown, offered: readonly WatchPlayer[] = WATCH_PLAYERS): WatchPlayer {
  return offered.find((p) => p === value) ?? offered[0]!;
}

/** The players a server offers: every one, less HLS with `--hls off` (its /hls answers 404 there). */
export function offeredPlayers(hls: boolean): readonly WatchPlayer[] {
  return hls ? WATCH_PLAYERS : WATCH_PLAYERS.filter((p) => p !== 'hls');
}

/** Escapes text for HTML text and double-quoted attribute contexts. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const LABELS: Record<WatchPlayer, string> = { hls: 'LL-HLS', flv: 'HTTP-FLV', 'ws-flv': 'WS-FLV' };

export function renderWatchPage(playbackId: string, player: WatchPlayer, offered: readonly WatchPlayer[] = WATCH_PLAYERS): string {
  const id = escapeHtml(playbackId);
  const lib = player === 'hls' ? WATCH_ASSETS.hls : WATCH_ASSETS.mpegts;
  const nav = offered.map((p) =>
    p === player ? `<strong>${LABELS[p]}</strong>` : `<a data-player="${p}" href="?player=${p}">${LABELS[p]}</a>`,
  ).join(' · ');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${id} · OnAir</title>
<link rel="icon" href="/favicon.ico">
<style>
  :root { color-scheme: dark; font: 15px/1.4 system-ui, sans-serif; }
  body { margin: 0; background: #0d0f12; color: #e6e8eb; }
  main { max-width: 1100px; margin: 0 auto; padding: 16px; }
  h1 { font-size: 18px; font-weight: 600; margin: 0 0 12px; }
  video { width: 100%; aspect-ratio: 16 / 9; background: #000; border-radius: 6px; }
  .bar { display: flex; flex-wrap: wrap; gap: 8px 24px; margin-top: 10px; color: #aab1bb; }
  .bar b { color: #e6e8eb; font-weight: 600; font-variant-numeric: tabular-nums; }
  .error { color: #ff7b72; }
  a { color: #58a6ff; }
</style>
</head>
<body data-playback-id="${id}" data-player="${player}">
<main>
  <h1>${id}</h1>
  <video id="video" controls muted autoplay playsinline></video>
  <div class="bar">
    <span>status <b id="status">loading</b></span>
    <span>latency <b id="latency">–</b></span>
    <span id="latency-detail"></span>
    <nav>${nav}</nav>
  </div>
</main>
<script src="${lib}"></script>
<script src="${WATCH_ASSETS.page}"></script>
</body>
</html>
`;
}
