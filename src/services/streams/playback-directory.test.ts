import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../../core/logger.js';
import { openTemplateDatabase } from '../../db/testing/template-database.js';
import type { Database } from '../../db/database.js';
import { NULL_EVENT_PUBLISHER } from './stream-events.js';
import { StreamService } from './stream-service.js';
import { PlaybackDirectory } from './playback-directory.js';
import { PlaybackDirectorySync } from './playback-directory-sync.js';
import { PlaybackDirectoryStore } from './playback-directory-store.js';
import { playbackEntry, type PlaybackEntry } from './playback-entry.js';
import { sha256Hex } from '../random-ids.js';

const logger = createLogger('silent');
/** A change announced by the database: bounded, so a lost notification fails the test instead of hanging it. */
const changeOf = (d: PlaybackDirectory, playbackId: string): Promise<void> => new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error(`no change of ${playbackId} within 10 s`)), 10_000);
  const off = d.onChange(playbackId, () => {
    clearTimeout(timer);
    off();
    resolve();
  });
});
const entry = (playbackId: string, over: Partial<PlaybackEntry> = {}): PlaybackEntry =>
  playbackEntry({ playbackId, streamId: `str_${playbackId}`, playbackPolicy: 'public', disabled: false, updatedAtMs: 1, ...over });

describe('PlaybackDirectory in memory', () => {
  it('merge: a full read replaces, adds and removes; an unchanged entry keeps its object and tells nobody', () => {
    const d = new PlaybackDirectory(logger);
    d.merge(d.readMark(), [entry('a'), entry('b')]);
    const a = d.get('a');
    let told = 0;
    d.onChange('a', () => told++);
    d.onChange('b', () => told++);
    d.merge(d.readMark(), [entry('a'), entry('c')]);
    assert.equal(d.get('a'), a, 'same values: the same object (cached tokens stay valid)');
    assert.equal(d.get('b'), undefined);
    assert.ok(d.get('c'));
    assert.equal(told, 1, 'only b changed');
    d.merge(d.readMark(), [entry('a', { playbackPolicy: 'signed' })], ['a']);
    assert.equal(d.get('a')?.playbackPolicy, 'signed');
    assert.ok(d.get('c'), 'a partial read leaves ids it did not cover');
    assert.equal(told, 2);
  });

  it('a read that began before one of our own writes does not undo it', () => {
    const d = new PlaybackDirectory(logger);
    d.merge(d.readMark(), [entry('a')]);
    const mark = d.readMark(); // a read starts...
    d.remove('a'); // ...this process deletes the stream meanwhile...
    d.merge(mark, [entry('a')], ['a']); // ...and the read, from before the delete, still has it
    assert.equal(d.get('a'), undefined);
    const next = d.readMark(); // the notification of the delete re-reads it later
    d.merge(next, [], ['a']);
    assert.equal(d.get('a'), undefined);
    d.merge(d.readMark(), [entry('a', { updatedAtMs: 2 })], ['a']);
    assert.equal(d.get('a')?.updatedAtMs, 2, 'later reads apply again');
  });

  it('a throwing listener is logged and the others still run; unsubscribe stops the calls', () => {
    const d = new PlaybackDirectory(logger);
    let calls = 0;
    d.onChange('a', () => {
      throw new Error('boom');
    });
    const off = d.onChange('a', () => calls++);
    d.merge(d.readMark(), [entry('a')]);
    assert.equal(calls, 1);
    off();
    d.merge(d.readMark(), []);
    assert.equal(calls, 1);
  });
});

describe('PlaybackDirectory kept by the StreamService and the database (PGlite)', () => {
  let db: Database;
  let directory: PlaybackDirectory;
  let sync: PlaybackDirectorySync;
  let streams: StreamService;
  before(async () => {
    db = await openTemplateDatabase();
    const service = new StreamService({ db, logger, events: NULL_EVENT_PUBLISHER, kickPublisher: () => false, defaultReconnectWindowSec: 60, defaultLatencyMode: 'low' });
    await service.create({ name: 'before start' });
    directory = new PlaybackDirectory(logger);
    sync = new PlaybackDirectorySync(db, directory, logger, { reloadIntervalMs: Infinity });
    await sync.start();
    streams = new StreamService({ db, logger, events: NULL_EVENT_PUBLISHER, kickPublisher: () => false, defaultReconnectWindowSec: 60, defaultLatencyMode: 'low', directory });
  });
  after(async () => {
    await sync.close();
    await db.close();
  });

  it('loads the streams that exist at start', () => {
    assert.equal(directory.size, 1);
  });

  it('every change through the service is in the directory when the call returns', async () => {
    const s = await streams.create({ name: 'x' });
    assert.deepEqual(directory.get(s.playbackId), {
      playbackId: s.playbackId, streamId: s.id, playbackPolicy: 'public', disabled: false, streamPath: `live/${s.playbackId}`, updatedAtMs: s.updatedAt.getTime(),
      keyHash: sha256Hex(s.streamKey), stream: (({ streamKey: _key, ...rest }) => rest)(s),
    });
    const fromDatabase = (await new PlaybackDirectoryStore(db).byPlaybackIds([s.playbackId]))[0];
    assert.deepEqual(fromDatabase, directory.get(s.playbackId), 'a database read gives the entry the service put');
    await streams.update(s.id, { settings: { playbackPolicy: 'signed' } });
    assert.equal(directory.get(s.playbackId)?.playbackPolicy, 'signed');
    await streams.disable(s.id);
    assert.equal(directory.get(s.playbackId)?.disabled, true);
    await streams.enable(s.id);
    assert.equal(directory.get(s.playbackId)?.disabled, false);
    const before = directory.get(s.playbackId);
    await streams.resetKey(s.id);
    assert.notEqual(directory.get(s.playbackId), before, 'a key reset is a new entry (cached tokens are checked again)');
    assert.notEqual(directory.get(s.playbackId)?.keyHash, before?.keyHash, 'with the new key\'s hash (publishes during a database outage)');
    await streams.delete(s.id);
    assert.equal(directory.get(s.playbackId), undefined);
  });

  it('a change made in SQL outside the service arrives through the NOTIFY trigger', async () => {
    const s = await streams.create({ name: 'sql' });
    const changed = changeOf(directory, s.playbackId);
    await db.query(`UPDATE streams SET playback_policy = 'signed' WHERE id = $1`, [s.id]);
    await changed;
    assert.equal(directory.get(s.playbackId)?.playbackPolicy, 'signed');
    const gone = changeOf(directory, s.playbackId);
    await db.query('DELETE FROM streams WHERE id = $1', [s.id]);
    await gone;
    assert.equal(directory.get(s.playbackId), undefined);
  });
});
