import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { StreamHub } from '../../hub/index.js';
import { LocalCoordinator } from './local-coordinator.js';
import { ClusterPublishGate } from './publish-gate.js';
import { NodeDrainer } from './node-drainer.js';
import type { ClaimResult } from './cluster-types.js';

const log = pino({ level: 'silent' });
const hubOptions = { gop: { maxBytes: 1 << 20, maxMs: 10_000 }, subscriber: { budgetBytes: 1 << 20, slowTimeoutMs: 60_000 }, takeover: 'takeover' as const };
const info = { protocol: 'rtmp', remoteAddress: '127.0.0.1' };
const allowed = (streamPath: string) => ({ ok: true as const, streamPath });
const tick = () => new Promise((r) => setImmediate(r));

/** The single-node coordinator, with the claims and releases it was asked for written down. */
class RecordingCoordinator extends LocalCoordinator {
  readonly calls: string[] = [];
  refuseWith: string | undefined;
  override async claim(path: string): Promise<ClaimResult> {
    this.calls.push(`claim ${path}`);
    if (this.refuseWith) return { ok: false, owner: this.refuseWith, token: 7 };
    return super.claim(path);
  }
  override async release(path: string): Promise<void> {
    this.calls.push(`release ${path}`);
    return super.release(path);
  }
}

function setup() {
  const hub = new StreamHub(hubOptions, log);
  const coordinator = new RecordingCoordinator('n1');
  const gate = new ClusterPublishGate({ coordinator, hub, takeover: 'takeover', log });
  return { hub, coordinator, gate };
}

test('a refused auth decision passes through untouched and claims nothing', async () => {
  const { coordinator, gate } = setup();
  const refused = { ok: false as const, code: 'unauthorized' as const, reason: 'bad key' };
  assert.equal(await gate.admit(refused), refused);
  assert.deepEqual(coordinator.calls, []);
});

test('a live owner elsewhere refuses the publish with its node named', async () => {
  const { coordinator, gate } = setup();
  coordinator.refuseWith = 'node-b';
  assert.deepEqual(await gate.admit(allowed('live/x')), { ok: false, code: 'unauthorized', reason: 'stream is live on node node-b' });
});

test('a takeover on this node keeps the lease; the last publisher leaving releases it', async () => {
  const { hub, coordinator, gate } = setup();
  await gate.admit(allowed('live/x'));
  hub.publish('live/x', info);
  // The encoder reconnects: the new publish is admitted, then replaces the old publisher in the hub.
  await gate.admit(allowed('live/x'));
  const second = hub.publish('live/x', info);
  await tick();
  assert.deepEqual(coordinator.calls, ['claim live/x', 'claim live/x'], 'the old publisher leaving must not release the new one\'s lease');
  assert.ok(coordinator.held().has('live/x'));
  second.close('eof');
  await tick();
  assert.deepEqual(coordinator.calls.at(-1), 'release live/x');
  assert.equal(coordinator.held().has('live/x'), false);
  gate.close();
});

test('the old connection dropping while the new publish is between auth and the hub does not release its lease', async () => {
  const { hub, coordinator, gate } = setup();
  await gate.admit(allowed('live/x'));
  const first = hub.publish('live/x', info);
  await gate.admit(allowed('live/x'));
  first.close('eof');
  await tick();
  assert.deepEqual(coordinator.calls, ['claim live/x', 'claim live/x']);
  hub.publish('live/x', info).close('eof');
  await tick();
  assert.deepEqual(coordinator.calls.at(-1), 'release live/x');
  gate.close();
});

test('internal publishers (transcoder renditions) neither hold nor release leases', async () => {
  const { hub, coordinator, gate } = setup();
  const rendition = hub.publish('live/x/720p', { protocol: 'transcode', remoteAddress: '' });
  rendition.close('eof');
  await tick();
  assert.deepEqual(coordinator.calls, []);
  gate.close();
});

test('drain: publishers are closed, new ones refused, drained resolves once none is left', async () => {
  const { hub, coordinator, gate } = setup();
  const drainer = new NodeDrainer({ hub, coordinator, gate, log });
  await gate.admit(allowed('live/a'));
  const pub = hub.publish('live/a', info);
  const kicked: string[] = [];
  pub.onKick = (reason) => {
    kicked.push(reason);
    pub.close(reason);
  };
  assert.deepEqual(await drainer.drain(), { publishers: 1 });
  await drainer.drained;
  assert.match(kicked[0]!, /node draining/);
  assert.equal((await coordinator.nodes())[0]!.draining, true);
  assert.deepEqual(await gate.admit(allowed('live/b')), { ok: false, code: 'unauthorized', reason: 'this node is draining: publish to another node' });
  gate.close();
});
