import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mintPlaybackToken, verifyPlaybackToken } from './playback-token.js';
import { appendPlaybackToken } from './playlist-token.js';
import { signPublishQuery, verifyPublishQuery } from './signed-publish-url.js';

const SECRET = 'playback-secret';

describe('playback tokens (JWT HS256)', () => {
  const token = mintPlaybackToken(SECRET, 'pid1', 2000);
  it('valid before exp, refused at and after exp', () => {
    assert.deepEqual(verifyPlaybackToken(SECRET, token, 'pid1', 1999), { ok: true, expSec: 2000 });
    assert.equal(verifyPlaybackToken(SECRET, token, 'pid1', 2000).ok, false);
  });
  it('refused for another playback id, another secret, a tampered payload, alg none, junk', () => {
    assert.equal(verifyPlaybackToken(SECRET, token, 'pid2', 1000).ok, false);
    assert.equal(verifyPlaybackToken('other', token, 'pid1', 1000).ok, false);
    const [h, , s] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ sub: 'pid1', aud: 'onair:playback', exp: 9e9 })).toString('base64url');
    assert.equal(verifyPlaybackToken(SECRET, `${h}.${forged}.${s}`, 'pid1', 1000).ok, false);
    const none = Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url');
    const p = token.split('.')[1];
    assert.equal(verifyPlaybackToken(SECRET, `${none}.${p}.`, 'pid1', 1000).ok, false);
    const noneSigned = createHmac('sha256', SECRET).update(`${none}.${p}`).digest('base64url');
    assert.equal(verifyPlaybackToken(SECRET, `${none}.${p}.${noneSigned}`, 'pid1', 1000).ok, false);
    for (const junk of ['', 'a.b', 'a.b.c.d', '%%%.x.y', 'x'.repeat(5000)]) assert.equal(verifyPlaybackToken(SECRET, junk, 'pid1', 1000).ok, false);
  });
});

describe('appendPlaybackToken', () => {
  it('adds the token to every URI of a (LL-)HLS playlist', () => {
    const pl = [
      '#EXTM3U', '#EXT-X-MAP:URI="init.mp4"', '#EXT-X-PART:DURATION=0.5,URI="part1.mp4?x=1"', '#EXTINF:2.0,', 'seg1.m4s',
      '#EXT-X-PRELOAD-HINT:TYPE=PART,URI="part2.mp4"', '#EXT-X-STREAM-INF:BANDWIDTH=1', 'video/index.m3u8', '',
    ].join('\n');
    const out = appendPlaybackToken(pl, 'a.b.c');
    assert.equal(out, [
      '#EXTM3U', '#EXT-X-MAP:URI="init.mp4?token=a.b.c"', '#EXT-X-PART:DURATION=0.5,URI="part1.mp4?x=1&token=a.b.c"', '#EXTINF:2.0,',
      'seg1.m4s?token=a.b.c', '#EXT-X-PRELOAD-HINT:TYPE=PART,URI="part2.mp4?token=a.b.c"', '#EXT-X-STREAM-INF:BANDWIDTH=1',
      'video/index.m3u8?token=a.b.c', '',
    ].join('\n'));
  });
});

describe('signed publish URLs', () => {
  const q = signPublishQuery('pub', 'live', 'sk_key', 1000);
  it('valid until exp', () => {
    assert.deepEqual(verifyPublishQuery('pub', 'live', 'sk_key', q, 1000), { ok: true });
  });
  it('expired, forged, for another key, malformed', () => {
    assert.equal(verifyPublishQuery('pub', 'live', 'sk_key', q, 1001).ok, false);
    assert.equal(verifyPublishQuery('pub', 'live', 'sk_key', q.replace('exp=1000', 'exp=9999'), 1001).ok, false);
    assert.equal(verifyPublishQuery('pub', 'live', 'sk_other', q, 10).ok, false);
    assert.equal(verifyPublishQuery('wrong', 'live', 'sk_key', q, 10).ok, false);
    for (const bad of ['', 'exp=1000', `exp=x&sig=${'0'.repeat(64)}`, 'exp=1000&sig=zz', `exp=1000&sig=${'0'.repeat(64)}`]) {
      assert.equal(verifyPublishQuery('pub', 'live', 'sk_key', bad, 10).ok, false, bad);
    }
  });
});
