/**
 * The watch page's browser script, served as /static/player/watch.js. Plain ES2017 in a string: it runs
 * in the browser beside hls.js or mpegts.js (globals `Hls`, `mpegts`), not in Node. State for tests and
 * debugging is on `window.__onair` (player, errors, latency).
 */
export const WATCH_SCRIPT = String.raw`(function () {
  'use strict';
  var body = document.body;
  var id = body.dataset.playbackId;
  var player = body.dataset.player;
  var video = document.getElementById('video');
  var statusEl = document.getElementById('status');
  var latencyEl = document.getElementById('latency');
  var detailEl = document.getElementById('latency-detail');
  var state = (window.__onair = { player: player, errors: [], latency: null });

  // Forward the page's query (a playback token) to the media URLs and the player links.
  var params = new URLSearchParams(location.search);
  params.delete('player');
  var query = params.toString() ? '?' + params.toString() : '';
  document.querySelectorAll('nav a[data-player]').forEach(function (a) {
    var q = new URLSearchParams(params);
    q.set('player', a.dataset.player);
    a.href = '?' + q.toString();
  });

  function setStatus(text, isError) {
    statusEl.textContent = text;
    statusEl.className = isError ? 'error' : '';
  }
  function fail(message) {
    state.errors.push(String(message));
    setStatus(String(message), true);
  }
  function showLatency(seconds, detail) {
    state.latency = seconds;
    latencyEl.textContent = seconds == null || !isFinite(seconds) ? '–' : seconds.toFixed(2) + ' s';
    detailEl.textContent = detail || '';
  }
  video.addEventListener('playing', function () { setStatus('playing', false); });
  video.addEventListener('waiting', function () { setStatus('buffering', false); });
  function play() {
    var p = video.play();
    if (p && p.catch) p.catch(function () { setStatus('press play', false); });
  }

  // Until the stream is live the page asks the server what is going on (no such stream, not live yet), rather
  // than showing a player's network error, and keeps asking; a stream that ends goes back to asking.
  var WAITING = { not_found: 'no such stream', not_live: 'not live yet', starting: 'starting' };
  var meter = null;
  function whenLive(start) {
    var delay = 1000;
    function retry(text, isError) {
      setStatus(text + ' \u00b7 retrying', isError);
      setTimeout(check, delay);
      delay = Math.min(delay * 1.5, 5000);
    }
    function check() {
      fetch('/watch/' + encodeURIComponent(id) + '/status' + query, { cache: 'no-store' })
        .then(function (r) { return r.json(); })
        .then(function (s) {
          if (s.state === 'live') return start();
          if (s.state === 'forbidden') return setStatus('not authorized: this stream needs a valid playback token', true);
          retry(WAITING[s.state] || s.state, false);
        }, function () { retry('server unreachable', true); });
    }
    showLatency(null, '');
    check();
  }
  function measure(fn) {
    if (meter) clearInterval(meter);
    meter = setInterval(fn, 500);
  }

  function startHls() {
    var src = '/hls/' + encodeURIComponent(id) + '/index.m3u8' + query;
    if (window.Hls && Hls.isSupported()) {
      // enableWorker false: hls.js 1.7 then transmuxes a part in the task that completes its request, so a playlist
      // completing the part's segment cannot land in between, which stalls it for 3 target durations (README,
      // "Known player bug"). OnAir serves fMP4, which hls.js only repackages: little work on the page's thread.
      var hls = new Hls({ lowLatencyMode: true, backBufferLength: 30, enableWorker: false });
      hls.on(Hls.Events.MANIFEST_PARSED, play);
      hls.on(Hls.Events.ERROR, function (_event, data) {
        if (!data.fatal) return;
        if (data.type === Hls.ErrorTypes.MEDIA_ERROR) return hls.recoverMediaError();
        fail(data.type + ': ' + data.details);
        hls.destroy();
        whenLive(startHls);
      });
      hls.loadSource(src);
      hls.attachMedia(video);
      measure(function () {
        // hls.latency: distance from the live edge the playlist advertises; the PDT figure is glass-to-glass
        // when the server stamps EXT-X-PROGRAM-DATE-TIME from the wall clock and clocks agree.
        var edge = hls.latency;
        var pdt = hls.playingDate ? (Date.now() - hls.playingDate.getTime()) / 1000 : null;
        showLatency(pdt != null ? pdt : edge, 'live edge ' + (isFinite(edge) ? edge.toFixed(2) + ' s' : '\u2013') +
          (pdt != null ? ' \u00b7 PDT ' + pdt.toFixed(2) + ' s' : ''));
      });
    } else if (video.canPlayType('application/vnd.apple.mpegurl')) {
      video.src = src; // Safari plays HLS natively
      play();
    } else {
      fail('this browser cannot play HLS');
    }
  }

  function startFlv(overWebSocket) {
    if (!window.mpegts || !mpegts.getFeatureList().mseLivePlayback) return fail('this browser cannot play FLV (no MSE)');
    var path = (overWebSocket ? '/ws/live/' : '/live/') + encodeURIComponent(id) + '.flv' + query;
    var origin = overWebSocket ? location.origin.replace(/^http/, 'ws') : location.origin;
    var p = mpegts.createPlayer({ type: 'flv', isLive: true, url: origin + path }, {
      enableStashBuffer: false,
      liveBufferLatencyChasing: true,
      liveBufferLatencyMaxLatency: 1.5,
      liveBufferLatencyMinRemain: 0.3,
    });
    p.on(mpegts.Events.ERROR, function (type, detail, info) {
      fail(type + ': ' + detail + (info && info.msg ? ' (' + info.msg + ')' : ''));
      p.destroy();
      whenLive(function () { startFlv(overWebSocket); });
    });
    p.attachMediaElement(video);
    p.load();
    play();
    measure(function () {
      // Buffered media ahead of the playhead: what this player adds on top of the server and network.
      var b = video.buffered;
      if (!b.length) return showLatency(null, '');
      showLatency(b.end(b.length - 1) - video.currentTime, 'buffered ahead of the playhead');
    });
  }

  whenLive(player === 'hls' ? startHls : function () { startFlv(player === 'ws-flv'); });
})();
`;
