import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FirstOwnerLocator, type OwnerAddress, type OwnerLocator } from './owner-locator.js';

const fixed = (owner: OwnerAddress | undefined, asked: string[] = []): OwnerLocator => ({
  locate: async (path) => {
    asked.push(path);
    return owner;
  },
});

test('FirstOwnerLocator: the first locator with an owner answers; later ones are not asked', async () => {
  const asked: string[] = [];
  const machine = { nodeId: '@worker-2', rtmpUrl: 'rtmp://127.0.0.1:1' };
  const cluster = { nodeId: 'node-b-w1', rtmpUrl: 'rtmp://10.0.0.2:1935' };
  assert.deepEqual(await new FirstOwnerLocator([fixed(machine), fixed(cluster, asked)]).locate('live/x'), machine);
  assert.deepEqual(asked, []);
  assert.deepEqual(await new FirstOwnerLocator([fixed(undefined), fixed(cluster)]).locate('live/x'), cluster);
  assert.equal(await new FirstOwnerLocator([fixed(undefined), fixed(undefined)]).locate('live/x'), undefined);
});

test('FirstOwnerLocator: an owner the skip rule names (this machine\'s own worker in the registry) is no owner', async () => {
  const sibling = { nodeId: 'node-a-w2', rtmpUrl: 'rtmp://10.0.0.1:1935' };
  const locator = new FirstOwnerLocator([fixed(undefined), fixed(sibling)], (o) => o.nodeId.startsWith('node-a-w'));
  assert.equal(await locator.locate('live/x'), undefined);
  const other = new FirstOwnerLocator([fixed(undefined), fixed({ ...sibling, nodeId: 'node-b-w2' })], (o) => o.nodeId.startsWith('node-a-w'));
  assert.equal((await other.locate('live/x'))?.nodeId, 'node-b-w2');
});
