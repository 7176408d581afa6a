import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { startTestServer, type TestServer } from '../../support/onair.js';
import { ffmpegPublish, ffmpegRecord, ffprobeFrameCounts } from '../support/clients.js';
import { tmpFile } from '../support/media.js';
import { startTestPostgres, type TestPostgres } from '../support/postgres.js';
import { sleep, waitFor, within, type Proc } from '../support/proc.js';
import { callApi, type ApiStream } from '../support/stream-api.js';
import { webhookReceiver } from '../support/webhook-receiver.js';
import { TEST_API_TOKEN } from '../../support/onair.js';
import { createLogger } from '../../src/core/logger.js';
import { openDatabase } from '../../src/db/open-database.js';
import { DeferredWrites } from '../../src/services/streams/deferred-writes.js';
import { WebhookDispatcher } from '../../src/services/webhooks/webhook-dispatcher.js';
import { WebhookService } from '../../src/services/webhooks/webhook-service.js';
import { WebhookTargetPolicy } from '../../src/services/webhooks/target-policy.js';
import { freshPostgresDatabase } from '../support/api-harness.js';

/**
 * README "PostgreSQL outage", with a real PostgreSQL stopped (`pg_ctl stop -m immediate`) and started again on
 * the same port and data while ffmpeg publishes and plays:
 * - stream A publishes across the outage and an ffmpeg RTMP player of A gets every second of it;
 * - stream B's encoder drops during the outage and comes back with its key (known before the outage: accepted);
 * - stream C's key was never used on the node: taken from the playback directory (its key hash and settings);
 *   a key no stream had is refused at once with a clear log line;
 * - stream D records, and its encoder leaves during the outage: the recording's end is stored once it is back;
 * - stream E's encoder (its key checked before) comes back during the outage with recording on: the recording is
 *   made, and its row (start and end) is stored once PostgreSQL is back;
 * - the API answers 503 database_unavailable at once;
 * - after PostgreSQL is back: B's two sessions (the first ended during the outage) are in the database, their
 *   webhooks are delivered, and a change made in SQL reaches playback through LISTEN (the periodic reload is an
 *   hour here, so only the resumed LISTEN can carry it).
 * Bounds are generous (a busy machine); nothing asserts a speed.
 */
const PLAY_SECONDS = 14;
const FPS = 25;

let pgServer: TestPostgres;
let server: TestServer;
let receiver: Awaited<ReturnType<typeof webhookReceiver>>;
const procs: Proc[] = [];

/* eslint-disable @typescript-eslint/no-explicit-any -- API and webhook bodies are checked field by field */
const api = <T = any>(method: string, path: string, body?: unknown, expect?: number): Promise<T> => callApi<T>(server.httpUrl(''), method, path, body, expect);

async function publish(s: ApiStream): Promise<Proc> {
  const p = await ffmpegPublish(server.rtmpUrl(s.streamKey));
  procs.push(p);
  return p;
}

function logLines(match: RegExp): any[] {
  return server.logs.filter((l) => match.test(l)).map((l) => JSON.parse(l));
}

/** `onair_database_queued_writes` from /metrics. */
async function queuedWrites(): Promise<number> {
  const text = await (await fetch(server.httpUrl('/metrics'))).text();
  const line = text.split('\n').find((l) => l.startsWith('onair_database_queued_writes '));
  assert.ok(line, 'the gauge is exported');
  return Number(line.split(' ')[1]);
}

before(async () => {
  pgServer = await startTestPostgres();
  server = await startTestServer({
    auth: 'keys', 'database-url': pgServer.url, 'log-level': 'info', 'playback-directory-reload-sec': 3600,
    'webhook-allow-networks': '127.0.0.1/32', 'reconnect-window-sec': 60,
  });
  receiver = await webhookReceiver();
  await api('POST', '/webhooks', { url: receiver.url }, 201);
});
after(async () => {
  await Promise.all(procs.map((p) => p.kill('SIGKILL')));
  await server?.close();
  await receiver?.close();
  await pgServer?.stop();
});

