import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TestServer } from '../../support/onair.js';
import { parseMasterPlaylist } from '../../src/formats/m3u8/index.js';
import type { MasterPlaylist } from '../../src/formats/m3u8/types.js';
import { startTestPostgres } from '../support/postgres.js';
import { freshPostgresDatabase } from '../support/api-harness.js';
import { startTestRedis, type TestRedis } from '../../support/redis-server.js';
import { serverApi, type ApiStream } from '../support/stream-api.js';
import { ffmpegPublish, ffmpegRecord, ffprobeFrameCounts, ffprobeStreams } from '../support/clients.js';
import { tmpFile } from '../support/media.js';
import { waitFor, type Proc } from '../support/proc.js';
import { CLUSTER_SECRET, clusterNode, until } from './support.js';
import { EDGE_TOKEN_PARAM, signEdgeToken } from '../../src/services/edge/index.js';
import { rtmpPlayOutcome } from '../support/rtmp-play.js';

/**
 * Issue 21, ABR through an edge that packages HLS itself (`--edge-hls local`): a stream with a (tiny, one-rung)
 * ladder published to node A is transcoded there; an HLS viewer on node B gets the same master playlist, the
 * rendition pulled from A over the cluster relay.
 */
let pg: { url: string; stop(): Promise<void> };
let redis: TestRedis;
let a: TestServer | undefined;
let b: TestServer | undefined;
let pub: Proc | undefined;
let stream: ApiStream;

/**
 * No lease expires here: leases of 5 s rather than the cluster tests' 0.9 s. Paired with owner-move-abr (both
 * transcoding) on a loaded machine, A logged 'lease expired (not renewed within 900 ms)' 5 s after the publish,
 * kicked its publisher, and the 180p rendition never came.
 */
const HLS = { 'hls-segment-ms': 500, 'hls-part-ms': 200, 'cluster-lease-ms': 5000 };
const GRACE_MS = 1500;

before(async () => {
  [pg, redis] = await Promise.all([startTestPostgres(), startTestRedis()]);
  const db = await freshPostgresDatabase(pg.url);
  const tag = Math.random().toString(36).slice(2, 6);
  // One after the other: the second must see the first in the registry.
  a = await clusterNode(`a-${tag}`, db, redis.url, { auth: 'keys', ...HLS });
  // --edge-hls local: this file is about the edge's own ABR pulls (proxied ABR: edge-hls-proxy.test.ts).
  b = await clusterNode(`b-${tag}`, db, redis.url, { auth: 'keys', 'edge-grace-ms': GRACE_MS, 'edge-hls': 'local', ...HLS });
  stream = await serverApi(a, 'POST', '/streams', { settings: { ladder: [{ name: '180p', height: 180, videoBitrateKbps: 200 }] } }) as ApiStream;
  pub = await ffmpegPublish(a.rtmpUrl(stream.streamKey));
  await waitFor('the 180p rendition on A', () => a!.transcode.renditions(`live/${stream.playbackId}`).length === 2, 30_000, 100);
});
after(async () => {
  await pub?.kill('SIGKILL');
  await b?.close();
  await a?.close();
  await redis?.stop();
  await pg?.stop();
});

async function master(server: TestServer, n: number): Promise<MasterPlaylist> {
  return waitFor(`a master playlist with ${n} variants`, async () => {
    const res = await fetch(server.httpUrl(`/hls/${stream.playbackId}/index.m3u8`));
    if (res.status !== 200) return undefined;
    const m = parseMasterPlaylist(await res.text());
    return m.variants.length >= n ? m : undefined;
  }, 30_000, 250);
}

