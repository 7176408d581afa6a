import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import type { SubscriberSink } from '../../src/hub/index.js';
import { MessageType } from '../../src/protocols/rtmp/index.js';
import { RtmpClient } from '../../src/servers/rtmp/rtmp-client.js';
import { startTestServer, type TestServer } from '../../support/onair.js';
import { ffmpegPublish } from '../support/clients.js';
import { sleep, waitFor } from '../support/proc.js';

// Merged reads change when media reaches the hub, not what reaches it. What shows they work: packets arrive in
// bursts (one per pacer tick) while only HLS watches, and one by one as ffmpeg sends them (25 fps video +
// ~47 audio frames a second) once a real-time RTMP player joins. Counting bursts, not measuring latency, so
// a slow machine does not decide the outcome: held reads give ~10 bursts a second, unheld ones ~45 (measured).

let server: TestServer;
before(async () => {
  server = await startTestServer(); // defaults: HLS on, LL-HLS (holds of half a 200 ms part), --merged-read-max-ms 200
});
after(async () => {
  await server.close();
});

/** A hub sink that tolerates any delay (so it never stops the holding) and records packet arrival times. */
function arrivalRecorder() {
  const arrivals: number[] = [];
  const sink: SubscriberSink = {
    pendingBytes: 0,
    latencyToleranceMs: 10_000,
    onMetadata: () => {},
    onPacket: () => void arrivals.push(performance.now()),
    onPublisherEnd: () => {},
    onPublisherStart: () => {},
    onClose: () => {},
  };
  /** Bursts per second over the next `ms`: arrivals more than 5 ms after the previous one start a burst. */
  const burstsPerSecond = async (ms: number): Promise<number> => {
    const from = arrivals.length;
    await sleep(ms);
    const window = arrivals.slice(from);
    let bursts = window.length > 0 ? 1 : 0;
    for (let i = 1; i < window.length; i++) if (window[i]! - window[i - 1]! > 5) bursts++;
    return (bursts * 1000) / ms;
  };
  return { sink, burstsPerSecond };
}

test('a publisher is read in merged bursts while only HLS watches, at every arrival once an RTMP player joins', async () => {
  const pub = await ffmpegPublish(server.rtmpUrl('merged'));
  try {
    await waitFor('active', () => server.hub.stream('live/merged')?.isActive);
    const recorder = arrivalRecorder();
    const sub = server.hub.subscribe('live/merged', { protocol: 'test', remoteAddress: 'internal' }, recorder.sink);
    await waitFor('the HLS packager subscribed', () => server.hub.stream('live/merged')!.latencyToleranceMs === 100);

    const held = await recorder.burstsPerSecond(3000);
    assert.ok(held > 3 && held <= 15, `HLS only: ${held.toFixed(1)} bursts/s, expected ~10 (one per 100 ms hold)`);

    const player = await RtmpClient.connect(server.rtmpUrl('merged'));
    await player.play();
    await waitFor('the player subscribed', () => server.hub.stream('live/merged')!.latencyToleranceMs === 0);
    const live = await recorder.burstsPerSecond(3000);
    assert.ok(live >= 25, `with an RTMP player: ${live.toFixed(1)} bursts/s, expected about one per frame (~45)`);

    player.destroy();
    await waitFor('the player left', () => server.hub.stream('live/merged')!.latencyToleranceMs === 100);
    const heldAgain = await recorder.burstsPerSecond(3000);
    assert.ok(heldAgain > 3 && heldAgain <= 15, `player gone: ${heldAgain.toFixed(1)} bursts/s, expected ~10 again`);
    sub.close('test done');
  } finally {
    await pub.kill();
  }
});

test('--merged-read-max-ms 0 reads every arrival at once, HLS or not', async () => {
  const off = await startTestServer({ 'merged-read-max-ms': 0 });
  const pub = await ffmpegPublish(off.rtmpUrl('unmerged'));
  try {
    await waitFor('active', () => off.hub.stream('live/unmerged')?.isActive);
    const recorder = arrivalRecorder();
    const sub = off.hub.subscribe('live/unmerged', { protocol: 'test', remoteAddress: 'internal' }, recorder.sink);
    const bursts = await recorder.burstsPerSecond(3000);
    assert.ok(bursts >= 25, `${bursts.toFixed(1)} bursts/s, expected about one per frame (~45)`);
    sub.close('test done');
  } finally {
    await pub.kill();
    await off.close();
  }
});

test('reads that continue a full read of the socket count as that read: ingest health takes one arrival reading for them', async () => {
  const client = await RtmpClient.connect(server.rtmpUrl('burst'));
  try {
    const streamId = await client.publish();
    const stream = await waitFor('published', () => server.hub.stream('live/burst')?.publisher && server.hub.stream('live/burst'));
    const pub = stream.publisher!;
    let marked = 0;
    const received = pub.received.bind(pub);
    pub.received = () => {
      marked++;
      received();
    };
    client.session.sendMedia(streamId, MessageType.AUDIO, 0, Buffer.from([0xaf, 0x00, 0x11, 0x90]));
    // 1 MiB of AAC frames written in one synchronous run: the server (same process) reads none of it before the run
    // ends, so it waits in the server's receive queue together and is read in full 64 KiB reads, one after the other.
    const frames = 1024;
    const body = Buffer.concat([Buffer.from([0xaf, 0x01]), Buffer.alloc(1022)]);
    for (let i = 0; i < frames; i++) client.session.sendMedia(streamId, MessageType.AUDIO, Math.round((i * 1024 * 1000) / 48_000), body);
    await waitFor('every frame in the hub', () => stream.stats.audioFrames >= frames);
    // 1 MiB takes at least 16 reads of 64 KiB; marked as one read each, it would be marked 16 times or more
    assert.ok(marked >= 1 && marked < 16, `${marked} reads marked for 1 MiB`);
  } finally {
    client.destroy();
  }
});
