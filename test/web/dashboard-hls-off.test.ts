import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { SCREENSHOTS as shots, startDashboardHarness, type DashboardHarness } from '../support/dashboard-harness.js';

/**
 * The dashboard in Debian Chromium against an OnAir started with `--hls off`, whose stream answers carry no HLS URL:
 * the stream's page says so where the preview and the HLS URL would be, and offers the URLs that play (HTTP-FLV on
 * the server's origin, RTMP, the watch page on HTTP-FLV), with no error on the page.
 */
let h: DashboardHarness;
before(async () => {
  h = await startDashboardHarness({ hls: 'off' });
});
after(async () => h?.close());

test('with HLS off on the server, a stream page shows no HLS URL or preview, and its playback links play HTTP-FLV', async () => {
  const created = await h.api<{ id: string; playbackId: string; playback: Record<string, string> }>('/streams', { body: { name: 'No HLS cam' } });
  assert.equal(created.playback.hls, undefined);
  const page = await h.openPage();
  await h.signIn(page);
  await page.getByRole('heading', { name: 'Streams' }).waitFor({ timeout: 10_000 });
  await page.getByRole('link', { name: 'No HLS cam' }).click();
  await page.getByRole('heading', { name: /No HLS cam/ }).waitFor({ timeout: 10_000 });

  await page.getByText('HLS is off on this server (--hls off): no preview here').waitFor({ timeout: 10_000 });
  await page.getByText('HLS is off on this server (--hls off).', { exact: true }).waitFor({ timeout: 10_000 });
  assert.equal(await page.getByRole('textbox', { name: 'HLS URL' }).count(), 0);
  assert.equal(await page.locator('video').count(), 0, 'no HLS preview player');
  const origin = h.server.httpUrl('');
  assert.equal(await page.getByRole('textbox', { name: 'HTTP-FLV URL' }).inputValue(), `${origin}/live/${created.playbackId}.flv`);
  assert.equal(await page.getByRole('textbox', { name: 'RTMP play URL' }).inputValue(), created.playback.rtmp);
  assert.equal(await page.getByRole('textbox', { name: 'Watch page' }).inputValue(), `${origin}/watch/${created.playbackId}?player=flv`);
  await page.screenshot({ path: join(shots, 'dashboard-hls-off.png'), fullPage: true });
  assert.deepEqual(h.problems, []);
  await page.close();
});
