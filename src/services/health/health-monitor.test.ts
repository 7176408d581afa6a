import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { StreamHub } from '../../hub/index.js';
import { RecordingSink, packet } from '../../hub/testing/hub-fixtures.js';
import { TEST_THRESHOLDS } from '../../hub/health/testing/health-harness.js';
import { HealthMonitor, type StableHealthChange } from './health-monitor.js';
import { HlsAudience } from './hls-audience.js';
import { SiblingPlayers } from './sibling-players.js';
import { PULL_SUBSCRIBER_PROTOCOL } from '../edge/index.js';

const log = pino({ level: 'silent' });
// No stall within a slow test run: every state here comes from the media, not from the machine's speed.
const thresholds = { ...TEST_THRESHOLDS, stallMs: 600_000, keyframeIntervalMaxMs: 1500 };

function setup(hysteresisMs = 0) {
  const hub = new StreamHub({ gop: { maxBytes: 1 << 20, maxMs: 10_000 }, subscriber: { budgetBytes: 1 << 20, slowTimeoutMs: 60_000 }, takeover: 'takeover', health: thresholds }, log);
  const audience = new HlsAudience();
  let wall = Date.UTC(2025, 0, 1);
  const monitor = new HealthMonitor({ hub, audience, hysteresisMs, log, wallClock: () => (wall += 1000) });
  return { hub, audience, monitor };
}

test('viewers by family (RTMP, FLV, estimated HLS), bytes out, history: the server\'s own subscribers are not viewers', () => {
  const { hub, audience, monitor } = setup();
  const pub = hub.publish('live/a', { protocol: 'rtmp', remoteAddress: '192.0.2.1', streamId: 'str_a' });
  hub.subscribe('live/a', { protocol: 'rtmps', remoteAddress: 'p1' }, new RecordingSink());
  hub.subscribe('live/a', { protocol: 'ws-flv', remoteAddress: 'p2' }, new RecordingSink());
  hub.subscribe('live/a', { protocol: 'hls', remoteAddress: 'internal' }, new RecordingSink());
  audience.record('live/a', { ip: '10.0.0.1', userAgent: 'hls.js' }, 1000, true, performance.now());
  pub.push(packet('video', 0, { keyframe: true }));
  monitor.evaluateAll();
  monitor.evaluateAll();
  const r = monitor.report('live/a')!;
  assert.deepEqual(r.viewers, { rtmp: 1, hls: 1, flv: 1, total: 3 });
  assert.equal(r.bytesOut, 1000 + 2 * 100);
  assert.equal(r.streamId, 'str_a');
  assert.equal(monitor.history('live/a').length, 2);
  assert.equal(monitor.history('live/a')[1]!.viewers, 3);
});

test('workers: an internal pull is no viewer; the sibling workers\' reported players and bytes are added, until their reports expire', () => {
  const hub = new StreamHub({ gop: { maxBytes: 1 << 20, maxMs: 10_000 }, subscriber: { budgetBytes: 1 << 20, slowTimeoutMs: 60_000 }, takeover: 'takeover', health: thresholds }, log);
  const siblingPlayers = new SiblingPlayers();
  const monitor = new HealthMonitor({ hub, audience: new HlsAudience(), siblingPlayers, hysteresisMs: 0, log });
  const pub = hub.publish('live/a', { protocol: 'rtmp', remoteAddress: '192.0.2.1', streamId: 'str_a' });
  hub.subscribe('live/a', { protocol: 'rtmp', remoteAddress: 'p1' }, new RecordingSink());
  hub.subscribe('live/a', { protocol: PULL_SUBSCRIBER_PROTOCOL, remoteAddress: '127.0.0.1' }, new RecordingSink());
  pub.push(packet('video', 0, { keyframe: true }));
  monitor.evaluateAll();
  siblingPlayers.add(2, 'live/a', { rtmp: 3, flv: 2, bytes: 5000 }, performance.now());
  siblingPlayers.add(2, 'live/elsewhere', { rtmp: 1, flv: 0, bytes: 1 }, performance.now());
  monitor.evaluateAll();
  const r = monitor.report('live/a')!;
  assert.deepEqual(r.viewers, { rtmp: 4, hls: 0, flv: 2, total: 6 });
  assert.equal(r.bytesOut, 100 + 5000, 'the own player\'s bytes and the sibling\'s, not the pull\'s');
  assert.equal(monitor.history('live/a')[1]!.viewers, 6);
  assert.deepEqual([...siblingPlayers.paths()], ['live/a'], 'a report of a stream not held here is dropped');
});

