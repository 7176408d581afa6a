import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Fastify from 'fastify';
import { registerDashboard } from '../../src/servers/http/dashboard/register-dashboard.js';
import { TEST_API_TOKEN } from '../../support/onair.js';
import { ffmpegPublish } from '../support/clients.js';
import { type Proc, waitFor } from '../support/proc.js';
import { SCREENSHOTS as shots, startDashboardHarness, type DashboardHarness } from '../support/dashboard-harness.js';

/**
 * The dashboard in Debian Chromium against a real OnAir (stream keys required): sign in, create a stream,
 * read its key from the page, publish to it with ffmpeg, watch the preview play and the health charts move.
 * Screenshots go to .test-tmp/screenshots (not committed).
 */
let h: DashboardHarness;
const publishers: Proc[] = [];

before(async () => {
  h = await startDashboardHarness();
});
after(async () => {
  await Promise.all(publishers.map((p) => p.kill()));
  await h?.close();
});

/** The slice of the browser's globals these checks read (this project's TypeScript has no DOM types). */
type Doc = {
  document: {
    documentElement: { scrollWidth: number; clientWidth: number };
    querySelector(s: string): ({ currentTime: number; getAttribute(n: string): string | null }) | null;
    querySelectorAll(s: string): Iterable<{ tagName: string; className: string; scrollWidth: number; clientWidth: number; getBoundingClientRect(): { left: number; right: number } }>;
  };
  innerWidth: number;
  getComputedStyle(e: unknown): { overflowX: string };
  localStorage: { getItem(k: string): string | null; setItem(k: string, v: string): void };
  navigator: { clipboard: { readText(): Promise<string> } };
};

test('a wrong token is refused with a clear message and is not stored', async () => {
  const page = await h.openPage();
  await h.signIn(page, 'not-the-token');
  const alert = page.getByRole('alert');
  await alert.waitFor({ timeout: 10_000 });
  assert.match(await alert.innerText(), /refused this API token/);
  assert.equal(await page.evaluate(() => (globalThis as unknown as Doc).localStorage.getItem('onair.apiToken')), null);
  assert.equal(await page.getByRole('heading', { name: 'Streams' }).count(), 0, 'still on the sign-in page');
  await page.screenshot({ path: join(shots, 'dashboard-login-refused.png') });

  // A stored token the server no longer accepts (rotated) sends the person back to sign in, and is forgotten.
  await page.evaluate(() => (globalThis as unknown as Doc).localStorage.setItem('onair.apiToken', 'rotated-token'));
  await page.reload();
  await page.getByText('no longer accepts the stored token').waitFor({ timeout: 10_000 });
  assert.equal(await page.evaluate(() => (globalThis as unknown as Doc).localStorage.getItem('onair.apiToken')), null);
  await page.close();
});

let streamId = '';

