import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase } from '../../src/db/open-database.js';
import type { Database } from '../../src/db/database.js';
import { freshPostgresDatabase } from '../support/api-harness.js';
import { startTestPostgres } from '../support/postgres.js';
import { SessionStore } from '../../src/services/streams/session-store.js';
import { openTemplateDatabase } from '../../support/embedded-db-template.js';

let pg: { url: string; stop(): Promise<void> };
before(async () => {
  pg = await startTestPostgres();
});
after(async () => pg.stop());

for (const [label, open] of [
  ['PGlite', () => openTemplateDatabase()],
  ['PostgreSQL', async () => openDatabase({ databaseUrl: await freshPostgresDatabase(pg.url), dataDir: '' })],
] as const) {
  describe(`live session progress (${label})`, () => {
    let db: Database;
    before(async () => {
      db = await open();
    });
    after(async () => db.close());

    it('recordBytesIn writes the live sessions of a batch in one statement, and leaves ended ones alone', async () => {
      const store = new SessionStore(db);
      const at = new Date();
      for (const id of ['ses_a', 'ses_b', 'ses_c']) await store.insert({ id, streamId: null, streamPath: `live/${id}`, protocol: 'rtmp', remoteAddress: '192.0.2.1', startedAt: at });
      await store.end('ses_c', at, 'eof', 7);
      await store.recordBytesIn([{ id: 'ses_a', bytesIn: 1_000 }, { id: 'ses_b', bytesIn: 5_000_000_000 }, { id: 'ses_c', bytesIn: 99 }]);
      assert.equal((await store.get('ses_a'))!.bytesIn, 1_000);
      assert.equal((await store.get('ses_b'))!.bytesIn, 5_000_000_000, 'past 32 bits');
      assert.equal((await store.get('ses_c'))!.bytesIn, 7, 'an ended session keeps its final count');
      await store.recordBytesIn([]);
    });
  });
}
