import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { startTestServer, TEST_API_TOKEN, type TestServer } from '../../support/onair.js';
import { launchChromium } from '../../support/chromium.js';
import { ensureDashboardBuilt } from './dashboard-build.js';

/** Screenshots of the dashboard tests, for a human look; .test-tmp is not committed. */
export const SCREENSHOTS = resolve(import.meta.dirname, '../../.test-tmp/screenshots');

export interface DashboardHarness {
  readonly server: TestServer;
  /** Console errors (CSP violations among them, not failed requests) and uncaught exceptions on any page opened here. */
  readonly problems: string[];
  openPage(): Promise<Page>;
  /** Fills the sign-in form and submits it (from `/`). */
  signIn(page: Page, token?: string): Promise<void>;
  /** An API call with the admin token, from the test (to check what the dashboard did). */
  api<T>(path: string, init?: { method?: string; body?: unknown }): Promise<T>;
  close(): Promise<void>;
}

/**
 * A built dashboard, an OnAir on ephemeral ports (stream keys required unless `flags` say otherwise) and
 * Debian Chromium with clipboard access for the server's origin.
 */
export async function startDashboardHarness(flags: Record<string, string | number> = {}): Promise<DashboardHarness> {
  await ensureDashboardBuilt();
  mkdirSync(SCREENSHOTS, { recursive: true });
  const server = await startTestServer({ auth: 'keys', ...flags });
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  try {
    browser = await launchChromium();
    await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.httpUrl('') });
  } catch (err) {
    await server.close();
    throw err;
  }
  const problems: string[] = [];
  return {
    server,
    problems,
    async openPage() {
      const page = await browser.context.newPage();
      // A failed request is logged as a console error too; expected ones (a wrong token's 401, the preview's
      // 404s before the stream is live) are the tests' business, so only other errors are collected.
      page.on('console', (m) => {
        if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(m.text());
      });
      page.on('pageerror', (e) => problems.push(String(e)));
      return page;
    },
    async signIn(page, token = TEST_API_TOKEN) {
      await page.goto(server.httpUrl('/'));
      await page.getByLabel('API token').fill(token);
      await page.getByRole('button', { name: 'Sign in' }).click();
    },
    async api<T>(path: string, init: { method?: string; body?: unknown } = {}) {
      const res = await fetch(server.httpUrl(`/api/v1${path}`), {
        method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
        headers: { authorization: `Bearer ${TEST_API_TOKEN}`, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      });
      assert.ok(res.ok, `${path}: HTTP ${res.status}`);
      return (res.status === 204 ? undefined : await res.json()) as T;
    },
    async close() {
      await browser.close();
      await server.close();
    },
  };
}
