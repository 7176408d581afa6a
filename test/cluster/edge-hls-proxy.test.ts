import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestServer } from '../../support/onair.js';
import { parseMasterPlaylist, parseMediaPlaylist } from '../../src/formats/m3u8/index.js';
import type { MasterPlaylist, MediaPlaylist } from '../../src/formats/m3u8/types.js';
import { EDGE_HLS_HEADER, signEdgeHlsRequest } from '../../src/services/edge/index.js';
import { startTestPostgres } from '../support/postgres.js';
import { freshPostgresDatabase } from '../support/api-harness.js';
import { startTestRedis, type TestRedis } from '../../support/redis-server.js';
import { serverApi, type ApiStream } from '../support/stream-api.js';
import { ffmpegPublish, ffmpegRecord, ffprobeFrameCounts } from '../support/clients.js';
import { tmpFile } from '../support/media.js';
import { parsePrometheusText } from '../support/prometheus-text.js';
import { waitFor, type Proc } from '../support/proc.js';
import { CLUSTER_SECRET, clusterNode, until } from './support.js';

/**
 * Issue 21, HLS from any node without sticky routing (`--edge-hls proxy`, the default): a stream published to A
 * is played by a client that takes every request to the other of B and C, as a round-robin load balancer would.
 * Every name and media sequence number is A's, so the playlist from B names segments C serves, and so on.
 */
let pg: { url: string; stop(): Promise<void> };
let redis: TestRedis;
let a: TestServer | undefined;
let b: TestServer | undefined;
let c: TestServer | undefined;
const pubs: Proc[] = [];
let signed: ApiStream;
let ladder: ApiStream;
let token: string;

/**
 * No lease expires here: leases of 5 s rather than the cluster tests' 0.9 s, so that a loaded machine (CI runs two test
 * files at once) stalling a renewal past 0.6 s does not take the stream from A, after which every edge answers 503.
 */
const HLS = { 'hls-segment-ms': 1000, 'hls-part-ms': 250, 'cluster-lease-ms': 5000 };

before(async () => {
  [pg, redis] = await Promise.all([startTestPostgres(), startTestRedis()]);
  const db = await freshPostgresDatabase(pg.url);
  const tag = Math.random().toString(36).slice(2, 6);
  a = await clusterNode(`a-${tag}`, db, redis.url, { auth: 'keys', ...HLS });
  b = await clusterNode(`b-${tag}`, db, redis.url, { auth: 'keys', ...HLS });
  c = await clusterNode(`c-${tag}`, db, redis.url, { auth: 'keys', ...HLS });
  signed = await serverApi(a, 'POST', '/streams', { settings: { playbackPolicy: 'signed' } }) as ApiStream;
  ladder = await serverApi(a, 'POST', '/streams', { settings: { ladder: [{ name: '180p', height: 180, videoBitrateKbps: 200 }] } }) as ApiStream;
  token = ((await serverApi(a, 'POST', `/streams/${signed.id}/playback-token`, { ttlSec: 600 })) as { token: string }).token;
  pubs.push(await ffmpegPublish(a.rtmpUrl(signed.streamKey)));
  await waitFor('the signed stream live on A', () => a!.hub.stream(`live/${signed.playbackId}`)?.isActive, 20_000);
  // The edges learn of the stream (playback directory) through PostgreSQL: until then their answer is 404.
  for (const edge of [b, c]) {
    await waitFor('the edge to know the stream', async () => (await fetch(edge.httpUrl(`/hls/${signed.playbackId}/index.m3u8?token=${token}`))).status === 200, 20_000, 200);
  }
});
after(async () => {
  for (const p of pubs) await p.kill('SIGKILL').catch(() => {});
  await Promise.all([b?.close(), c?.close()]);
  await a?.close();
  await redis?.stop();
  await pg?.stop();
});

async function get(server: TestServer, path: string, init?: RequestInit): Promise<{ status: number; body: Buffer; headers: Headers }> {
  const res = await fetch(server.httpUrl(path), init);
  return { status: res.status, body: Buffer.from(await res.arrayBuffer()), headers: res.headers };
}

/** The edge's HLS proxy series (onair_edge_hls_*) as one object, to compare before and after. */
async function proxyMetrics(server: TestServer): Promise<Record<string, number>> {
  const m = parsePrometheusText(await (await fetch(server.httpUrl('/metrics'))).text());
  const out: Record<string, number> = {};
  for (const result of ['hit', 'miss', 'coalesced']) out[result] = m.value('onair_edge_hls_cache_requests_total', { result }) ?? NaN;
  for (const outcome of ['ok', 'refused', 'error', 'timeout', 'busy']) out[outcome] = m.value('onair_edge_hls_upstream_requests_total', { outcome }) ?? NaN;
  out.bytes = m.value('onair_edge_hls_cache_bytes') ?? NaN;
  out.entries = m.value('onair_edge_hls_cache_entries') ?? NaN;
  return out;
}

