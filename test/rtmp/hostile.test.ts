import { after, before, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import assert from 'node:assert/strict';
import { encodeAmf0 } from '../../src/formats/amf/index.js';
import { MessageType } from '../../src/protocols/rtmp/index.js';
import { RtmpClient } from '../../src/servers/rtmp/rtmp-client.js';
import { startTestServer, type TestServer } from '../../support/onair.js';
import { ffmpegPublish } from '../support/clients.js';
import { RawRtmpPeer } from '../support/raw-rtmp.js';
import type { Proc } from '../support/proc.js';
import { sleep, waitFor } from '../support/proc.js';

/**
 * Every hostile input class from the style guide against a live server, while a control stream (ffmpeg
 * publishing, an in-process player) keeps flowing. Safe = the offender is closed with a logged reason,
 * the control player never stalls, and connections/streams return to baseline.
 */
/**
 * How long a connection the server closes at once may take to be seen closed: a bound, below the 3 s idle timeout (a
 * connection left open until then still fails), not the time it takes (milliseconds). The handshake/connect timeout
 * (0.8 s) would close the peers that never sent connect anyway: for them the logged reason is what shows it.
 */
const CLOSED_AT_ONCE_MS = 2500;
let server: TestServer;
let control: Proc;
let controlPlayer: RtmpClient;
const received = { video: 0 };

before(async () => {
  server = await startTestServer({ 'handshake-timeout-ms': 800, 'idle-timeout-ms': 3000 });
  control = await ffmpegPublish(server.rtmpUrl('control'));
  await waitFor('control active', () => server.hub.stream('live/control')?.isActive);
  controlPlayer = await RtmpClient.connect(server.rtmpUrl('control'), {
    onMessage: (m) => { if (m.typeId === MessageType.VIDEO) received.video++; },
  });
  await controlPlayer.play();
});

after(async () => {
  controlPlayer.destroy();
  await control.kill();
  await server.close();
});

/** Asserts the control player keeps receiving during `fn` (25 fps source: >= 10 frames per second of fn). */
async function controlKeepsFlowing(fn: () => Promise<void>): Promise<void> {
  const start = received.video;
  const t0 = Date.now();
  await fn();
  await sleep(300);
  const seconds = (Date.now() - t0) / 1000;
  assert.ok(received.video - start >= Math.floor(seconds * 10), `control stream stalled: ${received.video - start} frames in ${seconds}s`);
}

function loggedReason(re: RegExp): boolean {
  return server.logs.some((l) => re.test(l));
}

test('handshake garbage (an HTTP request) is closed at once with a reason', async () => {
  await controlKeepsFlowing(async () => {
    const peer = await RawRtmpPeer.open(server.ports.rtmp);
    peer.send(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    assert.ok(await peer.closedWithin(CLOSED_AT_ONCE_MS));
  });
  assert.ok(loggedReason(/ONAIR_ERR_MALFORMED/));
});

test('RTMPE (version 6) is refused as unsupported', async () => {
  const peer = await RawRtmpPeer.open(server.ports.rtmp);
  peer.send(Buffer.alloc(1537, 6));
  assert.ok(await peer.closedWithin(CLOSED_AT_ONCE_MS));
  assert.ok(loggedReason(/ONAIR_ERR_UNSUPPORTED/));
});

test('silence and a trickling handshake hit the handshake timeout', async () => {
  await controlKeepsFlowing(async () => {
    const silent = await RawRtmpPeer.open(server.ports.rtmp);
    const trickle = await RawRtmpPeer.open(server.ports.rtmp);
    trickle.send(Buffer.from([3]));
    const timer = setInterval(() => trickle.send(Buffer.alloc(1)), 100);
    try {
      assert.ok(await silent.closedWithin(3000), 'silent peer closed');
      assert.ok(await trickle.closedWithin(3000), 'trickling peer closed');
    } finally {
      clearInterval(timer);
    }
  });
  assert.ok(loggedReason(/handshake\/connect timeout/));
});

test('a flood of 200 idle connections is cut off and leaves nothing behind', async () => {
  const connectionsBefore = server.rtmpConnections();
  await controlKeepsFlowing(async () => {
    const peers = await Promise.all(Array.from({ length: 200 }, () => RawRtmpPeer.open(server.ports.rtmp)));
    const closed = await Promise.all(peers.map((p) => p.closedWithin(4000)));
    assert.equal(closed.filter(Boolean).length, 200);
  });
  await waitFor('connections back to baseline', () => server.rtmpConnections() === connectionsBefore);
});

test('peer-set sizes: chunk size 0 and 0x7fffffff, message length over the cap', async () => {
  for (const [what, bytes] of [
    ['chunk size 0', (p: RawRtmpPeer) => p.writer.write({ csid: 2, typeId: 1, streamId: 0, timestamp: 0, payload: Buffer.from([0, 0, 0, 0]) })],
    ['chunk size 2^31-1', (p: RawRtmpPeer) => p.writer.write({ csid: 2, typeId: 1, streamId: 0, timestamp: 0, payload: Buffer.from([0x7f, 0xff, 0xff, 0xff]) })],
    // fmt0 header on csid 4 declaring a 16 MiB - 1 message: refused before any allocation
    ['huge message', () => Buffer.from([0x04, 0, 0, 0, 0xff, 0xff, 0xff, 9, 1, 0, 0, 0])],
  ] as const) {
    await controlKeepsFlowing(async () => {
      const peer = await RawRtmpPeer.handshaken(server.ports.rtmp);
      peer.send(bytes(peer));
      assert.ok(await peer.closedWithin(CLOSED_AT_ONCE_MS), `${what}: connection closed`);
    });
  }
  assert.ok(loggedReason(/ONAIR_ERR_LIMIT/));
});

test('too many chunk streams at once, and a header referring to a chunk stream that does not exist', async () => {
  const many = await RawRtmpPeer.handshaken(server.ports.rtmp);
  const partials: Buffer[] = [];
  for (let csid = 3; csid < 3 + 70; csid++) {
    // each starts a 1000-byte message and sends only its first 128-byte chunk
    const full = many.writer.write({ csid, typeId: 9, streamId: 1, timestamp: 0, payload: Buffer.alloc(1000) });
    partials.push(full.subarray(0, 12 + 128));
  }
  many.send(Buffer.concat(partials));
  assert.ok(await many.closedWithin(CLOSED_AT_ONCE_MS), 'too many chunk streams: closed');
  const orphan = await RawRtmpPeer.handshaken(server.ports.rtmp);
  orphan.send(Buffer.from([0xc5])); // fmt3 on csid 5, never introduced
  assert.ok(await orphan.closedWithin(CLOSED_AT_ONCE_MS), 'orphan fmt3: closed');
});

test('deep and lying AMF in connect closes that connection only', async () => {
  await controlKeepsFlowing(async () => {
    const deep = await RawRtmpPeer.handshaken(server.ports.rtmp);
    // 1000 nested strict arrays of length 1
    const nested = Buffer.concat([Buffer.from([0x02, 0, 7, ...Buffer.from('connect'), 0x00, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0]),
      Buffer.concat(Array.from({ length: 1000 }, () => Buffer.from([0x0a, 0, 0, 0, 1]))), Buffer.from([0x05])]);
    deep.send(deep.writer.write({ csid: 3, typeId: 20, streamId: 0, timestamp: 0, payload: nested }));
    assert.ok(await deep.closedWithin(CLOSED_AT_ONCE_MS), 'deep AMF closed');
    const lying = await RawRtmpPeer.handshaken(server.ports.rtmp);
    const lie = Buffer.from([0x02, 0, 7, ...Buffer.from('connect'), 0x00, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0, 0x0a, 0xff, 0xff, 0xff, 0xff, 0x05]);
    lying.send(lying.writer.write({ csid: 3, typeId: 20, streamId: 0, timestamp: 0, payload: lie }));
    assert.ok(await lying.closedWithin(CLOSED_AT_ONCE_MS), 'lying AMF count closed');
  });
});

test('wrong-typed and out-of-order commands close that connection only', async () => {
  const cases: [string, (p: RawRtmpPeer) => void][] = [
    ['publish before connect', (p) => p.command(1, 'publish', 0, null, 'x', 'live')],
    ['connect twice', (p) => { p.connectApp(); p.connectApp(); }],
    ['connect with a numeric app', (p) => p.command(0, 'connect', 1, { app: 42 })],
    ['publish on a stream never created', (p) => { p.connectApp(); p.command(7, 'publish', 0, null, 'x', 'live'); }],
    ['command name not a string', (p) => p.send(p.writer.write({ csid: 3, typeId: 20, streamId: 0, timestamp: 0, payload: encodeAmf0(12, 1, null) }))],
    ['hostile app name', (p) => p.connectApp('../../etc')],
  ];
  for (const [what, act] of cases) {
    await controlKeepsFlowing(async () => {
      const peer = await RawRtmpPeer.handshaken(server.ports.rtmp);
      act(peer);
      assert.ok(await peer.closedWithin(CLOSED_AT_ONCE_MS), `${what}: closed`);
    });
  }
  assert.ok(loggedReason(/ONAIR_ERR_STATE/));
  assert.ok(loggedReason(/ONAIR_ERR_BAD_NAME/));
});

test('hostile stream names are refused with NetStream.Publish.BadName, never reaching the hub', async () => {
  const names = ['..', '../control', 'a/../../b', '%2e%2e%2fcontrol', 'x\u0000y', 'a'.repeat(2000), 'sp ace', 'ctl\r\nX-Injected: 1'];
  for (const name of names) {
    const client = await RtmpClient.connect(server.rtmpUrl('placeholder')).catch((e: Error) => e);
    if (client instanceof Error) throw client;
    const err = await client.publish(name).then(() => undefined, (e: Error) => e);
    assert.ok(err, `publish ${JSON.stringify(name.slice(0, 20))} must be refused`);
    client.destroy();
  }
  assert.deepEqual([...server.hub.streams()].map((s) => s.path), ['live/control']);
});

test('one stream reached through several spellings is one stream', async () => {
  const pub = await ffmpegPublish(server.rtmpUrl('Spelled'));
  try {
    await waitFor('active', () => server.hub.stream('live/spelled')?.isActive);
    for (const spelling of ['spelled', 'SPELLED', 'spelled?x=1', '%73pelled']) {
      const c = await RtmpClient.connect(server.rtmpUrl(spelling));
      await c.play();
      c.destroy();
    }
    assert.equal([...server.hub.streams()].filter((s) => s.path.startsWith('live/spel')).length, 1);
  } finally {
    await pub.kill();
  }
});

test('an abrupt disconnect mid-message unpublishes cleanly and players hear UnpublishNotify', async () => {
  const pubClient = await RtmpClient.connect(server.rtmpUrl('abrupt'));
  const streamId = await pubClient.publish();
  // a config + keyframe so the stream is live, then half of a large message
  pubClient.session.sendMedia(streamId, MessageType.VIDEO, 0, Buffer.from([0x17, 0, 0, 0, 0, 1, 0x64, 0, 0x1f, 0xff, 0xe0, 0x00]));
  const notified = new Promise<void>((resolve) => {
    void RtmpClient.connect(server.rtmpUrl('abrupt'), {
      onStatus: (_id, info) => { if (info.code === 'NetStream.Play.UnpublishNotify') resolve(); },
    }).then(async (player) => {
      await waitFor('publisher present', () => server.hub.stream('live/abrupt')?.publisher);
      await player.play().catch(() => {});
      const half = pubClient.session.writer.write({ csid: 6, typeId: 9, streamId, timestamp: 40, payload: Buffer.alloc(20_000, 1) });
      pubClient.socket.write(half.subarray(0, 5000));
      await sleep(100);
      pubClient.socket.destroy();
      setTimeout(() => player.destroy(), 3000).unref();
    });
  });
  await notified;
  await waitFor('publisher gone', () => !server.hub.stream('live/abrupt')?.publisher);
});

test('memory returns to baseline after 300 hostile connections', async () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const heap = async () => {
    for (let i = 0; i < 3; i++) {
      gc();
      await sleep(50);
    }
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers; // reassembly buffers live outside the JS heap
  };
  const baseline = await heap();
  for (let round = 0; round < 3; round++) {
    const peers = await Promise.all(Array.from({ length: 100 }, (_, i) => RawRtmpPeer.handshaken(server.ports.rtmp).then((p) => {
      // a mix: partial large messages (reassembly buffers), then an abrupt close or a protocol error
      p.send(p.writer.write({ csid: 3 + (i % 60), typeId: 9, streamId: 1, timestamp: 0, payload: Buffer.alloc(200_000) }).subarray(0, 60_000));
      if (i % 2) p.send(Buffer.from([0xc5 + 64]));
      return p;
    })));
    for (const p of peers) p.destroy();
    await waitFor('hostile connections gone', () => server.logs.length > 0 && !peers.some((p) => !p.closed), 5000);
  }
  await sleep(200);
  const grown = (await heap()) - baseline;
  assert.ok(grown < 8 * 1024 * 1024, `heap grew by ${(grown / 1048576).toFixed(1)} MiB`);
});

test('the key (publish name) never appears in a log line', () => {
  assert.ok(server.logs.length > 20);
  assert.ok(!server.logs.some((l) => l.includes('"control"') && l.includes('name')), 'stream names are logged redacted');
});