describe('PostgreSQL stopped and restarted under live streams (single node)', () => {
  it('keeps streams and viewers, degrades new publishes and the API per the policy, and catches up without a restart', async () => {
    const [a, b, c] = [await api<ApiStream>('POST', '/streams', {}), await api<ApiStream>('POST', '/streams', {}), await api<ApiStream>('POST', '/streams', {})];
    const d = await api<ApiStream>('POST', '/streams', { settings: { record: true, reconnectWindowSec: 0 } });
    const e = await api<ApiStream>('POST', '/streams', { settings: { record: true, reconnectWindowSec: 0 } });
    const recordingsOfE = async (): Promise<any[]> => (await api('GET', `/assets?streamId=${e.id}`)).items;
    // E's key is checked once before the outage (its recording of that first publish ends ready).
    const firstE = await publish(e);
    await waitFor('E recording', async () => (await recordingsOfE()).some((x) => x.status === 'recording'), 20_000);
    await firstE.kill('SIGKILL');
    await waitFor('E\'s first recording ready', async () => (await recordingsOfE()).some((x) => x.status === 'ready'), 20_000);
    await publish(a);
    const firstB = await publish(b);
    const dPub = await publish(d);
    const recordingOf = async (): Promise<any> => (await api('GET', `/assets?streamId=${d.id}`)).items[0];
    await waitFor('D recording', async () => (await recordingOf())?.status === 'recording', 20_000);
    await waitFor('A and B live', () => server.hub.stream(`live/${a.playbackId}`)?.isActive && server.hub.stream(`live/${b.playbackId}`)?.isActive, 20_000);
    const [bSession1] = (await api('GET', `/streams/${b.id}/sessions`)).data;
    await waitFor('stream.active of B delivered', () => receiver.hooks.some((h) => h.type === 'stream.active' && h.body.data.stream.id === b.id), 15_000);

    const out = tmpFile('pg-outage-player.flv');
    const player = ffmpegRecord(server.rtmpUrl(a.playbackId), out, PLAY_SECONDS);
    procs.push(player);
    await waitFor('the player on A', () => (server.hub.stream(`live/${a.playbackId}`)?.subscriberCount ?? 0) > 0, 15_000);
    await sleep(1500);

    await pgServer.halt();
    const outageStart = Date.now();

    // The API: 503 with its code, not a hang and not a 500.
    const res = await fetch(server.httpUrl('/api/v1/streams'), { headers: { authorization: `Bearer ${TEST_API_TOKEN}` }, signal: AbortSignal.timeout(20_000) });
    assert.equal(res.status, 503);
    assert.equal((await res.json() as any).error.code, 'database_unavailable');
    assert.ok(res.headers.get('retry-after'));

    // B's encoder drops and reconnects: its key was checked before the outage, so it is back on air.
    await firstB.kill('SIGKILL');
    await waitFor('B unpublished', () => !server.hub.stream(`live/${b.playbackId}`)?.publisher, 10_000);
    await publish(b);
    await waitFor('B live again during the outage', () => server.hub.stream(`live/${b.playbackId}`)?.isActive, 20_000);
    assert.ok(logLines(/checked against the last-known keys/).length > 0, 'the fallback is logged');
    assert.ok(await queuedWrites() > 0, 'B\'s session end waits in memory, and /metrics says so');

    // D's encoder leaves during the outage: its recording ends (window 0) and the asset's end waits for the database.
    await dPub.kill('SIGKILL');
    await waitFor('D unpublished', () => !server.hub.stream(`live/${d.playbackId}`)?.publisher, 10_000);

    // E's encoder comes back during the outage: the recording starts (its row waits in the queue) and ends.
    const secondE = await publish(e);
    await waitFor('E live during the outage', () => server.hub.stream(`live/${e.playbackId}`)?.isActive, 20_000);
    await sleep(2500);
    await secondE.kill('SIGKILL');
    await waitFor('E unpublished', () => !server.hub.stream(`live/${e.playbackId}`)?.publisher, 10_000);

    // C's key was never used here: the playback directory holds C (key hash and settings), so it goes on air.
    await publish(c);
    await waitFor('C live during the outage', () => server.hub.stream(`live/${c.playbackId}`)?.isActive, 20_000);
    // A key no stream had: refused (not hung), with the reason in the log.
    const bogus = await ffmpegPublish(server.rtmpUrl(`sk_${'q'.repeat(28)}`));
    procs.push(bogus);
    const bogusExit = await within(bogus.exited, 15_000, 'still running' as const);
    assert.notEqual(bogusExit, 'still running', 'a publish with an unknown key during the outage is refused, not held');
    assert.notEqual(bogusExit, 0);
    assert.ok(logLines(/publish refused/).some((l) => l.code === 'unavailable'), 'the refusal names the database');

    // HLS of A is still served from memory.
    const hls = await fetch(server.httpUrl(`/hls/${a.playbackId}/index.m3u8`));
    await hls.body?.cancel();
    assert.equal(hls.status, 200);

    await sleep(Math.max(0, 4000 - (Date.now() - outageStart)));
    await pgServer.restart();

    // The player of A never noticed.
    assert.equal(await player.exited, 0, player.stderr());
    const frames = await ffprobeFrameCounts(out);
    assert.ok(frames.video >= PLAY_SECONDS * FPS * 0.9, `video frames ${frames.video} for ${PLAY_SECONDS} s`);

    // Writes made during the outage reach the database: B's first session ended, its second open, both announced.
    const sessions = await waitFor('B\'s sessions written', async () => {
      const list = await api('GET', `/streams/${b.id}/sessions`).catch(() => null);
      return list?.data.length === 2 && list.data.some((s: any) => s.id === bSession1.id && s.endedAt) ? list.data : null;
    }, 30_000);
    const bSession2 = sessions.find((s: any) => s.id !== bSession1.id);
    assert.equal(bSession2.endedAt, null);
    assert.equal((await api('GET', `/streams/${b.id}`)).status, 'active');
    await waitFor('D\'s recording stored as ready', async () => (await recordingOf().catch(() => null))?.status === 'ready', 30_000);
    const eRecordings = await waitFor('E\'s outage recording stored as ready', async () => {
      const list = await recordingsOfE().catch(() => []);
      return list.length === 2 && list.every((x) => x.status === 'ready') ? list : null;
    }, 30_000);
    assert.ok(eRecordings[0].durationSec > 1, `the recording made during the outage (newest first) holds media: ${eRecordings[0].durationSec} s`);
    await waitFor('the queue flushed', async () => (await queuedWrites()) === 0, 15_000);
    await waitFor('webhooks of the outage delivered', () =>
      receiver.hooks.some((h) => h.type === 'stream.disconnected' && h.body.data.session?.id === bSession1.id)
      && receiver.hooks.some((h) => h.type === 'stream.connected' && h.body.data.session?.id === bSession2.id), 30_000);

    // LISTEN is back: a change made in SQL (no API call on this node) reaches playback.
    await waitFor('LISTEN resumed', () => logLines(/listening again after a lost connection/).length > 0, 30_000);
    assert.equal(logLines(/LISTEN connection lost/).length, 1, 'the loss is logged once, not once per retry');
    assert.ok(logLines(/webhook worker/).filter((l) => l.level >= 40).length <= 1, 'the webhook worker warns once per outage');
    const before = await fetch(server.httpUrl(`/hls/${a.playbackId}/index.m3u8`));
    await before.body?.cancel();
    assert.equal(before.status, 200, 'A plays before the change');
    const sql = new pg.Client({ connectionString: pgServer.url });
    await sql.connect();
    try {
      await sql.query('UPDATE streams SET disabled = true WHERE id = $1', [a.id]);
    } finally {
      await sql.end();
    }
    const changed = Date.now();
    await waitFor('A disabled for playback', async () => {
      const r = await fetch(server.httpUrl(`/hls/${a.playbackId}/index.m3u8`));
      await r.body?.cancel();
      return r.status !== 200;
    }, 5_000);
    console.log(`# a change made in SQL reached playback ${Date.now() - changed} ms later`);
  });
});

