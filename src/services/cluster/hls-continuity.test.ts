import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatPosition, parsePosition } from './hls-continuity.js';

const position = {
  msn: 41, discontinuity: 2, endPdt: 1_700_000_041_000,
  trackEnds: [{ trackId: 1, timescale: 90_000, dts: 3_690_000 }, { trackId: 2, timescale: 48_000, dts: 1_968_128 }],
};

test('a playlist position with its track ends goes through the store value and back', () => {
  const value = formatPosition('insta', position);
  assert.equal(value, 'insta 41 2 1700000041000 1:90000:3690000 2:48000:1968128');
  assert.deepEqual(parsePosition(value), position);
});

test('a value without track ends (written by an older version) is still a position', () => {
  assert.deepEqual(parsePosition('insta 41 2 1700000041000'), { msn: 41, discontinuity: 2, endPdt: 1_700_000_041_000 });
  assert.equal(formatPosition('insta', { msn: 41, discontinuity: 2, endPdt: 1_700_000_041_000 }), 'insta 41 2 1700000041000');
});

test('a malformed or oversized value is no position', () => {
  for (const bad of [
    'insta 41 2 1700000041000 1:90000', 'insta 41 2 1700000041000 1:0:5', 'insta 41 2 1700000041000 1:90000:5 ',
    'insta 41 2 1700000041000 1:90000:-5', 'insta 41 2 1700000041000 1:90000:5;DROP', `insta 41 2 1 ${'1:90000:5 '.repeat(4)}1:90000:5`,
    'insta 41 2 1700000041000 1:90000:1234567890123456', `insta 41 2 1700000041000 ${'9'.repeat(200)}`,
  ]) assert.equal(parsePosition(bad), undefined, bad);
});
