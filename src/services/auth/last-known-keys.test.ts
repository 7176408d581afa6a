import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OnAirError, isOnAirError } from '../../core/errors.js';
import { createLogger } from '../../core/logger.js';
import { PlaybackDirectory } from '../streams/playback-directory.js';
import type { StreamRecord } from '../streams/stream-types.js';
import { LastKnownKeys } from './last-known-keys.js';

const log = createLogger('silent');

function stream(id: string, key: string, over: Partial<StreamRecord> = {}): StreamRecord {
  return {
    id, name: id, streamKey: key, playbackId: `pb_${id}`, status: 'idle', createdAt: new Date(0), updatedAt: new Date(1000),
    settings: { playbackPolicy: 'public' } as StreamRecord['settings'], ...over,
  };
}

/** StreamService's lookups over a map, and a switch that makes them fail like an unreachable PostgreSQL. */
function lookups(rows: StreamRecord[]) {
  const state = { down: false, hang: false };
  const check = () => {
    if (state.down) throw new OnAirError('ONAIR_ERR_UNAVAILABLE', 'database unavailable: test');
  };
  return {
    state,
    findByKey: async (key: string) => {
      if (state.hang) return new Promise<never>(() => {});
      check();
      return rows.find((r) => r.streamKey === key) ?? null;
    },
    getByPlaybackId: async (id: string) => {
      check();
      return rows.find((r) => r.playbackId === id) ?? null;
    },
  };
}

test('during an outage any key the directory holds is accepted with its stream\'s settings, on a node that never saw it; a key no stream had is refused as unavailable', async () => {
  const a = stream('a', 'sk_a');
  const b = stream('b', 'sk_b', { settings: { playbackPolicy: 'public', record: true, reconnectWindowSec: 7 } as StreamRecord['settings'] });
  const dir = new PlaybackDirectory(log);
  dir.put(a);
  dir.put(b);
  const db = lookups([a, b]);
  const keys = new LastKnownKeys(db, dir, log);
  assert.equal((await keys.findByKey('sk_a'))?.id, 'a');
  db.state.down = true;
  assert.equal((await keys.findByKey('sk_a'))?.id, 'a');
  const fromDirectory = await keys.findByKey('sk_b'); // never looked up here
  assert.deepEqual(fromDirectory, b, 'the whole record, its settings and the key the encoder sent');
  await assert.rejects(keys.findByKey('sk_nobody'), (e) => isOnAirError(e, 'ONAIR_ERR_UNAVAILABLE'));
});

test('the directory holds no key: what it keeps of a stream is the key\'s hash', () => {
  const dir = new PlaybackDirectory(log);
  dir.put(stream('a', 'sk_secret_a'));
  assert.ok(!JSON.stringify(dir.get('pb_a')).includes('sk_secret_a'));
});

test('the last-known directory state wins: a reset key, a deleted stream and a disabled stream', async () => {
  const [a, b, c] = [stream('a', 'sk_a'), stream('b', 'sk_b'), stream('c', 'sk_c')];
  const dir = new PlaybackDirectory(log);
  for (const s of [a, b, c]) dir.put(s);
  const db = lookups([a, b, c]);
  const keys = new LastKnownKeys(db, dir, log);
  for (const k of ['sk_a', 'sk_b', 'sk_c']) await keys.findByKey(k);
  dir.put({ ...a, streamKey: 'sk_a2', updatedAt: new Date(2000) }); // key reset (heard through LISTEN)
  dir.remove(b.playbackId); // deleted
  dir.put({ ...c, status: 'disabled', updatedAt: new Date(2000) });
  db.state.down = true;
  await assert.rejects(keys.findByKey('sk_a'), (e) => isOnAirError(e, 'ONAIR_ERR_UNAVAILABLE'));
  await assert.rejects(keys.findByKey('sk_b'), (e) => isOnAirError(e, 'ONAIR_ERR_UNAVAILABLE'));
  assert.equal((await keys.findByKey('sk_c'))?.status, 'disabled');
});

test('a lookup that does not answer in time counts as unavailable (bounded), and other errors pass through', async () => {
  const a = stream('a', 'sk_a');
  const dir = new PlaybackDirectory(log);
  dir.put(a);
  const db = lookups([a]);
  const keys = new LastKnownKeys(db, dir, log, { timeoutMs: 20 });
  await keys.findByKey('sk_a');
  db.state.hang = true;
  assert.equal((await keys.findByKey('sk_a'))?.id, 'a');
  await assert.rejects(keys.findByKey('sk_other'), (e) => isOnAirError(e, 'ONAIR_ERR_UNAVAILABLE'));
  const broken = new LastKnownKeys({ findByKey: async () => { throw new Error('syntax error'); }, getByPlaybackId: async () => null }, dir, log);
  await assert.rejects(broken.findByKey('sk_a'), /syntax error/);
});

test('open mode during an outage: a name the directory does not hold is no API stream', async () => {
  const a = stream('a', 'sk_a');
  const dir = new PlaybackDirectory(log);
  dir.put(a);
  const db = lookups([a]);
  db.state.down = true;
  const keys = new LastKnownKeys(db, dir, log);
  assert.equal(await keys.getByPlaybackId('pb_unknown'), null);
  await assert.rejects(keys.getByPlaybackId('pb_a'), (e) => isOnAirError(e, 'ONAIR_ERR_UNAVAILABLE'));
});
