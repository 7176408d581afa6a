import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { StreamHub } from './stream-hub.js';
import { RecordingSink, packet } from './testing/hub-fixtures.js';

const log = pino({ level: 'silent' });
const info = { protocol: 'test', remoteAddress: '127.0.0.1' };

test('a subscriber may bring its own budget and slow timeout; the others keep the hub defaults', () => {
  const hub = new StreamHub({ gop: { maxBytes: 1 << 20, maxMs: 10_000 }, subscriber: { budgetBytes: 1 << 20, slowTimeoutMs: 60_000 }, takeover: 'takeover' }, log);
  const pub = hub.publish('live/l', info);
  pub.push(packet('video', 0, { keyframe: true }));
  const own = new RecordingSink();
  const player = new RecordingSink();
  const ownSub = hub.subscribe('live/l', info, own, { limits: { budgetBytes: 500, slowTimeoutMs: -1 } });
  hub.subscribe('live/l', info, player);
  own.pendingBytes = 1000;
  player.pendingBytes = 1000;
  pub.push(packet('video', 33));
  assert.equal(ownSub.stats.packetsDropped, 1, 'over its own 500-byte budget');
  assert.equal(player.got.length, 2, 'the player is within the hub budget');
  pub.push(packet('video', 66));
  assert.match(own.closedWith ?? '', /slow/, 'its own slow timeout applies');
  assert.equal(player.closedWith, undefined);
});