test('sign in, create a stream, copy its key, publish with ffmpeg: the preview plays and the health charts move', async () => {
  const page = await h.openPage();
  await h.signIn(page);
  await page.getByRole('heading', { name: 'Streams' }).waitFor({ timeout: 10_000 });
  assert.equal(await page.evaluate(() => (globalThis as unknown as Doc).localStorage.getItem('onair.apiToken')), TEST_API_TOKEN, 'the token is kept in the browser');

  await page.getByRole('link', { name: 'New stream' }).click();
  await page.getByLabel('Name').fill('Dashboard cam');
  await page.getByLabel(/^Lowest latency/).check();
  await page.getByLabel('Reconnect window (seconds)').fill('3');
  await page.getByRole('button', { name: 'Create stream' }).click();
  await page.getByRole('heading', { name: /Dashboard cam/ }).waitFor({ timeout: 10_000 });
  streamId = decodeURIComponent(new URL(page.url()).hash.split('/')[2] ?? '');
  const stored = await h.api<{ streamKey: string; settings: { reconnectWindowSec: number; latencyMode: string } }>(`/streams/${streamId}`);
  assert.equal(stored.settings.reconnectWindowSec, 3);
  assert.equal(stored.settings.latencyMode, 'lowest');

  // The key is masked until revealed; Copy puts the real key on the clipboard either way.
  const keyField = page.getByRole('textbox', { name: 'Stream Key', exact: true });
  assert.doesNotMatch(await keyField.inputValue(), /^sk_[A-Za-z0-9_-]{20,}$/, 'masked before Reveal');
  await page.getByRole('button', { name: 'Copy Stream Key' }).click();
  await page.getByText('Stream Key copied').waitFor({ timeout: 5_000 });
  const copied = await page.evaluate(() => (globalThis as unknown as Doc).navigator.clipboard.readText());
  await page.getByRole('button', { name: 'Reveal Stream Key' }).click();
  const key = await keyField.inputValue();
  assert.equal(key, copied);
  assert.equal(key, stored.streamKey, 'the page shows the stream key the API holds');
  const ingest = await page.getByRole('textbox', { name: 'Server', exact: true }).inputValue();
  assert.match(await page.getByRole('textbox', { name: 'ffmpeg command' }).inputValue(), new RegExp(`${ingest}/${key}`));

  publishers.push(await ffmpegPublish(`${ingest}/${key}`, 'av.flv'));
  // The preview: hls.js in the page, playing (currentTime advancing), with a latency read-out.
  const played = async () => page.evaluate(() => (globalThis as unknown as Doc).document.querySelector('video[aria-label="Live preview"]')?.currentTime ?? 0);
  await waitFor('the preview to play 2 s', async () => (await played()) >= 2, 45_000, 250);
  const t1 = await played();
  await waitFor('the preview to keep playing', async () => (await played()) >= t1 + 1, 15_000, 250);
  await waitFor('a latency figure', async () => /\d\.\d\d s/.test(await page.getByTestId('preview-latency').innerText()), 10_000, 250);
  await page.getByText('Live', { exact: true }).first().waitFor({ timeout: 10_000 });

  // Health: the SSE feed appends a sample a second to the charts.
  const points = async () => Number(await page.getByRole('figure', { name: 'Bitrate chart' }).getAttribute('data-points'));
  await waitFor('health samples on the chart', async () => (await points()) >= 2, 20_000, 250);
  const p1 = await points();
  await waitFor('the charts to update', async () => (await points()) >= p1 + 2, 15_000, 250);
  assert.equal(await page.getByTestId('feed-status').innerText(), 'live feed: open');
  await page.getByLabel('Health: Healthy').or(page.getByLabel('Health: Warning')).first().waitFor({ timeout: 10_000 });

  await page.getByRole('table', { name: 'Sessions' }).waitFor({ timeout: 15_000 });
  await page.screenshot({ path: join(shots, 'dashboard-stream.png'), fullPage: true });

  // The list shows it live, with its health, viewers and bitrate.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Streams' }).click();
  const row = page.getByRole('row', { name: /Dashboard cam/ });
  await row.getByText('Live').waitFor({ timeout: 10_000 });
  await row.getByText(/kb\/s/).waitFor({ timeout: 10_000 });
  await page.screenshot({ path: join(shots, 'dashboard-streams.png'), fullPage: true });
  await page.close();
  assert.deepEqual(h.problems, [], 'no console errors or uncaught exceptions (CSP included)');
});

test('edit a stream: latency mode, playback policy and a custom ladder reach the API', async () => {
  assert.ok(streamId, 'needs the stream of the previous test');
  const page = await h.openPage();
  await page.goto(h.server.httpUrl(`/#/streams/${streamId}/edit`));
  await page.getByLabel(/^Standard HLS/).waitFor({ timeout: 10_000 });
  assert.equal(await page.getByLabel(/^Lowest latency/).isChecked(), true, 'the form shows the stored mode');
  await page.getByLabel(/^Standard HLS/).check();
  await page.getByLabel('Playback policy').selectOption('signed');
  await page.getByLabel('Custom renditions').check();
  await page.getByLabel('Height (px)').fill('100');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByText('Height in pixels, 144 to 4320.').waitFor({ timeout: 5_000 });
  await page.getByLabel('Height (px)').fill('240');
  await page.getByLabel('Video kb/s').fill('400');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('heading', { name: /Dashboard cam/ }).waitFor({ timeout: 10_000 });
  const s = await h.api<{ settings: { latencyMode: string; playbackPolicy: string; ladder: unknown } }>(`/streams/${streamId}`);
  assert.equal(s.settings.latencyMode, 'standard');
  assert.equal(s.settings.playbackPolicy, 'signed');
  assert.deepEqual(s.settings.ladder, [{ height: 240, videoBitrateKbps: 400 }]);
  // A signed stream's URLs need a token: the page mints one on request.
  await page.getByRole('button', { name: 'Create playback token' }).click();
  // Minting is a request: the URLs carry the token once the page shows it (read before, the URL had none yet).
  await page.getByRole('textbox', { name: 'Playback token', exact: true }).waitFor({ timeout: 10_000 });
  const hls = await page.getByRole('textbox', { name: 'HLS URL' }).inputValue();
  assert.match(hls, /\?token=ey/);
  await page.close();
});

