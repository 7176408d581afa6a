import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { TsDemuxer } from '../../src/formats/mpegts/index.js';
import { ControlType } from '../../src/protocols/srt/packet/packet.js';
import { type TestServer } from '../../support/onair.js';
import { ffmpegPublish, ffprobeFrameCounts } from '../support/clients.js';
import { clip, tmpFile } from '../support/media.js';
import { run, runOk, waitFor } from '../support/proc.js';
import { ffmpegSrtPublish, srtUrl, udpCollector } from '../support/srt-clients.js';
import { hubFrameCounter, startSrtTestServer } from '../../support/srt-hub.js';
import { LossyUdpRelay } from '../../support/udp-relay.js';

/**
 * Loss and reordering between a real libsrt caller and OnAir: a UDP relay in the test drops 2 % or 10 % of
 * the datagrams in each direction (seeded, reproducible) and holds some back. SRT must deliver the stream
 * complete within its latency: the hub gets every frame of the source (publish), the player every TS
 * packet (playback: no continuity-counter gap).
 */
let server: TestServer;
let port: number;
let source: { video: number; audio: number };
before(async () => {
  server = await startSrtTestServer({ 'srt-latency-ms': 400 });
  port = server.ports.srt!;
  source = await ffprobeFrameCounts(await clip('av.flv'));
});
after(async () => {
  await server.close();
});

for (const loss of [0.02, 0.1]) {
  test(`publish through ${loss * 100} % loss and reordering: every frame of the source reaches the hub`, async () => {
    const relay = new LossyUdpRelay({ target: { address: '127.0.0.1', port }, loss, reorder: 0.02, seed: 20 + loss * 100, cleanStart: 4, lossForMs: 8000 });
    const relayPort = await relay.listen();
    const path = `live/loss${loss * 100}`;
    const counter = hubFrameCounter(server, path);
    try {
      const pub = await ffmpegSrtPublish(srtUrl(relayPort, `#!::r=${path},m=publish`, { linger: 3 }));
      assert.equal(await pub.exited, 0, pub.stderr());
      await waitFor('publisher gone', () => !server.hub.stream(path)?.publisher, 20_000);
      const ended = server.logs.filter((l) => l.includes('srt session ended') && l.includes(path)).map((l) => JSON.parse(l) as { reason: string; receive: { lost: number; recovered: number; dropped: number } });
      const why = JSON.stringify({ session: ended[0], relay: [relay.toServer, relay.toCaller] });
      assert.deepEqual(counter.ingested(), source, why);
      assert.ok(relay.toServer.dropped > 10 && relay.toCaller.dropped > 0, why);
      assert.ok(ended[0]!.receive.recovered > 0 && ended[0]!.receive.dropped === 0, why);
    } finally {
      counter.close();
      relay.close();
    }
  });
}

/**
 * libsrt sends its shutdown once. If the relay drops it, the server sends into the void until the peer-idle
 * timeout and drops every packet nobody acknowledges (correct, but not what the playback test measures; a
 * run on CI did so with 563 packets), so the shutdown is spared.
 */
const isShutdown = (d: Buffer) => d.length >= 16 && d.readUInt32BE(0) >>> 16 === (0x8000 | ControlType.shutdown);

test('playback through 10 % loss: ffmpeg receives an unbroken transport stream (OnAir retransmits)', async () => {
  const pub = await ffmpegPublish(server.rtmpUrl('lossplay'));
  const relay = new LossyUdpRelay({ target: { address: '127.0.0.1', port }, loss: 0.1, reorder: 0.02, seed: 99, cleanStart: 4, spare: isShutdown });
  const relayPort = await relay.listen();
  try {
    await waitFor('stream active', () => server.hub.stream('live/lossplay')?.isActive, 20_000);
    const out = tmpFile('lossplay.ts');
    await runOk('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-i', srtUrl(relayPort, '#!::r=live/lossplay,m=request', { latency: 400_000 }),
      '-t', '5', '-c', 'copy', '-f', 'mpegts', out], 60_000);
    // ffmpeg re-muxed it; what it received is checked by its own demuxer's view: frames at the full rate.
    const frames = await ffprobeFrameCounts(out);
    assert.ok(frames.video >= 110, `video frames ${frames.video}`);
    // ffmpeg has exited; the server logs the session's end once it hears the shutdown (or the peer-idle timeout).
    const ended = await waitFor('the play session ended', () => server.logs.filter((l) => l.includes('srt session ended') && l.includes('"mode":"request"')).at(-1), 15_000);
    const session = JSON.parse(ended) as { reason: string; send: { retransmitted: number; dropped: number } };
    const sent = session.send;
    assert.equal(session.reason, 'peer shut down', ended);
    assert.ok(sent.retransmitted > 10, `retransmitted ${sent.retransmitted}`);
    assert.equal(sent.dropped, 0);
    assert.ok(relay.toCaller.dropped > 10);
  } finally {
    relay.close();
    await pub.kill();
  }
});

test('playback through 10 % loss, read raw: no continuity-counter gap in what srt-live-transmit hands on', async () => {
  const pub = await ffmpegPublish(server.rtmpUrl('lossraw'));
  const relay = new LossyUdpRelay({ target: { address: '127.0.0.1', port }, loss: 0.1, seed: 7, cleanStart: 4 });
  const relayPort = await relay.listen();
  try {
    await waitFor('stream active', () => server.hub.stream('live/lossraw')?.isActive, 20_000);
    const collector = await udpCollector();
    const player = run('srt-live-transmit', ['-q', srtUrl(relayPort, '#!::r=live/lossraw,m=request', { latency: 400 }), `udp://127.0.0.1:${collector.port}`], { timeoutMs: 30_000 });
    await waitFor('4 s of TS', () => collector.bytes().length > 400 * 1316, 20_000);
    await player.kill('SIGINT');
    collector.close();
    const d = new TsDemuxer();
    d.push(collector.bytes());
    assert.equal(d.stats.ccErrors, 0, JSON.stringify(d.stats));
    assert.equal(d.stats.resyncs, 0);
    assert.ok(relay.toCaller.dropped > 20, `relay dropped ${relay.toCaller.dropped} datagrams to the player`);
  } finally {
    relay.close();
    await pub.kill();
  }
});


