import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer } from '../../support/onair.js';
import { ffmpegPublish } from '../support/clients.js';
import { waitFor, within } from '../support/proc.js';

test('--auth open refuses a second publisher on a live name (any case) by default; the first keeps publishing', async () => {
  const server = await startTestServer({ auth: 'open' });
  const first = await ffmpegPublish(server.rtmpUrl('Show'));
  try {
    await waitFor('live/show active', () => server.hub.stream('live/show')?.isActive);
    const publisherId = server.hub.stream('live/show')!.publisher!.id;
    const intruder = await ffmpegPublish(server.rtmpUrl('SHOW'));
    const code = await within(intruder.exited, 10_000, 'running' as const);
    assert.notEqual(code, 'running', 'the second publisher was refused');
    assert.notEqual(code, 0);
    assert.equal(first.child.exitCode, null, 'the first publisher is still connected');
    assert.equal(server.hub.stream('live/show')!.publisher!.id, publisherId, 'and still the one publishing');
    assert.ok(server.logs.some((l) => l.includes('already publishing') || l.includes('"code":"conflict"')));
  } finally {
    await first.kill();
    await server.close();
  }
});
