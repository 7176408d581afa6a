import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { WebSocket } from 'ws';
import { FlvReader, type FlvFileHeaderInfo, type FlvTag } from '../../src/formats/flv/index.js';
import { startTestServer, type TestServer } from '../../support/onair.js';
import { ffmpegPublish, ffmpegRecord, ffprobeFrameCounts, ffprobeStreams } from '../support/clients.js';
import { tmpFile, type ClipName } from '../support/media.js';
import { type Proc, waitFor } from '../support/proc.js';

let server: TestServer;
const publishers: Proc[] = [];
before(async () => {
  server = await startTestServer();
});
after(async () => {
  await Promise.all(publishers.map((p) => p.kill()));
  await server.close();
});

async function publish(name: string, clipName: ClipName = 'av.flv'): Promise<void> {
  publishers.push(await ffmpegPublish(server.rtmpUrl(name), clipName));
  await waitFor(`${name} active`, () => server.hub.stream(`live/${name}`)?.isActive, 20_000);
}

/** FLV viewers of a stream (other outputs, such as the HLS packager, subscribe too). */
function viewers(name: string, protocol: 'flv' | 'ws-flv'): number {
  return [...server.hub.stream(`live/${name}`)!.subscriptions()].filter((s) => s.info.protocol === protocol).length;
}

/** Reads an HTTP-FLV response until `want` tags arrived (bounded), then disconnects. */
function readFlv(path: string, want: number, headers: Record<string, string> = {}) {
  return new Promise<{ res: IncomingMessage; header?: FlvFileHeaderInfo; tags: FlvTag[] }>((resolve, reject) => {
    const req = httpRequest(server.httpUrl(path), { headers }, (res) => {
      const reader = new FlvReader();
      const out: { res: IncomingMessage; header?: FlvFileHeaderInfo; tags: FlvTag[] } = { res, tags: [] };
      const timer = setTimeout(() => finish(), 15_000);
      const finish = () => {
        clearTimeout(timer);
        req.destroy();
        resolve(out);
      };
      if (res.statusCode !== 200) return finish();
      res.on('data', (b: Buffer) => {
        const r = reader.push(b);
        out.header ??= r.header;
        out.tags.push(...r.tags);
        if (out.tags.length >= want) finish();
      });
      res.on('end', finish);
    });
    req.on('error', reject);
    req.end();
  });
}

test('ffprobe reads HTTP-FLV and finds H.264 + AAC', async () => {
  await publish('probe');
  const streams = await ffprobeStreams(server.httpUrl('/live/probe.flv'));
  assert.deepEqual(streams.map((s) => s.codec_name).sort(), ['aac', 'h264']);
  const v = streams.find((s) => s.codec_type === 'video')!;
  assert.deepEqual([v.width, v.height], [640, 360]);
});

test('ffmpeg records 3 s of HTTP-FLV with video and audio frames', async () => {
  await publish('record');
  const out = tmpFile('record.flv');
  const code = await ffmpegRecord(server.httpUrl('/live/record.flv'), out, 3).exited;
  assert.equal(code, 0);
  const counts = await ffprobeFrameCounts(out);
  assert.ok(counts.video >= 50, `video frames ${counts.video}`);
  assert.ok(counts.audio >= 100, `audio frames ${counts.audio}`);
});

test('a response is chunked live FLV with CORS, starts with a keyframe, and its header flags match', async () => {
  await publish('headers');
  const { res, header, tags } = await readFlv('/live/headers.flv', 40, { origin: 'https://player.example' });
  assert.equal(res.statusCode, 200);
  assert.equal(res.headers['content-type'], 'video/x-flv');
  assert.equal(res.headers['content-length'], undefined);
  assert.equal(res.headers['transfer-encoding'], 'chunked');
  assert.equal(res.headers['access-control-allow-origin'], 'https://player.example');
  assert.equal(res.headers['access-control-allow-credentials'], 'true');
  assert.deepEqual([header?.audio, header?.video], [true, true]);
  assert.equal(tags[0]!.typeId, 18, 'onMetaData first');
  const firstFrame = tags.find((t) => t.typeId === 9 && t.body[1] === 1)!;
  assert.equal(firstFrame.body[0]! >> 4, 1, 'the first video frame is a keyframe');
  const noOrigin = await readFlv('/live/headers.flv', 1);
  assert.equal(noOrigin.res.headers['access-control-allow-origin'], '*');
});

