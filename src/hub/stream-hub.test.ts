import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { isOnAirError } from '../core/errors.js';
import { StreamHub, type StreamHubOptions } from './stream-hub.js';
import type { MediaPacket } from '../core/media-packet.js';
import { RecordingSink, packet } from './testing/hub-fixtures.js';

const log = pino({ level: 'silent' });
const opts = (o: Partial<StreamHubOptions> = {}): StreamHubOptions => ({
  gop: { maxBytes: 1 << 20, maxMs: 10_000 },
  subscriber: { budgetBytes: 1000, slowTimeoutMs: 60_000 },
  takeover: 'takeover',
  ...o,
});
const info = { protocol: 'test', remoteAddress: '127.0.0.1' };
const vcfg = packet('video', 0, { role: 'config', keyframe: false });
const acfg = packet('audio', 0, { role: 'config' });

test('a late subscriber gets metadata, configs, then the GOP from the latest keyframe', () => {
  const hub = new StreamHub(opts(), log);
  const pub = hub.publish('live/a', info);
  pub.setMetadata({ width: 640 });
  pub.push(vcfg);
  pub.push(acfg);
  pub.push(packet('video', 0, { keyframe: true }));
  pub.push(packet('video', 33));
  pub.push(packet('video', 66, { keyframe: true }));
  pub.push(packet('audio', 70));
  pub.push(packet('video', 100));
  const sink = new RecordingSink();
  hub.subscribe('live/a', info, sink);
  assert.deepEqual(sink.metadata, [{ width: 640 }]);
  assert.deepEqual(sink.got.map((g) => [g.p.kind, g.p.role, g.p.dts]), [
    ['video', 'config', 0], ['audio', 'config', 0], ['video', 'frame', 66], ['audio', 'frame', 70], ['video', 'frame', 100],
  ]);
  // rebased: the first frame this subscriber sees is at 0
  assert.deepEqual(sink.got.slice(2).map((g) => g.dts), [0, 4, 34]);
});

test('subscribing to a path without a publisher is NOT_FOUND unless waiting', () => {
  const hub = new StreamHub(opts(), log);
  assert.throws(() => hub.subscribe('live/none', info, new RecordingSink()), (e) => isOnAirError(e, 'ONAIR_ERR_NOT_FOUND'));
  const sink = new RecordingSink();
  hub.subscribe('live/none', info, sink, { waitForPublisher: true });
  const pub = hub.publish('live/none', info);
  pub.push(vcfg);
  pub.push(packet('video', 5, { keyframe: true }));
  assert.equal(sink.got.length, 2);
  assert.deepEqual(sink.events, ['start']);
});

test('a slow subscriber drops to the next keyframe without affecting a fast one', () => {
  const hub = new StreamHub(opts(), log);
  const pub = hub.publish('live/s', info);
  pub.push(vcfg);
  pub.push(packet('video', 0, { keyframe: true }));
  const slow = new RecordingSink();
  const fast = new RecordingSink();
  hub.subscribe('live/s', info, slow);
  const slowSub = [...hub.stream('live/s')!.subscriptions()][0]!;
  hub.subscribe('live/s', info, fast);
  slow.pendingBytes = 5000; // over the 1000-byte budget
  pub.push(packet('video', 33));
  pub.push(packet('audio', 40));
  slow.pendingBytes = 0; // drained, but must wait for a keyframe
  pub.push(packet('video', 66));
  pub.push(packet('video', 100, { keyframe: true }));
  assert.deepEqual(slow.got.map((g) => g.p.dts), [0, 0, 100]);
  assert.deepEqual(fast.got.map((g) => g.p.dts), [0, 0, 33, 40, 66, 100]);
  assert.equal(slowSub.stats.dropEpisodes, 1);
  assert.equal(slowSub.stats.packetsDropped, 3);
});

test('a subscriber stalled past the slow timeout is closed', () => {
  const hub = new StreamHub(opts({ subscriber: { budgetBytes: 1000, slowTimeoutMs: -1 } }), log);
  const pub = hub.publish('live/x', info);
  pub.push(packet('video', 0, { keyframe: true }));
  const sink = new RecordingSink();
  hub.subscribe('live/x', info, sink);
  sink.pendingBytes = 10_000;
  pub.push(packet('video', 33));
  pub.push(packet('video', 66));
  assert.match(sink.closedWith ?? '', /slow/);
  assert.equal(hub.stream('live/x')!.subscriberCount, 0);
});

test('takeover kicks the old publisher; subscribers continue on a monotonic timeline after a keyframe', () => {
  const hub = new StreamHub(opts(), log);
  const first = hub.publish('live/t', info);
  let kicked = '';
  first.onKick = (r) => (kicked = r);
  first.push(packet('video', 1000, { keyframe: true }));
  const sink = new RecordingSink();
  hub.subscribe('live/t', info, sink);
  first.push(packet('video', 1033));
  const second = hub.publish('live/t', info);
  assert.match(kicked, /taken over/);
  first.push(packet('video', 1066)); // racing the kick: ignored
  second.push(packet('video', 0)); // not a keyframe: the subscriber waits
  second.push(packet('video', 33, { keyframe: true }));
  const dts = sink.got.map((g) => g.p.dts);
  assert.equal(dts.length, 3);
  assert.ok(dts[2]! > dts[1]!, `timeline must keep rising across publishers: ${dts}`);
  assert.deepEqual(sink.events, ['end:taken over by a new publisher', 'start']);
});

