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

/**
 * The start-up timeline of an hls.js player (support/hls-browser.ts `timeline`): wall-clock times of the events that
 * decide where playback starts (playlists with their edge, each part and segment requested, loaded and appended,
 * the first frame, stalls, seeks) with the values hls.js decided on (target latency, live sync position, latency).
 * Only for the latency bench: it logs every event of the first seconds.
 */
const TIMELINE = `
window.__tl = [];
const tl = (ev, data) => { if (window.__tl.length < 5000) window.__tl.push({ t: Date.now(), ev, ...data }); };
const keep = /startPosition|seek|stall|nudge|gap|Gap|latency|skip|Loading|LL-Part|hole|buffer start|playback rate/;
const logLine = (level) => (...args) => { const text = args.map(String).join(' '); if (keep.test(text)) tl('log', { level, text: text.slice(0, 300) }); };
const TIMELINE_LOGGER = { log: logLine('log'), info: logLine('info'), debug: () => {}, warn: logLine('warn'), error: logLine('error') };
// hls.js's load stats are performance.now() times: as wall clock like the rest of the timeline.
const wall = (t) => t ? Math.round(performance.timeOrigin + t) : null;
const pdtOf = (frag, pos) => frag && frag.programDateTime ? frag.programDateTime + (pos - frag.start) * 1000 : null;
const recordTimeline = (hls, video) => {
  const E = Hls.Events;
  const player = () => ({ currentTime: video.currentTime, latency: hls.latency, targetLatency: hls.targetLatency, playingDate: hls.playingDate ? hls.playingDate.getTime() : null });
  hls.on(E.MANIFEST_LOADED, (_e, d) => tl('MANIFEST_LOADED', { trequest: wall(d.stats.loading.start), tfirst: wall(d.stats.loading.first) }));
  hls.on(E.LEVEL_LOADING, (_e, d) => tl('LEVEL_LOADING', { url: d.url.split('/').pop() }));
  hls.on(E.LEVEL_LOADED, (_e, d) => {
    const x = d.details;
    const parts = x.partList || [];
    const last = parts[parts.length - 1];
    const lastFrag = last ? last.fragment : x.fragments[x.fragments.length - 1];
    tl('LEVEL_LOADED', {
      trequest: wall(d.stats.loading.start), tfirst: wall(d.stats.loading.first), edge: x.edge, age: x.age, partTarget: x.partTarget,
      partHoldBack: x.partHoldBack, endSN: x.endSN, lastPart: last ? last.fragment.sn + '.' + last.index : null,
      edgePdt: pdtOf(lastFrag, x.edge), targetLatency: hls.targetLatency, liveSyncPosition: hls.liveSyncPosition,
    });
  });
  const fragInfo = (frag, part) => ({
    sn: frag.sn, part: part ? part.index : null, type: frag.type, start: part ? part.start : frag.start, duration: part ? part.duration : frag.duration,
    independent: part ? part.independent : undefined, mediaEndPdt: pdtOf(frag, part ? part.start + part.duration : frag.end),
  });
  hls.on(E.FRAG_LOADING, (_e, d) => d.frag.sn !== 'initSegment' ? tl('FRAG_LOADING', fragInfo(d.frag, d.part)) : tl('INIT_LOADING', {}));
  hls.on(E.FRAG_LOADED, (_e, d) => {
    const st = (d.part || d.frag).stats;
    tl(d.frag.sn === 'initSegment' ? 'INIT_LOADED' : 'FRAG_LOADED', { ...(d.frag.sn === 'initSegment' ? {} : fragInfo(d.frag, d.part)), trequest: wall(st.loading.start), tfirst: wall(st.loading.first), tend: wall(st.loading.end) });
  });
  hls.on(E.FRAG_PARSED, (_e, d) => d.frag.sn !== 'initSegment' && tl('FRAG_PARSED', fragInfo(d.frag, d.part)));
  hls.on(E.FRAG_BUFFERED, (_e, d) => tl('FRAG_BUFFERED', { ...fragInfo(d.frag, d.part), ...player() }));
  hls.on(E.BUFFER_APPENDED, (_e, d) => {
    const b = video.buffered;
    tl('BUFFER_APPENDED', { type: d.type, sn: d.frag.sn, part: d.part ? d.part.index : null, bufferStart: b.length ? b.start(0) : null, bufferEnd: b.length ? b.end(b.length - 1) : null, ranges: b.length });
  });
  hls.on(E.ERROR, (_e, d) => tl('ERROR', { details: d.details, fatal: d.fatal, ...player() }));
  for (const ev of ['loadedmetadata', 'loadeddata', 'canplay', 'play', 'playing', 'waiting', 'seeking', 'seeked', 'stalled', 'ratechange']) {
    video.addEventListener(ev, () => tl('media:' + ev, { ...player(), rate: video.playbackRate, bufferStart: video.buffered.length ? video.buffered.start(0) : null }));
  }
};
`;

export const HLS_JS_PAGE = `<!doctype html><html><body><video id="v" muted playsinline></video>
<script src="/hls.min.js"></script>
<script>
${PAGE_ERRORS}
${TIMELINE}
window.start = (src, lowLatencyMode, timeline) => {
  const video = document.getElementById('v');
  // timeline (bench/hls-latency-timeline.ts): hls.js's own start-up decisions, from its log, go into the timeline.
  const hls = new Hls({ lowLatencyMode, debug: timeline ? TIMELINE_LOGGER : false, liveDurationInfinity: true });
  window.__hls = hls;
  if (timeline) recordTimeline(hls, video);
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
window.start = async (src, lowLatencyMode, _timeline, config) => {
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
  if (config) player.configure(config);
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
