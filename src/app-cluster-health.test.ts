import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { StreamHub } from './hub/index.js';
import type { ClusterCoordinator } from './services/cluster/index.js';
import { clusterHealth } from './app-cluster-health.js';

const hub = new StreamHub({ gop: { maxBytes: 1 << 20, maxMs: 10_000 }, subscriber: { budgetBytes: 1 << 20, slowTimeoutMs: 5000 }, takeover: 'takeover' }, pino({ level: 'silent' }));

/** The registry's answer for `locate`, nothing else: which node owns which path. */
function registry(owners: Record<string, string>): ClusterCoordinator {
  return {
    nodeId: 'node-a',
    locate: async (path: string) => (owners[path] ? { nodeId: owners[path], httpUrl: `http://${owners[path]}:8080`, rtmpUrl: '' } : undefined),
    ownerGone: async (nodeId: string) => {
      if (nodeId === 'node-lost') throw new Error('the store cannot be asked');
      return nodeId === 'node-dead';
    },
    nodes: async () => [],
  } as unknown as ClusterCoordinator;
}

test('a stream\'s health is asked of its owner only when another machine owns it', async () => {
  const siblings = new Set(['node-a-w2']);
  const { ownerNode } = clusterHealth(registry({ 'live/mine': 'node-a', 'live/sibling': 'node-a-w2', 'live/far': 'node-b' }), hub, (id) => siblings.has(id));
  assert.equal(await ownerNode('live/mine'), undefined, 'the owner answers itself, without a hop to its own port');
  assert.equal(await ownerNode('live/sibling'), undefined, 'a sibling worker is reached over the machine, not the cluster');
  assert.equal((await ownerNode('live/far'))?.base, 'http://node-b:8080');
  assert.equal(await ownerNode('live/nowhere'), undefined);
});

test('an owner that did not answer is gone by the registry\'s heartbeat alone; a store that cannot be asked keeps it alive', async () => {
  const { ownerNode } = clusterHealth(registry({ 'live/a': 'node-b', 'live/b': 'node-dead', 'live/c': 'node-lost' }), hub);
  assert.equal(await (await ownerNode('live/a'))!.gone(), false);
  assert.equal(await (await ownerNode('live/b'))!.gone(), true);
  assert.equal(await (await ownerNode('live/c'))!.gone(), false);
});
