import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WATCH_ASSETS, escapeHtml, renderWatchPage, watchPlayerOf } from './watch-page.js';

test('escapeHtml leaves no markup or attribute breakout', () => {
  assert.equal(escapeHtml(`<a href="x" onclick='y'>&`), '&#60;a href=&#34;x&#34; onclick=&#39;y&#39;&#62;&#38;');
});

test('the page escapes the id and loads only the chosen player from this server', () => {
  const html = renderWatchPage('a"><script>x</script>', 'flv');
  assert.doesNotMatch(html, /<script>x/);
  assert.match(html, /data-playback-id="a&#34;&#62;&#60;script&#62;x&#60;\/script&#62;"/);
  assert.ok(html.includes(`<script src="${WATCH_ASSETS.mpegts}">`));
  assert.ok(!html.includes(WATCH_ASSETS.hls));
  assert.ok(renderWatchPage('cam', 'hls').includes(`<script src="${WATCH_ASSETS.hls}">`));
});

test('unknown or repeated ?player values fall back to HLS', () => {
  assert.equal(watchPlayerOf('flv'), 'flv');
  assert.equal(watchPlayerOf('ws-flv'), 'ws-flv');
  assert.equal(watchPlayerOf(['flv', 'hls']), 'hls');
  assert.equal(watchPlayerOf(undefined), 'hls');
  assert.equal(watchPlayerOf('FLV'), 'hls');
});
