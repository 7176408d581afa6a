import assert from 'node:assert/strict';
import { test } from 'node:test';
import { takeAll } from './scratch-list.js';

test('takeAll: an empty scratch gives the one frozen empty array; a filled one gives an owned copy and is emptied', () => {
  const scratch: number[] = [];
  const none = takeAll(scratch);
  assert.deepEqual(none, []);
  assert.equal(takeAll(scratch), none, 'shared, nothing allocated');
  assert.equal(Object.isFrozen(none), true);
  scratch.push(1, 2);
  const got = takeAll(scratch);
  assert.deepEqual(got, [1, 2]);
  assert.equal(scratch.length, 0);
  scratch.push(3);
  assert.deepEqual(got, [1, 2], 'later use of the scratch leaves an earlier result alone');
});