test('stable changes of API streams are announced after the hold; an offline stream resets the baseline; gone streams are forgotten', () => {
  const { hub, monitor } = setup(2000);
  const changes: StableHealthChange[] = [];
  const gone: string[] = [];
  monitor.events.on('stableChange', (c) => changes.push(c));
  monitor.events.on('gone', (p) => gone.push(p));
  const pub = hub.publish('live/a', { protocol: 'rtmp', remoteAddress: '192.0.2.1', streamId: 'str_a' });
  pub.push(packet('video', 0, { keyframe: true }));
  monitor.evaluateAll(); // healthy: the baseline
  pub.push(packet('video', 2000, { keyframe: true })); // 2 s GOP over the 1.5 s limit: warning
  monitor.evaluateAll();
  monitor.evaluateAll();
  assert.equal(changes.length, 0, 'not held 2 s yet');
  monitor.evaluateAll();
  assert.deepEqual(changes.map((c) => [c.previous, c.state, c.streamId, c.reasons[0]?.code]), [['healthy', 'warning', 'str_a', 'keyframe_interval_high']]);
  assert.equal(monitor.report('live/a')!.stableState, 'warning');
  pub.close();
  monitor.evaluateAll();
  assert.equal(monitor.report('live/a'), undefined, 'no publisher, no subscriber: the hub dropped the stream');
  assert.deepEqual(gone, ['live/a']);
  assert.equal(changes.length, 1, 'going offline is stream.disconnected, not a health change');
});

test('transcoder renditions are the server\'s own streams: not evaluated, also while they wait for their publisher', () => {
  const { hub, monitor } = setup();
  const rendition = hub.publish('live/a/480p', { protocol: 'transcode', remoteAddress: 'ffmpeg', streamId: 'str_a' });
  hub.subscribe('live/a/480p', { protocol: 'hls', remoteAddress: 'internal' }, new RecordingSink());
  monitor.evaluateAll();
  rendition.close();
  monitor.evaluateAll();
  assert.ok(hub.stream('live/a/480p'), 'the packager holds the rendition in its reconnect window');
  assert.deepEqual([...monitor.reports()], []);
});

test('a report is built at its first read after a round and kept until the next; history is written without one', () => {
  const { hub, monitor } = setup();
  const pub = hub.publish('live/a', { protocol: 'rtmp', remoteAddress: '192.0.2.1', streamId: 'str_a' });
  pub.push(packet('video', 0, { keyframe: true }));
  monitor.evaluateAll();
  monitor.evaluateAll();
  assert.equal(monitor.history('live/a').length, 2, 'history written by rounds nobody read');
  pub.push(packet('video', 1000, { keyframe: true }));
  const first = monitor.report('live/a')!;
  assert.equal(first.video?.keyframeIntervalMs, null, 'read after the round: the round\'s figures, not the frames since');
  assert.equal(monitor.report('live/a'), first, 'cached within a round');
  assert.equal([...monitor.reports()][0], first);
  monitor.evaluateAll();
  const second = monitor.report('live/a')!;
  assert.notEqual(second, first);
  assert.ok(second.updatedAt > first.updatedAt);
  assert.equal(second.video?.keyframeIntervalMs, 1000, 'figures of the new round');
  assert.equal(first.video?.keyframeIntervalMs, null, 'an earlier report keeps its figures');
  assert.deepEqual(monitor.history('live/a').at(-1), second.sample);
});