test('375 px wide: the list and the stream page have no horizontal scroll; a signed stream previews with a minted token', async () => {
  assert.ok(streamId, 'needs the stream of the first test');
  const page = await h.openPage();
  await page.setViewportSize({ width: 375, height: 800 });
  /** Pixels the page is wider than the viewport, and elements that may be why (for the failure message only). */
  const overflow = () => page.evaluate(() => {
    const w = globalThis as unknown as Doc;
    const width = w.innerWidth;
    const out = [...w.document.querySelectorAll('body *')]
      .map((e) => ({ e, r: e.getBoundingClientRect() }))
      .filter(({ e, r }) => r.right > width + 0.5 || e.scrollWidth > e.clientWidth + 1 && w.getComputedStyle(e).overflowX === 'visible')
      .slice(0, 8)
      .map(({ e, r }) => `${e.tagName.toLowerCase()}.${e.className} ${Math.round(r.left)}-${Math.round(r.right)}`);
    return { over: w.document.documentElement.scrollWidth - width, out };
  });
  await page.goto(h.server.httpUrl('/#/streams'));
  await page.getByRole('table', { name: 'Streams' }).waitFor({ timeout: 10_000 });
  await page.screenshot({ path: join(shots, 'dashboard-streams-375.png'), fullPage: true });
  let o = await overflow();
  assert.equal(o.over, 0, `streams list wider than 375 px; sticking out: ${o.out.join(' | ')}`);
  const hlsRequests: string[] = [];
  page.on('request', (r) => r.url().includes('/hls/') && hlsRequests.push(r.url()));
  await page.goto(h.server.httpUrl(`/#/streams/${streamId}`));
  await page.getByRole('figure', { name: 'Bitrate chart' }).waitFor({ timeout: 10_000 });
  await page.getByRole('table', { name: 'Sessions' }).waitFor({ timeout: 15_000 });
  await page.getByRole('button', { name: 'Reveal Stream Key' }).click();
  // The stream is signed since the edit test: the preview plays with a token the page minted for it.
  await waitFor('the signed preview to play', () => page.evaluate(() =>
    ((globalThis as unknown as Doc).document.querySelector('video[aria-label="Live preview"]')?.currentTime ?? 0) >= 1), 45_000, 250);
  assert.ok(hlsRequests.length > 0 && hlsRequests.every((u) => u.includes('token=ey')), hlsRequests.slice(0, 3).join());
  await page.screenshot({ path: join(shots, 'dashboard-stream-375.png'), fullPage: true });
  o = await overflow();
  assert.equal(o.over, 0, `stream page wider than 375 px; sticking out: ${o.out.join(' | ')}`);
  await page.close();
});

test('the dashboard is served from this server with a strict CSP; its assets are immutable', async () => {
  const res = await fetch(h.server.httpUrl('/'));
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-security-policy') ?? '', /script-src 'self';/);
  const html = await res.text();
  assert.doesNotMatch(html, /https?:\/\//, 'no CDN or other origin');
  const assets = [...html.matchAll(/(?:src|href)="(\/static\/dashboard\/[^"]+)"/g)].map((m) => m[1]!);
  assert.ok(assets.some((a) => a.endsWith('.js')) && assets.some((a) => a.endsWith('.css')), assets.join());
  for (const a of assets) {
    const r = await fetch(h.server.httpUrl(a));
    assert.equal(r.status, 200, a);
    assert.match(r.headers.get('cache-control') ?? '', /immutable/);
  }
  assert.equal((await fetch(h.server.httpUrl('/static/dashboard/nope.js'))).status, 404);

  // Without a build, / says how to make one instead of a bare 404.
  const bare = Fastify();
  registerDashboard(bare, join(shots, 'no-such-build'));
  const unbuilt = await bare.inject({ url: '/' });
  assert.equal(unbuilt.statusCode, 503);
  assert.match(unbuilt.body, /npm run build/);
  assert.equal((await bare.inject({ url: '/static/dashboard/index.js' })).statusCode, 404);
  await bare.close();
  assert.equal((await fetch(h.server.httpUrl('/static/dashboard/%2e%2e/%2e%2e/index.html'))).status, 404);
});
