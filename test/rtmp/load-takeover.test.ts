import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { MessageType } from '../../src/protocols/rtmp/index.js';
import { RtmpClient } from '../../src/servers/rtmp/rtmp-client.js';
import { startTestServer, type TestServer } from '../../support/onair.js';
import { ffmpegPublish, rtmpdumpLive } from '../support/clients.js';
import { clip, tmpFile } from '../support/media.js';
import { run, waitFor, within } from '../support/proc.js';

let server: TestServer;
before(async () => {
  // A small budget so a stalled player hits it quickly. Takeover explicitly: --auth open (the test default)
  // otherwise refuses a second publisher.
  server = await startTestServer({ 'subscriber-budget-bytes': 262144, 'slow-subscriber-timeout-ms': 600000, takeover: 'takeover' });
});
after(async () => {
  await server.close();
});

/** An in-process player that counts what it receives. */
async function countingPlayer(name: string) {
  const counts = { video: 0, audio: 0, keyframesFirst: [] as boolean[], bytes: 0 };
  const client = await RtmpClient.connect(server.rtmpUrl(name), {
    onMessage: (m) => {
      counts.bytes += m.payload.length;
      if (m.typeId === MessageType.VIDEO) {
        counts.video++;
        counts.keyframesFirst.push(((m.payload[0]! >> 4) & 7) === 1);
      } else if (m.typeId === MessageType.AUDIO) counts.audio++;
    },
  });
  await client.play();
  return { client, counts };
}

test('50 simultaneous rtmpdump players all receive the stream', async () => {
  const pub = await ffmpegPublish(server.rtmpUrl('fifty'));
  try {
    await waitFor('active', () => server.hub.stream('live/fifty')?.isActive);
    // All 50 play at once: each is stopped only when all are subscribed and it has 50 video frames.
    const players = Array.from({ length: 50 }, (_, i) => rtmpdumpLive(server.rtmpUrl('fifty'), tmpFile(`p${i}.flv`), { video: 50, audio: 0 }));
    try {
      await waitFor('50 subscribers', () => server.hub.stream('live/fifty')!.subscriberCount >= 50, 20_000);
      await Promise.all(players.map((p) => p.received));
    } finally {
      await Promise.all(players.map((p) => p.stop()));
    }
  } finally {
    await pub.kill();
  }
});

test('a player that stops reading stays within its byte budget and does not slow the others', async () => {
  // Published at 4x real time (~1 MB/s), so the stalled player's kernel buffers and then its budget fill within
  // seconds, while a healthy reader still keeps up easily.
  const file = await clip('bframes.flv');
  const pub = run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-readrate', '4', '-stream_loop', '-1', '-i', file, '-c', 'copy', '-f', 'flv', server.rtmpUrl('stall')], { timeoutMs: 60_000 });
  try {
    await waitFor('active', () => server.hub.stream('live/stall')?.isActive);
    const stalled = await countingPlayer('stall');
    stalled.client.socket.pause(); // stops reading: the kernel buffers fill, then the server's
    const healthy = await countingPlayer('stall');
    const stream = server.hub.stream('live/stall')!;
    const before = stream.stats.videoFrames;
    await waitFor('the stalled player to hit its budget', () => [...stream.subscriptions()].some((s) => s.stats.dropEpisodes > 0), 20_000);
    // On a loaded machine the budget can already be hit while the healthy player connects: the publisher must
    // then still push while the stalled player sits at its budget, and the healthy one keep up with that.
    await waitFor('the publisher to keep pushing', () => stream.stats.videoFrames - before > 30, 20_000);
    const published = stream.stats.videoFrames - before;
    const subs = [...stream.subscriptions()];
    const stalledSub = subs.find((s) => s.stats.dropEpisodes > 0);
    assert.ok(stalledSub, 'the stalled player was dropped to keyframes at least once');
    const limit = server.config.subscriberBudgetBytes + server.config.maxMessageSize;
    for (const s of subs) assert.ok(s.pendingBytes <= limit, `pending ${s.pendingBytes} over ${limit}`);
    assert.ok(published > 30, `publisher kept pushing (${published} frames)`);
    assert.ok(healthy.counts.video >= published * 0.95, `healthy player got ${healthy.counts.video} of ${published} frames`);
    assert.equal(healthy.counts.keyframesFirst[0], true, 'a player starts on a keyframe');
    stalled.client.destroy();
    healthy.client.destroy();
  } finally {
    await pub.kill();
  }
});

test('publisher takeover: the old publisher is closed, players stay and continue from a keyframe', async () => {
  const first = await ffmpegPublish(server.rtmpUrl('tk'));
  let second: Awaited<ReturnType<typeof ffmpegPublish>> | undefined;
  try {
    await waitFor('active', () => server.hub.stream('live/tk')?.isActive);
    const player = await countingPlayer('tk');
    let closed = false;
    player.client.socket.on('close', () => (closed = true));
    await waitFor('frames before takeover', () => player.counts.video > 25);
    second = await ffmpegPublish(server.rtmpUrl('tk'));
    const firstExit = await within(first.exited, 10_000, 'still running');
    assert.notEqual(firstExit, 'still running', 'the old publisher was disconnected');
    const atTakeover = player.counts.video;
    await waitFor('frames after takeover', () => player.counts.video > atTakeover + 50, 15_000);
    assert.equal(closed, false, 'the player stayed connected');
    assert.ok(server.hub.stream('live/tk')!.stats.publishers >= 2);
    player.client.destroy();
  } finally {
    await first.kill();
    await second?.kill();
  }
});

test('reject mode refuses the second publisher and keeps the first', async () => {
  const strict = await startTestServer({ takeover: 'reject' });
  try {
    const first = await ffmpegPublish(strict.rtmpUrl('only'));
    await waitFor('active', () => strict.hub.stream('live/only')?.isActive);
    const second = await ffmpegPublish(strict.rtmpUrl('only'));
    const code = await within(second.exited, 10_000, 'running');
    assert.notEqual(code, 'running');
    assert.notEqual(code, 0);
    assert.equal(first.child.exitCode, null, 'the first publisher is untouched');
    await first.kill();
  } finally {
    await strict.close();
  }
});