test('HLS on the edge: the same renditions as on the owner, and a rendition\'s segments decode with frames', async () => {
  const onA = await master(a!, 2);
  // B pulls the source and the rendition on the first master request; the first answer already lists both.
  const first = await fetch(b!.httpUrl(`/hls/${stream.playbackId}/index.m3u8`));
  assert.equal(first.status, 200);
  assert.equal(parseMasterPlaylist(await first.text()).variants.length, 2, 'the first master on B lists the ladder');
  const onB = await master(b!, 2);
  const shape = (m: MasterPlaylist) => m.variants.map((v) => ({ uri: v.uri, resolution: v.resolution, codecs: v.codecs }));
  assert.deepEqual(shape(onB), shape(onA));
  assert.deepEqual(onB.variants.map((v) => v.uri.split('/')[0]), ['src', '180p']);
  // BANDWIDTH is measured over each node's own window (B's first segment may be a short one holding a whole GOP, a
  // high peak until it leaves the window): within a factor of two of the owner's, not byte-identical.
  const near = (x: MasterPlaylist, y: MasterPlaylist) => x.variants.every((v, i) => v.bandwidth > y.variants[i]!.bandwidth / 2 && v.bandwidth < y.variants[i]!.bandwidth * 2);
  await until(async () => near(await master(b!, 2), await master(a!, 2)), 'BANDWIDTH on B close to A\'s');
  const path = `live/${stream.playbackId}/180p`;
  assert.equal(b!.hub.stream(path)?.publisher?.info.protocol, 'edge', 'the rendition is pulled, not transcoded on B');
  assert.equal(b!.transcode.renditions(`live/${stream.playbackId}`).length, 0, 'no transcoding on the edge');

  const out = tmpFile('edge-abr.flv');
  const p = ffmpegRecord(b!.httpUrl(`/hls/${stream.playbackId}/180p/media.m3u8`), out, 2);
  assert.equal(await p.exited, 0, p.stderr());
  const frames = await ffprobeFrameCounts(out);
  assert.ok(frames.video >= 25, `rendition video frames on B: ${JSON.stringify(frames)}`);
  // A viewer of a rendition path is authorised on B like any viewer: without the stream there is nothing.
  assert.equal((await fetch(b!.httpUrl('/hls/nosuchstream/180p/media.m3u8'))).status, 404);
  await until(() => b!.edge!.pulling.includes(path), 'the rendition pull to be listed');
});

test('RTMP play and HTTP-FLV of a rendition path on the edge get the rendition (pulled through the same relay)', async () => {
  const probed = await ffprobeStreams(b!.rtmpUrl(`${stream.playbackId}/180p`));
  const video = probed.find((s) => s.codec_type === 'video');
  assert.equal(video?.height, 180, JSON.stringify(probed));
  const overFlv = await ffprobeStreams(b!.httpUrl(`/live/${stream.playbackId}/180p.flv`));
  assert.equal(overFlv.find((s) => s.codec_type === 'video')?.height, 180, JSON.stringify(overFlv));
});

test('on the owner, a relay token covers only the exact path it names: the source\'s token does not play a rendition', async () => {
  const rendition = `live/${stream.playbackId}/180p`;
  const playWith = (token: string): Promise<string> => rtmpPlayOutcome(`rtmp://127.0.0.1:${a!.ports.rtmp}/${rendition}?${EDGE_TOKEN_PARAM}=${token}`);
  assert.equal(await playWith(signEdgeToken(CLUSTER_SECRET, rendition)), 'played');
  const refused = await playWith(signEdgeToken(CLUSTER_SECRET, `live/${stream.playbackId}`));
  // Refused as a token, not played through viewer auth (which would let this public stream play).
  assert.match(refused, /internal pull token refused/);
});

test('with no viewer left, the source and rendition pulls stop after the grace period, as the source pull always did', async () => {
  const paths = [`live/${stream.playbackId}`, `live/${stream.playbackId}/180p`];
  await until(() => paths.every((p) => !b!.edge!.pulling.includes(p)), 'both pulls to stop on B');
  // A's only RTMP connection left is the publisher: both relays (source and rendition) are gone.
  await until(() => a!.rtmpConnections() === 1, 'A to see both relays go');
});
