import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { MediaPacket } from '../../src/core/media-packet.js';
import { describeConfig } from '../../src/codecs/index.js';
import { videoTagBody } from '../../src/formats/flv/index.js';
import { MessageType, type RtmpMessage } from '../../src/protocols/rtmp/index.js';
import { RtmpClient } from '../../src/servers/rtmp/rtmp-client.js';
import { startTestServer, type TestServer } from '../../support/onair.js';
import { tmpFile } from '../support/media.js';
import { mp4VideoSamples } from '../support/mp4-samples.js';
import { runOk, waitFor } from '../support/proc.js';

/**
 * Enhanced RTMP (veovera E-RTMP v1): HEVC from libx265 published by our client in ExVideoTagHeader form, and a
 * FourCC nobody knows; a player must receive every tag byte for byte (ffmpeg 5.1 can do neither over RTMP).
 */
let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(async () => server.close());

async function relay(name: string, bodies: { ts: number; body: Buffer }[]): Promise<Buffer[]> {
  const pub = await RtmpClient.connect(server.rtmpUrl(name));
  const streamId = await pub.publish();
  const got: RtmpMessage[] = [];
  // The first tags (config + keyframe) make the stream live; the player then sees them from the GOP cache.
  for (const b of bodies.slice(0, 2)) pub.session.sendMedia(streamId, MessageType.VIDEO, b.ts, b.body);
  await waitFor('stream live', () => server.hub.stream(`live/${name}`)?.isActive);
  const player = await RtmpClient.connect(server.rtmpUrl(name), { onMessage: (m) => { if (m.typeId === MessageType.VIDEO) got.push(m); } });
  await player.play();
  for (const b of bodies.slice(2)) pub.session.sendMedia(streamId, MessageType.VIDEO, b.ts, b.body);
  await waitFor('all tags relayed', () => got.length >= bodies.length, 10_000);
  pub.destroy();
  player.destroy();
  return got.map((m) => Buffer.from(m.payload));
}

test('HEVC over Enhanced RTMP (hvc1) is relayed byte for byte and its config understood', async () => {
  const mp4 = tmpFile('hevc.mp4');
  await runOk('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25', '-t', '2',
    '-c:v', 'libx265', '-preset', 'ultrafast', '-x265-params', 'log-level=error:bframes=2', '-g', '25', '-tag:v', 'hvc1', mp4]);
  const { config, samples } = await mp4VideoSamples(mp4, 'hvcC');
  const packets: MediaPacket[] = [
    { kind: 'video', codec: 'hvc1', role: 'config', dts: 0, cts: 0, keyframe: true, data: config },
    ...samples.map((s) => ({ kind: 'video' as const, codec: 'hvc1', role: 'frame' as const, dts: s.dtsMs + 100, cts: s.ctsMs, keyframe: s.keyframe, data: s.data })),
  ];
  const bodies = packets.map((p) => ({ ts: p.dts, body: videoTagBody(p) }));
  assert.equal(bodies[1]!.body[0]! & 0x80, 0x80, 'sent in ExVideoTagHeader form');
  const got = await relay('hevc', bodies);
  assert.equal(got.length, bodies.length);
  got.forEach((b, i) => assert.ok(b.equals(bodies[i]!.body), `tag ${i} differs`));
  const info = describeConfig(packets[0]!);
  assert.equal(info.width, 640);
  assert.equal(info.height, 360);
  assert.match(info.codecString ?? '', /^hvc1\.1\./);
});

test('an unknown FourCC and an unknown packet type are relayed untouched', async () => {
  const fourcc = Buffer.from('zzz9');
  const mk = (ts: number, frameType: number, packetType: number, payload: Buffer) => ({
    ts, body: Buffer.concat([Buffer.from([0x80 | (frameType << 4) | packetType]), fourcc, payload]),
  });
  const bodies = [
    mk(0, 1, 0, Buffer.from('opaque-config')),
    mk(0, 1, 1, Buffer.from([0, 0, 0, 1, 2, 3])),
    mk(40, 2, 1, Buffer.from([0, 0, 0, 9, 9])),
    mk(80, 2, 7, Buffer.from('mod-ex: packet type 7 with anything after it')),
    mk(120, 2, 15, Buffer.from('a packet type nobody has defined')),
    mk(160, 1, 3, Buffer.alloc(5000, 7)),
  ];
  const got = await relay('unknown4cc', bodies);
  assert.equal(got.length, bodies.length);
  got.forEach((b, i) => assert.ok(b.equals(bodies[i]!.body), `tag ${i} differs: ${b.subarray(0, 8).toString('hex')}`));
});
