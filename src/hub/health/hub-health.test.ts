import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { StreamHub, type StreamHubOptions } from '../stream-hub.js';
import { RecordingSink, packet } from '../testing/hub-fixtures.js';
import { TEST_THRESHOLDS } from './testing/health-harness.js';

const log = pino({ level: 'silent' });
const opts = (o: Partial<StreamHubOptions> = {}): StreamHubOptions => ({
  gop: { maxBytes: 1 << 20, maxMs: 10_000 }, subscriber: { budgetBytes: 1000, slowTimeoutMs: 60_000 }, takeover: 'takeover', ...o,
});
const info = { protocol: 'rtmp', remoteAddress: '127.0.0.1', streamId: 'str_1' };

test('without thresholds a hub stream measures nothing (--health off)', () => {
  const hub = new StreamHub(opts(), log);
  hub.publish('live/a', info);
  assert.equal(hub.stream('live/a')!.health, undefined);
});

test('a publisher\'s packets, metadata and identity reach its stream\'s health; detach makes it offline', () => {
  const hub = new StreamHub(opts({ health: TEST_THRESHOLDS }), log);
  const pub = hub.publish('live/a', info);
  pub.setMetadata({ encoder: 'Lavf59.27.100', framerate: 25 });
  for (let i = 0; i < 10; i++) pub.push(packet('video', i * 40, { keyframe: i % 5 === 0, data: Buffer.alloc(300) }));
  const e = hub.stream('live/a')!.health!.evaluate();
  assert.notEqual(e.state, 'offline');
  assert.equal(e.encoder!.name, 'Lavf59.27.100');
  assert.equal(e.video!.keyframeIntervalMs, 200);
  assert.equal(e.ingest!.bytesIn, 3000);
  assert.equal(e.ingest!.protocol, 'rtmp');
  // a takeover starts the figures afresh
  const next = hub.publish('live/a', { ...info, remoteAddress: '127.0.0.2' });
  assert.equal(hub.stream('live/a')!.health!.evaluate().ingest!.remoteAddress, '127.0.0.2');
  hub.subscribe('live/a', { protocol: 'hls', remoteAddress: 'internal' }, new RecordingSink());
  next.close();
  assert.equal(hub.stream('live/a')!.health!.evaluate().state, 'offline');
});

test('subscriber totals per protocol keep what departed subscribers were delivered and dropped', () => {
  const hub = new StreamHub(opts({ health: TEST_THRESHOLDS }), log);
  const pub = hub.publish('live/a', info);
  const fast = new RecordingSink();
  const slow = new RecordingSink();
  hub.subscribe('live/a', { protocol: 'rtmp', remoteAddress: 'a' }, fast);
  const slowSub = hub.subscribe('live/a', { protocol: 'flv', remoteAddress: 'b' }, slow);
  pub.push(packet('video', 0, { keyframe: true }));
  slow.pendingBytes = 5000; // over the 1000-byte budget: the next frames are dropped for this viewer
  pub.push(packet('video', 40));
  pub.push(packet('video', 80));
  const stream = hub.stream('live/a')!;
  let t = stream.subscriberTotalsByProtocol();
  assert.deepEqual(t.get('rtmp'), { subscribers: 1, bytesDelivered: 300, packetsDropped: 0 });
  assert.deepEqual(t.get('flv'), { subscribers: 1, bytesDelivered: 100, packetsDropped: 2 });
  slowSub.close('gone');
  t = stream.subscriberTotalsByProtocol();
  assert.deepEqual(t.get('flv'), { subscribers: 0, bytesDelivered: 100, packetsDropped: 2 });
});