test('reject mode refuses a second publisher', () => {
  const hub = new StreamHub(opts({ takeover: 'reject' }), log);
  hub.publish('live/r', info);
  assert.throws(() => hub.publish('live/r', info), (e) => isOnAirError(e, 'ONAIR_ERR_CONFLICT'));
});

test('events: publish, active on first keyframe, unpublish with bytes; streams are dropped when unused', () => {
  const hub = new StreamHub(opts(), log);
  const seen: string[] = [];
  hub.events.on('publish', (e) => seen.push(`publish ${e.path}`));
  hub.events.on('active', (e) => seen.push(`active ${e.path}`));
  hub.events.on('unpublish', (e) => seen.push(`unpublish ${e.path} ${e.bytesIn}`));
  hub.events.on('unpublish', () => { throw new Error('a faulty listener must not break the hub'); });
  const pub = hub.publish('live/e', info);
  pub.push(packet('video', 0));
  pub.push(packet('video', 10, { keyframe: true }));
  pub.close();
  pub.close();
  assert.deepEqual(seen, ['publish live/e', 'active live/e', 'unpublish live/e 200']);
  assert.equal(hub.stream('live/e'), undefined);
});

test('audio-only streams start new subscribers with the last second of audio', () => {
  const hub = new StreamHub(opts(), log);
  const pub = hub.publish('live/audio', info);
  pub.push(acfg);
  for (let t = 0; t <= 3000; t += 100) pub.push(packet('audio', t));
  const sink = new RecordingSink();
  hub.subscribe('live/audio', info, sink);
  const frames = sink.got.filter((g) => g.p.role === 'frame');
  assert.equal(frames[0]!.p.dts, 2000);
  assert.equal(frames.at(-1)!.p.dts, 3000);
});

test('a GOP over the byte cap is dropped, so a keyframe-less encoder never grows the cache', () => {
  const hub = new StreamHub(opts({ gop: { maxBytes: 1000, maxMs: 10_000 } }), log);
  const pub = hub.publish('live/g', info);
  pub.push(packet('video', 0, { keyframe: true }));
  for (let t = 33; t < 2000; t += 33) pub.push(packet('video', t));
  const stream = hub.stream('live/g')!;
  assert.ok(stream.gop.byteSize <= 1000);
  assert.equal(stream.stats.gopOverflows, 1);
});

test('close kicks publishers and closes subscribers; later calls are refused', () => {
  const hub = new StreamHub(opts(), log);
  const pub = hub.publish('live/c', info);
  let kicked = false;
  pub.onKick = () => (kicked = true);
  pub.push(packet('video', 0, { keyframe: true }));
  const sink = new RecordingSink();
  hub.subscribe('live/c', info, sink);
  hub.close();
  hub.close();
  assert.ok(kicked);
  assert.ok(sink.closedWith);
  assert.throws(() => hub.publish('live/c', info), (e) => isOnAirError(e, 'ONAIR_ERR_CLOSED'));
});

test('joining and leaving during a fan-out: the joiner gets the packet once (GOP replay), the leaver no more', () => {
  const hub = new StreamHub(opts(), log);
  const pub = hub.publish('live/j', info);
  pub.push(vcfg);
  const joiner = new RecordingSink();
  const leaver = new RecordingSink();
  const later: { leaverSub?: ReturnType<StreamHub['subscribe']> } = {};
  // Subscribed first, so it runs first in the fan-out: on the keyframe it subscribes `joiner` and closes `leaver`.
  class Trigger extends RecordingSink {
    override onPacket(p: MediaPacket, dts: number): void {
      super.onPacket(p, dts);
      if (p.keyframe && p.role === 'frame' && joiner.got.length === 0) {
        hub.subscribe('live/j', info, joiner);
        later.leaverSub!.close('left');
      }
    }
  }
  const trigger = new Trigger();
  hub.subscribe('live/j', info, trigger);
  later.leaverSub = hub.subscribe('live/j', info, leaver);
  pub.push(packet('video', 0, { keyframe: true }));
  pub.push(packet('video', 33));
  assert.deepEqual(joiner.got.map((g) => [g.p.role, g.p.dts]), [['config', 0], ['frame', 0], ['frame', 33]]);
  assert.deepEqual(leaver.got.map((g) => [g.p.role, g.p.dts]), [['config', 0]]);
  assert.equal(leaver.closedWith, 'left');
  assert.equal(trigger.got.length, 3);
  assert.equal(hub.stream('live/j')!.subscriberCount, 2);
});

test("a publisher's latency tolerance is its stream's least tolerant subscriber (Infinity with none, 0 once closed)", () => {
  const hub = new StreamHub(opts(), log);
  const pub = hub.publish('live/tol', info);
  assert.equal(pub.latencyToleranceMs, Infinity, 'nobody watching');
  const tolerant = (ms: number) => Object.assign(new RecordingSink(), { latencyToleranceMs: ms });
  const hls = hub.subscribe('live/tol', info, tolerant(100));
  hub.subscribe('live/tol', info, tolerant(400));
  assert.equal(pub.latencyToleranceMs, 100);
  const player = hub.subscribe('live/tol', info, new RecordingSink());
  assert.equal(pub.latencyToleranceMs, 0, 'a sink without a tolerance is a real-time player');
  player.close('left');
  assert.equal(pub.latencyToleranceMs, 100, 'back once the player leaves');
  hls.close('left');
  assert.equal(pub.latencyToleranceMs, 400);
  pub.close();
  assert.equal(pub.latencyToleranceMs, 0);
});
