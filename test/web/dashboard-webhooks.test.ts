import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { SCREENSHOTS, startDashboardHarness, type DashboardHarness } from '../support/dashboard-harness.js';
import { waitFor } from '../support/proc.js';

/**
 * The webhooks page against a real receiver: add an endpoint, see a failed delivery, redeliver it once the
 * receiver answers, and switch the endpoint off; the stream page lists that stream's deliveries.
 */
interface Received { eventId: string; type: string; status: number }

let h: DashboardHarness;
const received: Received[] = [];
/** What the receiver answers: 500 until the test says otherwise. */
let answer = 500;
const receiver = createServer((req: IncomingMessage, res: ServerResponse) => {
  let body = '';
  req.on('data', (b) => (body += b));
  req.on('end', () => {
    const type = (JSON.parse(body) as { type: string }).type;
    received.push({ eventId: String(req.headers['onair-event-id']), type, status: answer });
    res.statusCode = answer;
    res.end();
  });
});

before(async () => {
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  // The receiver is on loopback, which webhook targets may only be when the operator allows it.
  h = await startDashboardHarness({ 'webhook-allow-networks': '127.0.0.1/32' });
});
after(async () => {
  await h?.close();
  await new Promise((r) => receiver.close(r));
});

test('add an endpoint, see a failed delivery, redeliver it, disable the endpoint', async () => {
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  const page = await h.openPage();
  await h.signIn(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Webhooks' }).click();
  await page.getByLabel('Endpoint URL').fill('not a url');
  await page.getByRole('button', { name: 'Add endpoint' }).click();
  await page.getByText('Enter an http:// or https:// URL.').waitFor({ timeout: 5_000 });
  await page.getByLabel('Endpoint URL').fill(url);
  await page.getByLabel('Description').fill('dashboard test receiver');
  await page.getByRole('button', { name: 'Add endpoint' }).click();
  const endpoints = page.getByRole('table', { name: 'Webhook endpoints' });
  await endpoints.getByText(url).waitFor({ timeout: 10_000 });
  await page.getByRole('button', { name: 'Reveal Signing secret' }).click();
  const [stored] = (await h.api<{ data: { id: string }[] }>('/webhooks')).data;
  const secret = (await h.api<{ secret: string }>(`/webhooks/${stored!.id}`)).secret;
  assert.equal(await page.getByRole('textbox', { name: 'Signing secret' }).inputValue(), secret);

  // An event for the receiver, which refuses it.
  const stream = await h.api<{ id: string }>('/streams', { body: { name: 'hooked' } });
  await waitFor('the first delivery attempt', () => received.length >= 1, 15_000);
  const deliveries = page.getByRole('table', { name: 'Webhook deliveries' });
  const failedRow = deliveries.getByRole('row', { name: /stream\.created/ });
  await waitFor('the refused delivery on the page', async () => {
    await page.getByRole('button', { name: 'Refresh' }).click();
    return (await failedRow.filter({ hasText: 'HTTP 500' }).count()) === 1;
  }, 15_000, 500);

  // The receiver recovers; Redeliver sends the same event again, now accepted.
  answer = 200;
  await failedRow.getByRole('button', { name: /^Redeliver/ }).click();
  await waitFor('the redelivery', () => received.some((r) => r.status === 200), 15_000);
  const [first, again] = [received[0]!, received.find((r) => r.status === 200)!];
  assert.equal(again.eventId, first.eventId, 'the same event');
  assert.equal(again.type, 'stream.created');
  await waitFor('the succeeded delivery on the page', async () => {
    await page.getByRole('button', { name: 'Refresh' }).click();
    return (await deliveries.getByRole('row').filter({ hasText: 'succeeded' }).count()) >= 1;
  }, 15_000, 500);
  await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-webhooks.png'), fullPage: true });

  // The stream's own page lists its deliveries (and none of other streams').
  await page.goto(h.server.httpUrl(`/#/streams/${stream.id}`));
  const ofStream = page.getByRole('table', { name: "Deliveries of this stream's events" });
  await ofStream.getByText('stream.created').first().waitFor({ timeout: 10_000 });

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Webhooks' }).click();
  await page.getByRole('button', { name: `Disable ${url}` }).click();
  await page.getByRole('button', { name: `Enable ${url}` }).waitFor({ timeout: 10_000 });
  await waitFor('the endpoint disabled', async () => !(await h.api<{ enabled: boolean }>(`/webhooks/${stored!.id}`)).enabled, 10_000, 200);
  await page.close();
  assert.deepEqual(h.problems, [], 'no console errors or uncaught exceptions');
});
