import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { startTestServer, TEST_API_TOKEN, type TestServer } from '../../support/onair.js';
import { ffmpegPublish } from '../support/clients.js';
import { waitFor, type Proc } from '../support/proc.js';
import { launchChromium } from '../../support/chromium.js';

let server: TestServer;
let browser: Awaited<ReturnType<typeof launchChromium>>;
const publishers: Proc[] = [];

before(async () => {
  server = await startTestServer({ auth: 'keys' });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await Promise.all(publishers.map((p) => p.kill()));
  await server?.close();
});

type BrowserGlobals = { __onair?: { errors: string[] }; document: { querySelector(s: string): { currentTime: number } | null } };
const played = (): number => (globalThis as unknown as BrowserGlobals).document.querySelector('video')?.currentTime ?? 0;
const statusText = (page: Page) => page.textContent('#status').then((t) => t ?? '');

async function createStream(): Promise<{ playbackId: string; streamKey: string }> {
  const res = await fetch(server.httpUrl('/api/v1/streams'), {
    method: 'POST', headers: { authorization: `Bearer ${TEST_API_TOKEN}`, 'content-type': 'application/json' }, body: '{}',
  });
  return (await res.json()) as { playbackId: string; streamKey: string };
}

/**
 * Side by side on the one server and browser, a page each: both mostly wait (on the page's status polls, on a publish
 * and its first media), ~7 s and ~6 s one after the other in a full run.
 */
describe('the watch page before its stream is live', { concurrency: true }, () => {
  test('the watch page of a stream that does not exist says so (and no player error)', async () => {
    const page = await browser.context.newPage();
    await page.goto(server.httpUrl('/watch/nosuchstream0000'));
    await waitFor('"no such stream"', async () => /no such stream/.test(await statusText(page)), 15_000);
    assert.doesNotMatch(await statusText(page), /manifestLoadError|networkError/);
    await page.close();
  });

  test('the watch page of a stream that is not live says "not live yet", retries, and plays once it is', async () => {
    const { playbackId, streamKey } = await createStream();
    const page = await browser.context.newPage();
    await page.goto(server.httpUrl(`/watch/${playbackId}`));
    await waitFor('"not live yet"', async () => /not live yet/.test(await statusText(page)), 15_000);
    publishers.push(await ffmpegPublish(`rtmp://127.0.0.1:${server.ports.rtmp}/live/${streamKey}`));
    await page.waitForFunction(() => ((globalThis as unknown as BrowserGlobals).document.querySelector('video')?.currentTime ?? 0) > 1, undefined, { timeout: 40_000, polling: 200 });
    assert.ok((await page.evaluate(played)) > 1);
    await page.close();
  });

  test('a favicon is served, and the watch page links it', async () => {
    const res = await fetch(server.httpUrl('/favicon.ico'));
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^image\//);
    assert.ok((await res.arrayBuffer()).byteLength > 0);
    const html = await (await fetch(server.httpUrl('/watch/anything'))).text();
    assert.match(html, /<link rel="icon" href="\/favicon\.(ico|svg)"/);
  });
});