describe('an event published while PostgreSQL is down (health, re-push and asset events publish directly)', () => {
  it('is queued in memory with its id and time and delivered once PostgreSQL is back', async () => {
    const db = await openDatabase({ databaseUrl: await freshPostgresDatabase(pgServer.url), dataDir: '' });
    const log = createLogger('silent');
    const writes = new DeferredWrites(log);
    const targets = new WebhookTargetPolicy('127.0.0.1/32');
    const dispatcher = new WebhookDispatcher({ db, logger: log, targets, writes });
    const rx = await webhookReceiver();
    try {
      await new WebhookService({ db, dispatcher, targets }).create({ url: rx.url, events: ['stream.health.changed'] });
      dispatcher.start();
      await pgServer.halt();
      const health = { state: 'stalled', previousState: 'healthy', reasons: [] };
      await dispatcher.publish('stream.health.changed', { health });
      assert.equal(writes.pending, 1, 'queued, not dropped');
      const restartedAt = Date.now();
      await pgServer.restart();
      await waitFor('the event delivered', () => rx.hooks.length > 0, 30_000);
      assert.equal(rx.hooks.length, 1);
      assert.deepEqual(rx.hooks[0]!.body.data.health, health);
      assert.ok(Date.parse(rx.hooks[0]!.body.time) < restartedAt, 'the event keeps the time it happened (during the outage)');
      assert.equal(writes.pending, 0);
    } finally {
      await dispatcher.close();
      writes.close();
      await db.close();
      await rx.close();
    }
  });
});
