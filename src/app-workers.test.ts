import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { StreamHub } from './hub/index.js';
import { RecordingSink } from './hub/testing/hub-fixtures.js';
import { EDGE_PROTOCOL } from './services/edge/index.js';
import { machineViews, type WorkerRole } from './app-workers.js';
import { siblingNodeId } from './workers-ipc.js';

const hub = (): StreamHub => new StreamHub({
  gop: { maxBytes: 1 << 20, maxMs: 10_000 }, subscriber: { budgetBytes: 1 << 20, slowTimeoutMs: 60_000 }, takeover: 'takeover',
}, pino({ level: 'silent' }));
const pullFromSibling = { protocol: EDGE_PROTOCOL, remoteAddress: siblingNodeId(2) };
const pullFromNode = { protocol: EDGE_PROTOCOL, remoteAddress: 'node-2' };
const broadcaster = { protocol: 'rtmp', remoteAddress: '10.0.0.9' };

test('a stream pulled from a sibling worker is the owner\'s to report, also after the pull ended while players wait here', () => {
  const h = hub();
  const views = machineViews({} as WorkerRole, h, () => undefined);
  const pull = h.publish('live/a', pullFromSibling);
  const player = h.subscribe('live/a', { protocol: 'rtmp', remoteAddress: '10.0.0.1' }, new RecordingSink());
  assert.equal(views.siblingStream('live/a'), true);
  assert.equal(views.siblingPull(pull.info), true);
  pull.close();
  assert.ok(h.stream('live/a') && !h.stream('live/a')!.publisher, 'held without a publisher (its player waits)');
  assert.equal(views.siblingStream('live/a'), true, 'still the owner\'s: it would read offline here too');
  player.close();
  assert.equal(h.stream('live/a'), undefined);
  assert.equal(views.siblingStream('live/a'), false);
});

test('a broadcaster publishing here, or a pull from another cluster node, is this worker\'s own', () => {
  const h = hub();
  const views = machineViews({} as WorkerRole, h, () => undefined);
  h.publish('live/b', pullFromSibling);
  // The stream moved: its publisher reconnected to this worker (taking over the pull).
  const own = h.publish('live/b', broadcaster);
  assert.equal(views.siblingStream('live/b'), false);
  assert.equal(views.siblingPull(own.info), false);
  const edge = h.publish('live/c', pullFromNode);
  assert.equal(views.siblingStream('live/c'), false, 'this worker pulls it for the machine and reports it');
  assert.equal(views.siblingPull(edge.info), false);
});
