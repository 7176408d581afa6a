import { describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../../core/logger.js';
import { PlaybackDirectory } from '../streams/playback-directory.js';
import { playbackEntry, type PlaybackEntry } from '../streams/playback-entry.js';
import type { PlayAuthRequest } from './auth-types.js';
import { ConfiguredPlayAuthorizer } from './play-authorizer.js';
import { mintPlaybackToken, verifyPlaybackToken } from './playback-token.js';
import { PlaybackTokenCache } from './playback-token-cache.js';

const logger = createLogger('silent');
const SECRET = 'playback-secret';
const NOW = 1_800_000_000;

function setup(opts: { namedStreams?: boolean } = {}) {
  const directory = new PlaybackDirectory(logger);
  let now = NOW;
  let verifications = 0;
  const auth = new ConfiguredPlayAuthorizer({
    directory, playbackSecret: SECRET, namedStreams: opts.namedStreams ?? false, logger, nowSec: () => now,
    verifyToken: (...args) => (verifications++, verifyPlaybackToken(...args)),
  });
  const put = (playbackId: string, over: Partial<PlaybackEntry> = {}): void => {
    const current = directory.get(playbackId);
    const next = playbackEntry({ playbackId, streamId: `str_${playbackId}`, playbackPolicy: 'public', disabled: false, updatedAtMs: 1, ...current, ...over });
    directory.merge(directory.readMark(), [next], [playbackId]);
  };
  return {
    directory, auth, put,
    drop: (playbackId: string) => directory.merge(directory.readMark(), [], [playbackId]),
    verifications: () => verifications,
    setNow: (sec: number) => (now = sec),
  };
}

const req = (name: string, query = '', protocol: PlayAuthRequest['protocol'] = 'hls'): PlayAuthRequest => ({ app: 'live', name, query, clientIp: '192.0.2.9', protocol });

describe('ConfiguredPlayAuthorizer.decide (from the directory)', () => {
  it('unknown ids, keys and junk are refused; a known public id plays; a disabled one is refused', () => {
    const { auth, put } = setup();
    put('pid1', { streamId: 'str_1' });
    assert.deepEqual(auth.decide(req('nope')), { ok: false, code: 'not_found', reason: 'no stream with this playback id' });
    assert.equal(auth.decide(req('../x')).ok, false);
    assert.deepEqual(auth.decide(req('pid1')), { ok: true, streamPath: 'live/pid1', streamId: 'str_1', playbackId: 'pid1' });
    assert.deepEqual(auth.decide(req('PID1/720p')), { ok: true, streamPath: 'live/pid1/720p', streamId: 'str_1', playbackId: 'pid1' }, 'a rendition: same policy as the source');
    put('pid1', { disabled: true });
    assert.deepEqual(auth.decide(req('pid1')), { ok: false, code: 'not_found', reason: 'stream is disabled' });
  });

  it('named streams (open or callback mode): a name that is no playback id plays by its name; an API stream keeps its policy', () => {
    const { auth, put } = setup({ namedStreams: true });
    put('pid1', { playbackPolicy: 'signed' });
    assert.deepEqual(auth.decide(req('anything')), { ok: true, streamPath: 'live/anything' });
    assert.equal(auth.decide(req('pid1')).ok, false);
  });

  it('a signed stream: a token is verified once, then answered from the cache until it expires', async () => {
    const { auth, put, verifications, setNow } = setup();
    put('pid1', { playbackPolicy: 'signed' });
    const token = mintPlaybackToken(SECRET, 'pid1', NOW + 60);
    assert.deepEqual(auth.decide(req('pid1')), { ok: false, code: 'unauthorized', reason: 'token missing or too long' });
    const before = verifications();
    for (let i = 0; i < 100; i++) {
      const d = auth.decide(req(i % 2 ? 'pid1' : 'pid1/480p', `token=${token}&_HLS_msn=${i}`));
      assert.equal(d.ok && d.expiresAtSec, NOW + 60);
    }
    assert.equal(verifications() - before, 1, 'one HMAC for 100 requests');
    assert.equal(auth.decide(req('pid1', 'token=a.b.c')).ok, false);
    assert.equal(auth.decide(req('pid1', 'token=a.b.c')).ok, false);
    assert.equal(verifications() - before, 3, 'a bad token is never cached');
    setNow(NOW + 60);
    assert.deepEqual(auth.decide(req('pid1', `token=${token}`)), { ok: false, code: 'unauthorized', reason: 'token expired' });
  });

  it('a cached token is checked again after its stream changes, and never serves another playback id', () => {
    const { auth, put, drop, verifications } = setup();
    put('pid1', { playbackPolicy: 'signed' });
    put('pid2', { playbackPolicy: 'signed' });
    const token = mintPlaybackToken(SECRET, 'pid1', NOW + 60);
    assert.equal(auth.decide(req('pid1', `token=${token}`)).ok, true);
    assert.equal(auth.decide(req('pid2', `token=${token}`)).ok, false, 'the cache is keyed by token and playback id');
    put('pid1', { updatedAtMs: 2 }); // e.g. a key reset or a settings change
    assert.equal(auth.decide(req('pid1', `token=${token}`)).ok, true);
    assert.equal(verifications(), 3);
    drop('pid1');
    assert.equal(auth.decide(req('pid1', `token=${token}`)).ok, false, 'deleted');
  });
});

describe('ConfiguredPlayAuthorizer.decide: remembered allows', () => {
  it('a viewer\'s repeated requests are answered without a directory lookup, whatever their _HLS_ parameters', () => {
    const { auth, put, directory } = setup();
    put('pid1');
    const get = mock.method(directory, 'get');
    for (let i = 0; i < 50; i++) assert.equal(auth.decide(req('pid1', `_HLS_msn=${i}&_HLS_part=1`)).ok, true);
    assert.equal(get.mock.callCount(), 1, 'decided once, remembered for the rest');
    assert.equal(auth.decide(req('pid2')).ok, false);
    assert.equal(auth.decide(req('pid2')).ok, false);
    assert.equal(get.mock.callCount(), 3, 'refusals are evaluated every time');
  });

  it('a remembered allow turns into a refusal right after any directory change: disable, delete, policy, key reset, via API or database sync', () => {
    const { auth, put, drop, directory, setNow } = setup();
    // This process's API writes a stream record (StreamService: put/remove); only the fields the entry reads.
    const apiPut = (over: { status?: string; streamKey?: string } = {}) => directory.put({
      id: 'str_pid1', playbackId: 'pid1', status: 'idle', settings: { playbackPolicy: 'public' }, updatedAt: new Date(1), streamKey: 'key-1', ...over,
    } as unknown as Parameters<PlaybackDirectory['put']>[0]);
    // Through the database sync (LISTEN / reload): merge.
    put('pid1');
    assert.equal(auth.decide(req('pid1')).ok, true);
    assert.equal(auth.decide(req('pid1')).ok, true);
    put('pid1', { disabled: true });
    assert.deepEqual(auth.decide(req('pid1')), { ok: false, code: 'not_found', reason: 'stream is disabled' });
    put('pid1', { disabled: false });
    assert.equal(auth.decide(req('pid1')).ok, true);
    put('pid1', { playbackPolicy: 'signed' });
    assert.equal(auth.decide(req('pid1')).ok, false, 'switched to signed: a token is needed');
    const token = mintPlaybackToken(SECRET, 'pid1', NOW + 60);
    assert.equal(auth.decide(req('pid1', `token=${token}`)).ok, true);
    assert.equal(auth.decide(req('pid1', `token=${token}&_HLS_msn=3`)).ok, true);
    assert.equal(auth.decide(req('pid1', 'token=other')).ok, false, 'the token is part of the key');
    setNow(NOW + 60);
    assert.deepEqual(auth.decide(req('pid1', `token=${token}`)), { ok: false, code: 'unauthorized', reason: 'token expired' }, 'a remembered allow ends at its token\'s expiry');
    setNow(NOW);
    put('pid1', { playbackPolicy: 'public' });
    assert.equal(auth.decide(req('pid1')).ok, true);
    drop('pid1');
    assert.deepEqual(auth.decide(req('pid1')), { ok: false, code: 'not_found', reason: 'no stream with this playback id' }, 'deleted');
    // Through this process's API (put/remove).
    apiPut();
    assert.equal(auth.decide(req('pid1')).ok, true);
    apiPut({ status: 'disabled' });
    assert.equal(auth.decide(req('pid1')).ok, false, 'disabled through the API');
    apiPut();
    assert.equal(auth.decide(req('pid1')).ok, true);
    const version = directory.version;
    apiPut({ streamKey: 'key-2' });
    assert.ok(directory.version > version, 'a key reset is a change of the directory');
    directory.remove('pid1');
    assert.equal(auth.decide(req('pid1')).ok, false, 'deleted through the API');
  });

  it('an allow for a name that is no playback id (open mode) ends when a stream takes that id', () => {
    const { auth, put } = setup({ namedStreams: true });
    assert.deepEqual(auth.decide(req('cam')), { ok: true, streamPath: 'live/cam' });
    put('cam', { playbackPolicy: 'signed' });
    assert.equal(auth.decide(req('cam')).ok, false);
  });

  it('a request too long for the name checks is refused even when its name and token were allowed', () => {
    const { auth, put } = setup();
    put('pid1');
    assert.equal(auth.decide(req('pid1')).ok, true);
    assert.deepEqual(auth.decide(req('pid1', `x=${'a'.repeat(2000)}`)), { ok: false, code: 'bad_name', reason: 'name too long' });
  });
});

describe('PlaybackTokenCache', () => {
  it('is a bounded LRU: the least recently used token goes first', () => {
    const c = new PlaybackTokenCache(2);
    const owner = {};
    c.set('t1', 'p', owner, 100);
    c.set('t2', 'p', owner, 100);
    assert.equal(c.get('t1', 'p', owner, 0), 100); // t1 is now the most recent
    c.set('t3', 'p', owner, 100);
    assert.equal(c.size, 2);
    assert.equal(c.get('t2', 'p', owner, 0), undefined);
    assert.equal(c.get('t1', 'p', owner, 0), 100);
    assert.equal(c.get('t1', 'p', {}, 0), undefined, 'another entry: a miss, and forgotten');
    assert.equal(c.get('t1', 'p', owner, 0), undefined);
  });
});

describe('watchPlay: a connected viewer ends when its authorisation lapses', () => {
  const wait = () => new Promise<void>((r) => queueMicrotask(r));

  it('closes at the token expiry (timer), and not before', async () => {
    mock.timers.enable({ apis: ['setTimeout', 'Date'], now: NOW * 1000 });
    try {
      const { auth, put, setNow } = setup();
      put('pid1', { playbackPolicy: 'signed' });
      const token = mintPlaybackToken(SECRET, 'pid1', NOW + 30);
      const reasons: string[] = [];
      auth.watchPlay(req('pid1', `token=${token}`, 'flv'), (r) => reasons.push(r));
      await wait();
      setNow(NOW + 29);
      mock.timers.tick(29_999);
      assert.deepEqual(reasons, []);
      setNow(NOW + 30);
      mock.timers.tick(1);
      assert.deepEqual(reasons, ['play no longer authorised: token expired']);
    } finally {
      mock.timers.reset();
    }
  });

  it('disable, delete or a switch to signed closes at once; viewers with a good token stay; stop() ends the watch', async () => {
    const { auth, put, drop } = setup();
    put('pid1');
    const token = mintPlaybackToken(SECRET, 'pid1', NOW + 3600);
    const closed: Record<string, string[]> = { anon: [], withToken: [], stopped: [] };
    auth.watchPlay(req('pid1', '', 'flv'), (r) => closed.anon!.push(r));
    auth.watchPlay(req('pid1', `token=${token}`, 'rtmp'), (r) => closed.withToken!.push(r));
    const stop = auth.watchPlay(req('pid1', '', 'ws-flv'), (r) => closed.stopped!.push(r));
    await wait();
    stop();
    put('pid1', { playbackPolicy: 'signed' });
    assert.deepEqual(closed, { anon: ['play no longer authorised: token missing or too long'], withToken: [], stopped: [] });
    put('pid1', { disabled: true });
    assert.deepEqual(closed.withToken, ['play no longer authorised: stream is disabled']);
    const late: string[] = [];
    put('pid1', { disabled: false });
    auth.watchPlay(req('pid1', `token=${token}`, 'flv'), (r) => late.push(r));
    drop('pid1'); // before the first check ran: still caught
    await wait();
    assert.deepEqual(late, ['play no longer authorised: no stream with this playback id']);
  });
});

describe('ConfiguredPlayAuthorizer.decideRecorded (a recording, from the directory)', () => {
  const recorded = (playbackId: string | null, recordedPolicy: 'public' | 'signed', query = '', asset: object = {}) =>
    ({ playbackId, recordedPolicy, query, clientIp: '192.0.2.9', asset });

  it("while its stream exists, the stream's current entry decides: policy, disabled; named streams grant nothing", () => {
    const { auth, put } = setup({ namedStreams: true });
    put('pid1');
    assert.deepEqual(auth.decideRecorded(recorded('pid1', 'signed')), { ok: true }, 'stream now public: the recording plays');
    put('pid1', { playbackPolicy: 'signed' });
    assert.equal(auth.decideRecorded(recorded('pid1', 'public')).ok, false, 'stream now signed: a token is needed');
    const token = mintPlaybackToken(SECRET, 'pid1', NOW + 60);
    assert.deepEqual(auth.decideRecorded(recorded('pid1', 'public', `token=${token}`)), { ok: true, expiresAtSec: NOW + 60 });
    assert.equal(auth.decideRecorded(recorded('pid1', 'public', `token=${mintPlaybackToken(SECRET, 'other', NOW + 60)}`)).ok, false, 'a token of another id');
    put('pid1', { playbackPolicy: 'public', disabled: true });
    assert.deepEqual(auth.decideRecorded(recorded('pid1', 'public')), { ok: false, code: 'not_found', reason: 'stream is disabled' });
  });

  it('once the stream is gone, the policy it had when recorded; a good token is verified once per asset', () => {
    const { auth, verifications, setNow } = setup({ namedStreams: true });
    assert.deepEqual(auth.decideRecorded(recorded('gone', 'public')), { ok: true });
    assert.deepEqual(auth.decideRecorded(recorded('gone', 'signed')), { ok: false, code: 'unauthorized', reason: 'token missing or too long' });
    assert.equal(auth.decideRecorded(recorded(null, 'signed', 'token=x')).ok, false, 'no playback id: nothing can sign for it');
    const asset = {};
    const token = mintPlaybackToken(SECRET, 'gone', NOW + 60);
    const before = verifications();
    for (let i = 0; i < 5; i++) assert.deepEqual(auth.decideRecorded(recorded('gone', 'signed', `token=${token}`, asset)), { ok: true, expiresAtSec: NOW + 60 });
    assert.equal(verifications() - before, 1, 'one HMAC for five requests');
    setNow(NOW + 60);
    assert.equal(auth.decideRecorded(recorded('gone', 'signed', `token=${token}`, asset)).ok, false, 'expired');
  });
});