test('audio-only and video-only streams announce only their track', async () => {
  await publish('aonly', 'audio-only.flv');
  await publish('vonly', 'video-only.flv');
  const a = await readFlv('/live/aonly.flv', 10);
  assert.deepEqual([a.header?.audio, a.header?.video], [true, false]);
  assert.ok(a.tags.every((t) => t.typeId !== 9));
  const v = await readFlv('/live/vonly.flv', 10);
  assert.deepEqual([v.header?.audio, v.header?.video], [false, true]);
  assert.ok(v.tags.every((t) => t.typeId !== 8));
  // A second of the stream (its audio, were there any, is interleaved with the video): at its default 5 s, ffprobe
  // waited out the whole analyze duration for an audio track that never comes.
  assert.deepEqual((await ffprobeStreams(server.httpUrl('/live/vonly.flv'), ['-analyzeduration', '1000000'])).map((s) => s.codec_name), ['h264']);
});

test('OPTIONS preflight answers for the asked headers', async () => {
  const res = await fetch(server.httpUrl('/live/any.flv'), {
    method: 'OPTIONS',
    headers: { origin: 'https://player.example', 'access-control-request-method': 'GET', 'access-control-request-headers': 'range, x-token' },
  });
  assert.equal(res.status, 204);
  assert.equal(res.headers.get('access-control-allow-origin'), 'https://player.example');
  assert.equal(res.headers.get('access-control-allow-headers'), 'range, x-token');
  assert.match(res.headers.get('access-control-allow-methods') ?? '', /GET/);
});

test('unknown streams and hostile names get a fast 404, over HTTP and before any WebSocket upgrade', async () => {
  for (const path of ['/live/nobody.flv', '/live/..%2f..%2fetc.flv', '/live/a%00b.flv', '/live/a.b.flv', '/live/nobody.mp4', '/live/.flv', '/live/NoBody.flv']) {
    const res = await fetch(server.httpUrl(path));
    assert.equal(res.status, 404, path);
    await res.arrayBuffer();
  }
  // Over fastify's parameter length cap: refused before the route runs.
  const huge = await fetch(server.httpUrl(`/live/${'x'.repeat(300)}.flv`));
  assert.ok([404, 414].includes(huge.status), `huge name: ${huge.status}`);
  const status = await new Promise<number>((resolve) => {
    const ws = new WebSocket(server.httpUrl('/ws/live/nobody.flv').replace('http', 'ws'));
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on('open', () => resolve(101));
    ws.on('error', () => {});
  });
  assert.equal(status, 404);
  assert.equal(server.hub.stream('live/nobody'), undefined, 'no stream was created by the lookups');
});

test('WS-FLV delivers an FLV header and tags in binary frames', async () => {
  await publish('wsflv');
  const ws = new WebSocket(server.httpUrl('/ws/live/wsflv.flv').replace('http', 'ws'));
  const reader = new FlvReader();
  let header: FlvFileHeaderInfo | undefined;
  const tags: FlvTag[] = [];
  let textFrames = 0;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('WS-FLV: too few tags')), 15_000);
    ws.on('message', (data, isBinary) => {
      if (!isBinary) textFrames++;
      const r = reader.push(data as Buffer);
      header ??= r.header;
      tags.push(...r.tags);
      if (tags.length >= 60) {
        clearTimeout(timer);
        resolve();
      }
    });
    ws.on('error', reject);
  });
  assert.equal(textFrames, 0);
  assert.deepEqual([header?.audio, header?.video], [true, true]);
  assert.ok(tags.filter((t) => t.typeId === 9).length >= 20);
  assert.ok(tags.filter((t) => t.typeId === 8).length >= 20);
  const subs = () => viewers('wsflv', 'ws-flv');
  assert.equal(subs(), 1);
  // What the player sends reaches the server's WebSocket (the lean HLS front handed the connection to Node).
  const bounded = <T>(what: string, p: Promise<T>): Promise<T> =>
    Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no ${what}`)), 10_000).unref())]);
  const pong = once(ws, 'pong');
  ws.ping('p');
  assert.equal(String((await bounded('pong', pong))[0]), 'p');
  const closed = once(ws, 'close');
  ws.close(1000);
  assert.equal((await bounded('close', closed))[0], 1000, 'the server answered the close handshake');
  await waitFor('ws viewer gone', () => subs() === 0);
});

test('a viewer that disconnects leaves the hub', async () => {
  await publish('leave');
  await readFlv('/live/leave.flv', 5);
  await waitFor('http viewer gone', () => viewers('leave', 'flv') === 0);
});
