import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { rtmpdumpLive } from '../support/clients.js';
import { ffmpegViewer, wsFlvViewer } from '../support/playback-viewers.js';
import { sleep, waitFor, type Proc } from '../support/proc.js';
import { publishToWorkers, startWorkersServer, type WorkersServer } from '../support/workers-server.js';

/**
 * `--workers 2`: RTMP, HTTP-FLV and WS-FLV players of one stream on the worker that owns it and on the other (each on
 * a worker's own loopback ports); the owner's health API and its Prometheus gauge count each player once for the
 * machine: the other worker's internal pull is not a viewer, and the players it serves through that pull are reported
 * to the owner and added. Then the other worker's players leave (its pull lingers, still not a viewer), and they come
 * back and their worker is killed (it stops reporting: the owner drops its count after the TTL).
 */
const API_TOKEN = 'workers-play-viewers-token-012345';

describe('--workers 2: RTMP and FLV viewers of a stream, wherever they land', () => {
  let server: WorkersServer;
  let pub: Proc | undefined;
  let stream: { id: string; playbackId: string; streamKey: string };
  const owner = { http: 0, rtmp: 0 };
  const other = { http: 0, rtmp: 0, pid: 0, worker: 0 };
  const players: { stop(): Promise<unknown> }[] = [];

  interface Health { state: string; viewers: { rtmp: number; hls: number; flv: number; total: number } }
  const health = (port: number): Promise<Health> => server.api<Health>('GET', `/streams/${stream.id}/health`, undefined, `http://127.0.0.1:${port}`);
  const viewers = async (port: number): Promise<string> => {
    const v = (await health(port)).viewers;
    return `rtmp ${v.rtmp} flv ${v.flv} hls ${v.hls} total ${v.total}`;
  };

  async function gauge(port: number, protocol: string): Promise<number> {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith('onair_stream_viewers{') && l.includes(`stream="${stream.id}"`) && l.includes(`protocol="${protocol}"`));
    return Number(line?.split(' ').at(-1) ?? NaN);
  }

  /** The owner's health settles on `want` and holds it for a few rounds (no pull counted, no report lost). */
  async function ownerCounts(what: string, want: string, timeoutMs = 20_000): Promise<void> {
    const seen: string[] = [];
    await waitFor(what, async () => {
      seen.push(await viewers(owner.http));
      return seen.at(-1) === want;
    }, timeoutMs, 500).catch(() => assert.fail(`${what}: the owner's health read ${seen.join(' | ')}; want ${want}`));
    for (let i = 0; i < 4; i++) {
      await sleep(600);
      seen.push(await viewers(owner.http));
      assert.equal(seen.at(-1), want, `${what}, held: ${seen.join(' | ')}`);
    }
  }

  const rtmpUrl = (port: number): string => `rtmp://127.0.0.1:${port}/live/${stream.playbackId}`;
  const flvUrl = (port: number): string => `http://127.0.0.1:${port}/live/${stream.playbackId}.flv`;
  const ffmpegPlayer = (url: string): { stop(): Promise<unknown> } => {
    const p = ffmpegViewer(url);
    return { stop: () => p.kill('SIGKILL') };
  };
  // On the shared port (a worker's loopback HTTP port serves HTTP only, no WebSocket upgrade): either worker.
  const wsPlayer = (): { stop(): Promise<unknown> } => {
    const ws = wsFlvViewer(`${server.http.replace('http:', 'ws:')}/ws/live/${stream.playbackId}.flv`);
    return { stop: async () => ws.stop() };
  };
  let dumps = 0;
  const rtmpdumpPlayer = (port: number): { stop(): Promise<unknown> } => {
    const dump = rtmpdumpLive(rtmpUrl(port), join(server.dataDir, `dump-${++dumps}.flv`), { video: 1, audio: 1 }, 60_000);
    dump.received.catch(() => {}); // a player killed with its worker need not have received anything
    return dump;
  };

  /** The other worker's players: 2 RTMP (ffmpeg, rtmpdump), 2 HTTP-FLV (ffmpeg). */
  function playOnOther(): { stop(): Promise<unknown> }[] {
    return [ffmpegPlayer(rtmpUrl(other.rtmp)), rtmpdumpPlayer(other.rtmp), ffmpegPlayer(flvUrl(other.http)), ffmpegPlayer(flvUrl(other.http))];
  }

  before(async () => {
    server = await startWorkersServer(API_TOKEN, ['--no-hls', '--edge-grace-ms', '30000']);
    stream = await server.api('POST', '/streams', {});
    const published = await publishToWorkers(server, stream.streamKey);
    pub = published.pub;
    Object.assign(owner, published.owner.internal);
    Object.assign(other, published.other.internal, { pid: published.other.pid, worker: published.other.worker });
    assert.ok(owner.rtmp && other.rtmp && other.pid, 'both workers\' internal ports logged');
    await waitFor('the stream\'s health on its owner', async () => (await health(owner.http)).state !== 'offline', 30_000, 250);
  });
  after(async () => {
    await Promise.all(players.map((p) => p.stop()));
    await server?.close([pub]);
  });

  test('3 players on the owner, 4 on the other worker, 1 WS-FLV on either: rtmp 4, flv 4; the internal pull is no viewer', async () => {
    // On the owner: 2 RTMP (ffmpeg), 1 HTTP-FLV.
    players.push(ffmpegPlayer(rtmpUrl(owner.rtmp)), ffmpegPlayer(rtmpUrl(owner.rtmp)), ffmpegPlayer(flvUrl(owner.http)));
    const there = [...playOnOther(), wsPlayer()];
    players.push(...there);
    await waitFor('the other worker pulling', () => server.lines().some((l) => l.msg === 'edge pull live' && l.worker === other.worker), 30_000, 200);
    await ownerCounts('all eight players', 'rtmp 4 flv 4 hls 0 total 8');
    assert.equal(await gauge(owner.http, 'rtmp'), 4, 'onair_stream_viewers{protocol="rtmp"} on the owner');
    assert.equal(await gauge(owner.http, 'flv'), 4, 'onair_stream_viewers{protocol="flv"} on the owner');
    // Asked of the other worker: the owner answers.
    assert.equal(await viewers(other.http), 'rtmp 4 flv 4 hls 0 total 8', 'the health API on the other worker');

    // The other worker's players (and the WS-FLV one) leave; its pull stays for --edge-grace-ms, still not a viewer.
    await Promise.all(there.map((p) => p.stop()));
    players.splice(players.length - there.length);
    await ownerCounts('the owner\'s three players alone (the other worker reports none, its pull lingers)', 'rtmp 2 flv 1 hls 0 total 3');
  });

  test('a worker that stops reporting (killed with its players) drops out of the owner\'s count', async () => {
    const there = playOnOther();
    players.push(...there);
    await ownerCounts('the players back on the other worker', 'rtmp 4 flv 3 hls 0 total 7');
    process.kill(other.pid, 'SIGKILL');
    await ownerCounts('the owner\'s three players after the other worker died', 'rtmp 2 flv 1 hls 0 total 3', 15_000);
  });
});
