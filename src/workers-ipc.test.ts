import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isWorkerNodeOf, workerNodeId } from './workers-ipc.js';

test('a machine\'s worker node ids are exactly <base>-w1..N: another machine\'s lookalike id is not a sibling', () => {
  assert.equal(workerNodeId('node-1', 2), 'node-1-w2');
  assert.equal(isWorkerNodeOf('node-1', 2, 'node-1-w1'), true);
  assert.equal(isWorkerNodeOf('node-1', 2, 'node-1-w2'), true);
  assert.equal(isWorkerNodeOf('node-1', 2, 'node-1-w3'), false, 'beyond the worker count: another machine\'s node');
  assert.equal(isWorkerNodeOf('node-1', 2, 'node-1-w0'), false);
  assert.equal(isWorkerNodeOf('node-1', 2, 'node-1-w01'), false);
  assert.equal(isWorkerNodeOf('node-1', 2, 'node-1-w1-w1'), false);
  assert.equal(isWorkerNodeOf('node-1', 2, 'node-12-w1'), false);
  assert.equal(isWorkerNodeOf('node-1', 2, 'node-1'), false);
});
