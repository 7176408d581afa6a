import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { createLogger } from '../../src/core/logger.js';
import { PostgresDatabase } from '../../src/db/postgres-database.js';
import { mintPlaybackToken } from '../../src/services/auth/playback-token.js';
import { PlaybackDirectory } from '../../src/services/streams/playback-directory.js';
import { PlaybackDirectorySync } from '../../src/services/streams/playback-directory-sync.js';
import { startTestServer, type TestServer } from '../../support/onair.js';
import { freshPostgresDatabase } from '../support/api-harness.js';
import { ffmpegPublish } from '../support/clients.js';
import { ffmpegViewer, ffprobeOpens, viewersOf } from '../support/playback-viewers.js';
import { startTestPostgres } from '../support/postgres.js';
import { type Proc, waitFor } from '../support/proc.js';
import { callApi, type ApiStream } from '../support/stream-api.js';

/**
 * Two OnAir instances sharing one PostgreSQL: a change made through instance A reaches instance B's
 * in-memory playback directory by NOTIFY (B's periodic reload is set to an hour, so only the notification can
 * carry it), also when B's listening connection was cut (it listens again and reloads), and by the periodic
 * reload alone when nothing listens. Deadlines are generous (a busy machine); the measured delays are printed.
 */
const SECRET = 'playback-directory-pg-secret';
let postgres: { url: string; stop(): Promise<void> };
let url: string;
let a: TestServer;
let b: TestServer;
const procs: Proc[] = [];

before(async () => {
  postgres = await startTestPostgres();
  url = await freshPostgresDatabase(postgres.url);
  const flags = { auth: 'keys', 'playback-secret': SECRET, 'database-url': url, 'log-level': 'info', 'playback-directory-reload-sec': 3600 };
  a = await startTestServer(flags);
  b = await startTestServer(flags);
});
after(async () => {
  await Promise.all(procs.map((p) => p.kill('SIGKILL')));
  await a?.close();
  await b?.close();
  await postgres?.stop();
});

const onA = <T = unknown>(method: string, path: string, body?: unknown): Promise<T> => callApi<T>(a.httpUrl(''), method, path, body);

/** A stream created on A, published to B (B authenticates the key from the shared database), live on B with HLS. */
async function liveOnB(): Promise<ApiStream> {
  const s = await onA<ApiStream>('POST', '/streams', {});
  procs.push(await ffmpegPublish(b.rtmpUrl(s.streamKey)));
  await waitFor('live on B', () => b.hub.stream(`live/${s.playbackId}`)?.isActive, 20_000);
  await waitFor('HLS on B', async () => (await hlsStatus(b, s.playbackId)) === 200, 20_000);
  return s;
}

async function hlsStatus(server: TestServer, playbackId: string): Promise<number> {
  const res = await fetch(server.httpUrl(`/hls/${playbackId}/src/media.m3u8`));
  await res.body?.cancel();
  return res.status;
}

/** Runs `change` on A, then polls B's HLS playlist of `playbackId` (every 10 ms) until it answers `want`. */
async function changeThenB(change: () => Promise<unknown>, playbackId: string, want: number): Promise<string> {
  const t0 = performance.now();
  await change();
  const answered = performance.now();
  await waitFor(`B answers ${want}`, async () => (await hlsStatus(b, playbackId)) === want, 15_000, 10);
  const t = performance.now();
  return `${(t - answered).toFixed(0)} ms after A answered (${(t - t0).toFixed(0)} ms after the call began)`;
}

describe('two instances on one PostgreSQL', () => {
  it('disable on A: B refuses HLS, HTTP-FLV and RTMP play and closes its FLV and RTMP viewers (NOTIFY)', async (t) => {
    const s = await liveOnB();
    const flv = ffmpegViewer(b.httpUrl(`/live/${s.playbackId}.flv`));
    const rtmp = ffmpegViewer(b.rtmpUrl(s.playbackId));
    procs.push(flv, rtmp);
    await waitFor('viewers on B', () => viewersOf(b, s.playbackId, 'flv') === 1 && viewersOf(b, s.playbackId, 'rtmp') === 1, 20_000);
    const t0 = performance.now();
    const refused = await changeThenB(() => onA('POST', `/streams/${s.id}/disable`), s.playbackId, 404);
    await Promise.all([flv.exited, rtmp.exited]);
    const closedMs = performance.now() - t0;
    assert.equal(await ffprobeOpens(b.httpUrl(`/live/${s.playbackId}.flv`)), false);
    assert.equal(await ffprobeOpens(b.rtmpUrl(s.playbackId)), false);
    t.diagnostic(`B refused HLS ${refused}; its viewers had closed ${closedMs.toFixed(0)} ms after the call began`);
  });

  it('policy to signed and delete on A: B refuses the next requests without a token (NOTIFY)', async (t) => {
    const s = await liveOnB();
    const signed = await changeThenB(() => onA('PATCH', `/streams/${s.id}`, { settings: { playbackPolicy: 'signed' } }), s.playbackId, 403);
    const token = mintPlaybackToken(SECRET, s.playbackId, Math.floor(Date.now() / 1000) + 600);
    assert.equal(await ffprobeOpens(b.httpUrl(`/live/${s.playbackId}.flv`)), false);
    assert.equal(await ffprobeOpens(b.httpUrl(`/live/${s.playbackId}.flv?token=${token}`)), true);
    const deleted = await changeThenB(() => onA('DELETE', `/streams/${s.id}`), s.playbackId, 404);
    t.diagnostic(`B refused ${signed} for the policy change, ${deleted} for the delete`);
  });

  it("a change made while B's LISTEN connection is down reaches B when it listens again (full reload)", async (t) => {
    const s = await liveOnB();
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      const took = await changeThenB(async () => {
        // Cuts every instance's listening connection; the change's NOTIFY finds nobody listening.
        const cut = await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = 'LISTEN onair_playback_directory'`);
        assert.equal(cut.rowCount, 2, 'both instances were listening');
        await admin.query(`UPDATE streams SET playback_policy = 'signed' WHERE id = $1`, [s.id]);
      }, s.playbackId, 403);
      t.diagnostic(`B refused ${took.replace('A answered', 'the change')}`);
    } finally {
      await admin.end();
    }
  });
});

describe('the periodic reload alone (no LISTEN) bounds how late a change arrives', () => {
  it('a change in the database is in the directory within one reload period', async (t) => {
    const logger = createLogger('silent');
    const db = new PostgresDatabase(url);
    const directory = new PlaybackDirectory(logger);
    const sync = new PlaybackDirectorySync(db, directory, logger, { reloadIntervalMs: 500, listen: false });
    try {
      await sync.start();
      const s = await onA<ApiStream>('POST', '/streams', {});
      const t0 = performance.now();
      await waitFor('created stream reloaded', () => directory.get(s.playbackId), 10_000, 10);
      const createdMs = performance.now() - t0;
      await onA('POST', `/streams/${s.id}/disable`);
      const t1 = performance.now();
      await waitFor('disable reloaded', () => directory.get(s.playbackId)?.disabled, 10_000, 10);
      t.diagnostic(`seen ${createdMs.toFixed(0)} ms after creation and ${(performance.now() - t1).toFixed(0)} ms after the disable (period 500 ms)`);
    } finally {
      await sync.close();
      await db.close();
    }
  });
});