async function hlsAnswers(server: TestServer, kind: string): Promise<number> {
  const text = await (await fetch(server.httpUrl('/metrics'))).text();
  return parsePrometheusText(text).value('onair_hls_request_duration_seconds_count', { kind, status: '200' }) ?? 0;
}

/** The URI of a playlist entry resolved against the playlist's own path, as a player resolves it. */
function resolve(base: string, uri: string): string {
  return new URL(uri, `http://x${base}`).pathname + new URL(uri, `http://x${base}`).search;
}

test('a client alternating B and C on every request plays one continuous stream: the owner\'s names and sequence numbers', async () => {
  const nodes = [b!, c!];
  let turn = 0;
  const next = (): TestServer => nodes[turn++ % 2]!;
  const id = signed.playbackId;

  const master = await get(next(), `/hls/${id}/index.m3u8?token=${token}`);
  assert.equal(master.status, 200);
  const variant = parseMasterPlaylist(master.body.toString()).variants[0]!;
  // The viewer's token is on the URIs of the playlists it gets (the owner was asked with the edge's own credentials).
  assert.equal(new URL(variant.uri, 'http://x/').searchParams.get('token'), token, variant.uri);
  const mediaPath = resolve(`/hls/${id}/index.m3u8`, variant.uri);

  const byMsn = new Map<number, string>();
  const fetched: Buffer[] = [];
  let initUri: string | undefined;
  let nextMsn: number | undefined;
  let playlists = 0;
  const deadline = Date.now() + 7000;
  while (Date.now() < deadline) {
    const node = next();
    const res = await get(node, mediaPath);
    assert.equal(res.status, 200, `playlist from node ${turn % 2}`);
    const p: MediaPlaylist = parseMediaPlaylist(res.body.toString());
    playlists++;
    p.segments.forEach((s, i) => {
      const msn = p.mediaSequence + i;
      const known = byMsn.get(msn);
      assert.ok(known === undefined || known === s.uri, `segment ${msn} is ${known} on one node and ${s.uri} on the other`);
      byMsn.set(msn, s.uri);
    });
    if (!initUri) {
      assert.ok(p.map, 'fMP4 playlist with EXT-X-MAP');
      initUri = p.map.uri;
      const init = await get(next(), resolve(mediaPath, initUri));
      assert.equal(init.status, 200, `init ${initUri}`);
      fetched.push(init.body);
    }
    nextMsn ??= p.mediaSequence + Math.max(0, p.segments.length - 2);
    for (let msn = nextMsn; msn < p.mediaSequence + p.segments.length; msn++) {
      const uri = p.segments[msn - p.mediaSequence]!.uri;
      assert.match(uri, new RegExp(`token=${token}`), 'segment URIs carry the viewer token');
      const seg = await get(next(), resolve(mediaPath, uri));
      assert.equal(seg.status, 200, `segment ${msn} (${uri}) from the other node`);
      fetched.push(seg.body);
      nextMsn = msn + 1;
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  assert.ok(playlists >= 8, `${playlists} playlists`);
  assert.ok(fetched.length >= 6, `${fetched.length - 1} segments fetched`);
  // One segment asked of both edges and of the owner: the same bytes.
  const lastUri = byMsn.get(nextMsn! - 1)!;
  const [onA, onB, onC] = await Promise.all([a!, b!, c!].map((s) => get(s, resolve(mediaPath, lastUri))));
  assert.deepEqual([onA!.status, onB!.status, onC!.status], [200, 200, 200]);
  assert.ok(onB!.body.equals(onA!.body) && onC!.body.equals(onA!.body), 'the same segment bytes on A, B and C');
  // The init segment and the contiguous segments decode as one fMP4 stream.
  const file = tmpFile('edge-hls-proxy.mp4');
  writeFileSync(file, Buffer.concat(fetched));
  const frames = await ffprobeFrameCounts(file);
  const seconds = fetched.length - 1; // ~1 s segments
  assert.ok(frames.video >= seconds * 25 * 0.6 && frames.audio >= seconds * 40 * 0.6, `${seconds} segments: ${JSON.stringify(frames)}`);
  // Proxied, not pulled: neither edge holds an RTMP pull of the stream.
  for (const edge of nodes) assert.ok(!edge.edge!.pulling.includes(`live/${id}`), 'no pull on the edge');
});

/**
 * A round-robin HTTP load balancer of the simplest kind: each request (not each connection) goes to the next node,
 * so a player's keep-alive connection still spreads its requests over every node.
 */
async function roundRobin(nodes: readonly TestServer[]): Promise<{ url: string; served: number[]; close(): void }> {
  const served = nodes.map(() => 0);
  let next = 0;
  const lb: Server = createServer((req, res) => {
    const i = next++ % nodes.length;
    served[i]!++;
    const up = request(nodes[i]!.httpUrl(req.url!), { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((r) => lb.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(lb.address() as AddressInfo).port}`, served, close: () => lb.close() };
}

test('ffmpeg behind a round-robin load balancer over B and C plays the stream (every request on the other node)', async () => {
  const lb = await roundRobin([b!, c!]);
  try {
    const out = tmpFile('edge-hls-lb.flv');
    const p = ffmpegRecord(`${lb.url}/hls/${signed.playbackId}/index.m3u8?token=${token}`, out, 4);
    assert.equal(await p.exited, 0, p.stderr());
    const frames = await ffprobeFrameCounts(out);
    // 25 fps: 4 s is 100 frames (a start at a keyframe allowed for).
    assert.ok(frames.video >= 80 && frames.audio >= 140, JSON.stringify(frames));
    assert.ok(lb.served.every((n) => n >= 4), `requests per node: ${lb.served.join()}`);
  } finally {
    lb.close();
  }
});

test('N concurrent viewers of one object on an edge make one request to the owner (segments and blocking reloads)', async () => {
  const id = signed.playbackId;
  const N = 25;
  const m0 = await proxyMetrics(c!);
  const beforeBlocking = await hlsAnswers(a!, 'playlist_blocking');
  // A part not made yet: the first of the segment after the one in progress on the owner now (1-2 s ahead, within the
  // owner's 3 s block). Every viewer's blocking reload waits for it on the owner, through one upstream request. (Not
  // the first part of the segment in progress, from the edge's playlist: often made already, so the owner answered at
  // once; on a loaded machine the 25 requests then straddled the edge's 1 s copy of that answer, and a second went upstream.)
  const p = parseMediaPlaylist((await get(a!, `/hls/${id}/src/media.m3u8?token=${token}`)).body.toString());
  const last = p.mediaSequence + p.segments.length - 1;
  const msn = last + 3;
  const reloads = await Promise.all(Array.from({ length: N }, () => get(c!, `/hls/${id}/src/media.m3u8?_HLS_msn=${msn}&_HLS_part=0&token=${token}`)));
  assert.ok(reloads.every((r) => r.status === 200), reloads.map((r) => r.status).join());
  const bodies = [...new Set(reloads.map((r) => r.body.toString()))];
  assert.equal(bodies.length, 1, `every viewer got the same playlist (asked for ${msn}.0): ${bodies.length} different ones, ${bodies.map((b) => b.split('\n').slice(-6).join(' ')).join(' || ')}`);
  assert.equal(await hlsAnswers(a!, 'playlist_blocking') - beforeBlocking, 1, 'one blocking reload reached the owner');

  // A segment nobody asked this edge for yet: `msn`, complete once part 0 of the next one exists (segment `last`
  // may already have been fetched through this edge by the ffmpeg of the test before, just before it stopped).
  const next = await get(c!, `/hls/${id}/src/media.m3u8?_HLS_msn=${msn + 1}&_HLS_part=0&token=${token}`);
  assert.equal(next.status, 200);
  const fresh = parseMediaPlaylist(next.body.toString());
  const seg = fresh.segments[msn - fresh.mediaSequence]!;
  assert.ok(seg, `segment ${msn} in ${next.body.toString()}`);
  const path = resolve(`/hls/${id}/src/media.m3u8`, seg.uri);
  const beforeSegments = await hlsAnswers(a!, 'segment');
  const answers = await Promise.all(Array.from({ length: N }, () => get(c!, path)));
  assert.ok(answers.every((r) => r.status === 200 && r.body.equals(answers[0]!.body)), 'every viewer got the segment');
  // And later viewers are served from the edge's cache.
  assert.equal((await get(c!, path)).status, 200);
  assert.equal(await hlsAnswers(a!, 'segment') - beforeSegments, 1, 'one segment request reached the owner');
  assert.equal(answers[0]!.headers.get('cache-control'), 'public, max-age=31536000, immutable');

  // A segment the owner does not have: its 404 is passed on, counted as refused (and not cached: asked again).
  const missing = path.replace(/seg-([^-]+)-\d+\.m4s/, 'seg-$1-99999999.m4s');
  assert.notEqual(missing, path);
  assert.equal((await get(c!, missing)).status, 404);
  assert.equal((await get(c!, missing)).status, 404);

  // The edge's metrics moved by exactly these requests: 3 objects asked of the owner by N + 1 + (N + 1) viewers, then 2 refusals.
  const m1 = await proxyMetrics(c!);
  const delta = (k: string): number => m1[k]! - m0[k]!;
  assert.deepEqual({ ok: delta('ok'), refused: delta('refused'), error: delta('error'), timeout: delta('timeout'), busy: delta('busy') },
    { ok: 3, refused: 2, error: 0, timeout: 0, busy: 0 }, JSON.stringify({ m0, m1 }));
  assert.equal(delta('miss'), 5, 'one miss per upstream request');
  // The other viewers joined the request in flight or, arriving after it, found the cached answer; the late one a hit.
  assert.equal(delta('hit') + delta('coalesced'), (N - 1) + N, JSON.stringify({ m0, m1 }));
  assert.ok(delta('hit') >= 1, 'the later viewer was a cache hit');
  assert.ok(m1.bytes! >= answers[0]!.body.length + reloads[0]!.body.length && m1.entries! >= 2, JSON.stringify(m1));
});

test('viewer policy on the edge; the edge-to-owner token is checked: forged, expired and other-path tokens refused', async () => {
  const id = signed.playbackId;
  const master = `/hls/${id}/index.m3u8`;
  // No viewer token: refused on the edge as on the owner.
  assert.equal((await get(b!, master)).status, 403);
  assert.equal((await get(b!, `${master}?token=forged`)).status, 403);
  // A viewer cannot pass for an edge: a forged header is refused, not answered with the owner's media.
  const forged = `${Math.floor(Date.now() / 1000) + 30}.${'A'.repeat(43)} live/${id}`;
  assert.equal((await get(b!, master, { headers: { [EDGE_HLS_HEADER]: forged } })).status, 403);
  // On the owner: a valid edge token skips viewer auth (this signed stream needs no viewer token then)...
  const ok = signEdgeHlsRequest(CLUSTER_SECRET, master, `live/${id}`);
  assert.equal((await get(a!, master, { headers: { [EDGE_HLS_HEADER]: ok } })).status, 200);
  // ...an expired one, one for another path, one under another secret, or one naming another stream are not.
  const refused = [
    signEdgeHlsRequest(CLUSTER_SECRET, master, `live/${id}`, Math.floor(Date.now() / 1000) - 120),
    signEdgeHlsRequest(CLUSTER_SECRET, `/hls/${id}/src/media.m3u8`, `live/${id}`),
    signEdgeHlsRequest('not-the-cluster-secret', master, `live/${id}`),
    `${ok.split(' ')[0]} live/${ladder.playbackId}`,
    forged,
    '',
  ];
  for (const header of refused) {
    const res = await get(a!, master, { headers: { [EDGE_HLS_HEADER]: header } });
    assert.equal(res.status, 403, `header ${JSON.stringify(header)}`);
  }
  assert.ok(a!.logs.some((l) => l.includes('"edge HLS request refused"') && l.includes('"expired"')));
  assert.ok(a!.logs.every((l) => !l.includes(ok.split(' ')[0]!)), 'no token in the logs');
  // A stream nobody publishes: 404 stream_not_live from the edge, as before.
  const none = await get(b!, '/hls/nosuchstream/index.m3u8');
  assert.equal(none.status, 404);
});

test('ABR ladder: the edge\'s master playlist is the owner\'s (same renditions), and a rendition plays from the other node', async () => {
  pubs.push(await ffmpegPublish(a!.rtmpUrl(ladder.streamKey)));
  await waitFor('the 180p rendition on A', () => a!.transcode.renditions(`live/${ladder.playbackId}`).length === 2, 30_000, 100);
  const masterOf = async (s: TestServer): Promise<MasterPlaylist | undefined> => {
    const res = await get(s, `/hls/${ladder.playbackId}/index.m3u8`);
    if (res.status !== 200) return undefined;
    const m = parseMasterPlaylist(res.body.toString());
    return m.variants.length === 2 ? m : undefined;
  };
  await until(async () => (await masterOf(a!)) !== undefined && (await masterOf(b!)) !== undefined, 'both masters to list the ladder');
  const shape = (m: MasterPlaylist) => m.variants.map((v) => ({ uri: v.uri, resolution: v.resolution, codecs: v.codecs }));
  assert.deepEqual(shape((await masterOf(b!))!), shape((await masterOf(a!))!));
  // The rendition's playlist from B, its newest segment from C.
  const p = parseMediaPlaylist((await get(b!, `/hls/${ladder.playbackId}/180p/media.m3u8`)).body.toString());
  const seg = p.segments[p.segments.length - 1]!;
  const res = await get(c!, resolve(`/hls/${ladder.playbackId}/180p/media.m3u8`, seg.uri));
  assert.equal(res.status, 200, seg.uri);
  // No rendition pulled or transcoded on the edge: the owner's ladder is what the edge lists.
  assert.ok(!b!.edge!.pulling.some((path) => path.startsWith(`live/${ladder.playbackId}`)), 'nothing pulled on B');
  assert.equal(b!.transcode.renditions(`live/${ladder.playbackId}`).length, 0);
});
