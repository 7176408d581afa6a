/**
 * The pages the browser harness serves: one per player, each exposing `start(src, lowLatencyMode)` and
 * `state()` (support/hls-browser.ts PlayerState) so tests and benchmarks drive both players alike.
 */

/** Errors the page itself saw (uncaught exceptions, rejected promises): a player that throws is fatal too. */
const PAGE_ERRORS = `
window.__errors = [];
window.__fatal = [];
window.__gapJumps = 0;
window.__stalls = 0;
const note = (list, text) => { list.push(text); if (list.length > 200) list.shift(); };
window.addEventListener('error', (e) => note(window.__fatal, 'uncaught:' + (e.error && e.error.stack || e.message)));
window.addEventListener('unhandledrejection', (e) => note(window.__fatal, 'unhandled:' + (e.reason && e.reason.stack || e.reason)));
`;

const COMMON_STATE = `
  const v = document.getElementById('v');
  const base = {
    currentTime: v.currentTime, readyState: v.readyState, paused: v.paused, now: Date.now(),
    fatal: window.__fatal.slice(), errors: window.__errors.slice(-20),
    decoded: v.getVideoPlaybackQuality ? v.getVideoPlaybackQuality().totalVideoFrames : 0,
    gapJumps: window.__gapJumps, stalls: window.__stalls,
  };`;

export const HLS_JS_PAGE = `<!doctype html><html><body><video id="v" muted playsinline></video>
<script src="/hls.min.js"></script>
<script>
${PAGE_ERRORS}
window.start = (src, lowLatencyMode) => {
  const video = document.getElementById('v');
  const hls = new Hls({ lowLatencyMode, debug: false, liveDurationInfinity: true });
  window.__hls = hls;
  hls.on(Hls.Events.ERROR, (_e, d) => {
    note(d.fatal ? window.__fatal : window.__errors, d.type + ':' + d.details + (d.response ? ' ' + d.response.code : '') + (d.frag ? ' ' + d.frag.relurl : '') + (d.part ? ' ' + d.part.relurl : '') + (d.reason ? ' ' + d.reason : '') + (d.error ? ' ' + d.error.message : ''));
    if (d.details === 'bufferStalledError') window.__stalls++;
  });
  hls.loadSource(src);
  hls.attachMedia(video);
  hls.on(Hls.Events.MANIFEST_PARSED, () => video.play().catch((e) => note(window.__errors, 'play:' + e)));
};
window.state = () => {
  ${COMMON_STATE}
  const h = window.__hls;
  return { ...base, latency: h ? h.latency : NaN, playingDate: h && h.playingDate ? h.playingDate.getTime() : null };
};
</script></body></html>`;

export const SHAKA_PAGE = `<!doctype html><html><body><video id="v" muted playsinline></video>
<script src="/shaka-player.js"></script>
<script>
${PAGE_ERRORS}
window.start = async (src, lowLatencyMode) => {
  const video = document.getElementById('v');
  shaka.polyfill.installAll();
  shaka.log.setLevel(shaka.log.Level.WARNING);
  const player = new shaka.Player();
  window.__shaka = player;
  player.addEventListener('error', (e) => {
    const d = e.detail;
    // Shaka reports its own errors as shaka.util.Error (a code); anything else is an exception inside it.
    if (!d || d.code === undefined) return note(window.__fatal, 'shaka-exception:' + (d && d.stack || d));
    const text = 'shaka:' + d.code + ' ' + String(JSON.stringify(d.data)).slice(0, 300);
    // Read the severity after the event: on a live stream Shaka's default failureCallback, which runs after it,
    // downgrades HTTP errors to RECOVERABLE and retries (a 404 for a hinted part that became an EXT-X-GAP).
    setTimeout(() => note(d.severity === shaka.util.Error.Severity.CRITICAL ? window.__fatal : window.__errors, text), 0);
  });
  player.addEventListener('gapjumped', () => window.__gapJumps++);
  player.addEventListener('stalldetected', () => window.__stalls++);
  player.configure({ streaming: { lowLatencyMode } });
  try {
    await player.attach(video);
    await player.load(src);
    await video.play();
  } catch (e) {
    note(window.__fatal, 'load:' + (e && (e.code ? e.code + ' ' + JSON.stringify(e.data).slice(0, 300) : e.stack) || e));
  }
};
window.state = () => {
  ${COMMON_STATE}
  const p = window.__shaka;
  let latency = NaN;
  let playingDate = null;
  if (p && p.isLive()) {
    latency = p.seekRange().end - v.currentTime;
    const d = p.getPlayheadTimeAsDate();
    playingDate = d ? d.getTime() : null;
  }
  return { ...base, latency, playingDate };
};
</script></body></html>`;
