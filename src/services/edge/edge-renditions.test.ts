import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renditionAwareLocator } from './edge-renditions.js';

test('renditionAwareLocator: a rendition path is located by its source path; a source path as is', async () => {
  const asked: string[] = [];
  const owner = { nodeId: 'a', rtmpUrl: 'rtmp://127.0.0.1:1' };
  const locator = renditionAwareLocator({ locate: async (path) => (asked.push(path), path === 'live/abc' ? owner : undefined) });
  assert.deepEqual(await locator.locate('live/abc/480p'), owner);
  assert.deepEqual(await locator.locate('live/abc'), owner);
  assert.equal(await locator.locate('live/other/480p'), undefined);
  assert.deepEqual(asked, ['live/abc', 'live/abc', 'live/other']);
});
