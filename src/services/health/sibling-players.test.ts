import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SiblingPlayers, type PlayerCounts } from './sibling-players.js';
import { SIBLING_AUDIENCE_TTL_MS } from './limits.js';

const counts = (): PlayerCounts => ({ rtmp: 0, flv: 0 });

test('the sibling workers\' latest reports are summed per stream, each replacing its worker\'s previous one', () => {
  const p = new SiblingPlayers();
  p.add(2, 'live/a', { rtmp: 3, flv: 1, bytes: 1000 }, 0);
  p.add(3, 'live/a', { rtmp: 1, flv: 2, bytes: 500 }, 0);
  p.add(2, 'live/b', { rtmp: 7, flv: 0, bytes: 9 }, 0);
  assert.deepEqual(p.sum('live/a', 100, counts()), { rtmp: 4, flv: 3 });
  p.add(2, 'live/a', { rtmp: 1, flv: 0, bytes: 1500 }, 500);
  assert.deepEqual(p.sum('live/a', 600, counts()), { rtmp: 2, flv: 2 });
  assert.equal(p.bytes('live/a'), 2000);
  assert.deepEqual(p.sum('live/none', 600, counts()), { rtmp: 0, flv: 0 });
});

test('a sibling that stops reporting is dropped after the TTL; the bytes it sent stay, and a restarted count is carried', () => {
  const p = new SiblingPlayers();
  p.add(2, 'live/a', { rtmp: 2, flv: 2, bytes: 800 }, 0);
  p.add(3, 'live/a', { rtmp: 1, flv: 0, bytes: 100 }, 0);
  p.add(3, 'live/a', { rtmp: 1, flv: 0, bytes: 150 }, SIBLING_AUDIENCE_TTL_MS);
  assert.deepEqual(p.sum('live/a', SIBLING_AUDIENCE_TTL_MS, counts()), { rtmp: 3, flv: 2 }, 'both reports live at the TTL');
  assert.deepEqual(p.sum('live/a', SIBLING_AUDIENCE_TTL_MS + 1, counts()), { rtmp: 1, flv: 0 }, 'worker 2 expired');
  assert.equal(p.bytes('live/a'), 950);
  // Worker 3's pull ended and began again: its count starts over.
  p.add(3, 'live/a', { rtmp: 1, flv: 1, bytes: 40 }, SIBLING_AUDIENCE_TTL_MS + 2);
  assert.equal(p.bytes('live/a'), 800 + 150 + 40);
  p.forget('live/a');
  assert.equal(p.bytes('live/a'), 0);
  assert.deepEqual([...p.paths()], []);
});

test('sum fills the caller\'s object (no allocation per stream per round)', () => {
  const p = new SiblingPlayers();
  p.add(2, 'live/a', { rtmp: 1, flv: 1, bytes: 1 }, 0);
  const into = counts();
  assert.equal(p.sum('live/a', 0, into), into);
});
