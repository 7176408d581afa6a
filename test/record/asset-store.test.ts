/** The assets table's SQL on both databases OnAir runs on: embedded PGlite and a real PostgreSQL. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase } from '../../src/db/open-database.js';
import type { Database } from '../../src/db/database.js';
import { SessionStore } from '../../src/services/streams/session-store.js';
import { StreamStore } from '../../src/services/streams/stream-store.js';
import { AssetStore } from '../../src/services/recording/asset-store.js';
import { freshPostgresDatabase } from '../support/api-harness.js';
import { startTestPostgres } from '../support/postgres.js';
import { openTemplateDatabase } from '../../support/embedded-db-template.js';

let pg: { url: string; stop(): Promise<void> };
before(async () => {
  pg = await startTestPostgres();
});
after(async () => pg.stop());

const t = (s: number): Date => new Date(Date.UTC(2026, 0, 1, 12, 0, s));
const id = (n: number): string => `ast_${String(n).padStart(20, 'a').replace(/[0-9]/g, (d) => 'abcdefghij'[Number(d)]!)}`;

for (const [label, open] of [
  ['PGlite', async () => openTemplateDatabase()],
  ['PostgreSQL', async () => openDatabase({ databaseUrl: await freshPostgresDatabase(pg.url), dataDir: '' })],
] as const) {
  describe(`assets (${label})`, () => {
    let db: Database;
    before(async () => {
      db = await open();
    });
    after(async () => db?.close());

    it('insert, keyset pages, filters, tracks, finish with the overlapping sessions, delete; stream deletion keeps the asset', async () => {
      const streams = new StreamStore(db);
      const stream = await streams.insert({
        id: 'str_aaaaaaaaaaaaaaaaaaaa', name: 's', streamKey: 'sk_x', keyHash: 'h', playbackId: 'pbid',
        settings: { latencyMode: 'low', reconnectWindowSec: 60, ladder: [], record: true, playbackPolicy: 'signed', passthrough: null }, now: t(0),
      });
      const sessions = new SessionStore(db);
      await sessions.insert({ id: 'ses_before', streamId: stream.id, streamPath: 'live/pbid', protocol: 'rtmp', remoteAddress: 'x', startedAt: t(1) });
      await sessions.end('ses_before', t(5), 'eof', 10);
      await sessions.insert({ id: 'ses_inside', streamId: stream.id, streamPath: 'live/pbid', protocol: 'rtmp', remoteAddress: 'x', startedAt: t(20) });
      await sessions.insert({ id: 'ses_after', streamId: stream.id, streamPath: 'live/pbid', protocol: 'rtmp', remoteAddress: 'x', startedAt: t(50) });
      const store = new AssetStore(db);
      for (let n = 1; n <= 5; n++) {
        await store.insert({ id: id(n), streamId: n === 5 ? null : stream.id, streamPath: 'live/pbid', playbackId: 'pbid', playbackPolicy: 'signed', status: 'recording', storagePath: id(n), now: t(10 + n) });
      }
      const first = (await store.list({}, 2))!;
      assert.deepEqual(first.items.map((a) => a.id), [id(5), id(4)]);
      const second = (await store.list({}, 2, first.nextCursor!))!;
      const third = (await store.list({}, 2, second.nextCursor!))!;
      assert.deepEqual([...second.items, ...third.items].map((a) => a.id), [id(3), id(2), id(1)]);
      assert.equal(third.nextCursor, null);
      assert.equal((await store.list({ streamId: stream.id }, 10))!.items.length, 4);
      assert.equal(await store.list({}, 10, 'garbage'), null);

      await store.setTracks(id(1), [{ kind: 'video', codec: 'avc1', width: 640, height: 360 }], t(12));
      const done = (await store.finish(id(1), { status: 'ready', endedAt: t(30), durationMs: 18_000, sizeBytes: 5_000_000_000, gaps: 1, gapMs: 250, endReason: 'publisher_left', error: null }))!;
      assert.deepEqual(done.sessionIds, ['ses_inside'], 'sessions overlapping [started, ended]');
      assert.equal(done.sizeBytes, 5_000_000_000, 'bigint sizes survive');
      assert.deepEqual(done.tracks, [{ kind: 'video', codec: 'avc1', width: 640, height: 360 }]);
      assert.equal(await store.finish(id(1), { status: 'failed', endedAt: t(40), durationMs: 0, sizeBytes: 0, gaps: 0, gapMs: 0, endReason: 'x', error: 'x' }), null, 'only a recording ends');
      assert.deepEqual((await store.listRecording()).map((a) => a.id), [id(2), id(3), id(4), id(5)]);
      assert.equal((await store.list({ status: 'ready' }, 10))!.items.length, 1);

      assert.equal((await store.markDeleted(id(2), t(60)))!.status, 'deleted');
      await streams.delete(stream.id);
      const kept = (await store.get(id(1)))!;
      assert.equal(kept.streamId, null);
      assert.equal(kept.playbackId, 'pbid');
      assert.equal(kept.playbackPolicy, 'signed');
    });
  });
}
