import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { oneAtATime, sleep, waitFor, type Proc } from '../support/proc.js';
import { publishToWorkers, startWorkersServer, type WorkersServer } from '../support/workers-server.js';
import { HlsFollower } from '../support/hls-follower.js';
import { firstHealthEvent } from '../support/health-feed.js';

/**
 * `--workers 2`: HLS viewers of one stream land on the worker that owns it, on the other, and one on both (its
 * requests alternate between them); the health API and the Prometheus gauge of the stream count each viewer once,
 * and its bytes out are the bytes the viewers received: the other worker's requests for its copy are not viewers.
 * Each viewer is a real HTTP client following the playlist (master, media playlist reloads, every new segment) on
 * its own connections, told apart by its user agent (all come from 127.0.0.1), on a worker's own loopback port.
 * Twice: with each worker's copy of the owner's answers (the default), and with --no-hls-worker-cache (the other
 * worker forwards each request to the owner, which must not count the forwarded ones: the other worker counts them).
 */
const API_TOKEN = 'workers-viewers-token-0123456789';

/**
 * The two copies run side by side (below): what follows a start mostly waits (viewers following the playlist, health
 * rounds, the sessions' end); the starts themselves, CPU, one at a time.
 */
const startOneAtATime = oneAtATime();

/** The suite against `--workers 2` with `flags` (each copy starts its own server and PostgreSQL). */
function viewersUnderWorkers(mode: string, flags: readonly string[]): void {
  describe(`--workers 2, ${mode}: HLS viewers of a stream, wherever they land`, () => {
    let server: WorkersServer;
    let pub: Proc | undefined;
    let stream: { id: string; playbackId: string; streamKey: string };
    /** Internal HTTP ports: of the worker owning the stream, of the other. */
    let ownerPort = 0;
    let otherPort = 0;

    interface Health { state: string; viewers: { rtmp: number; hls: number; flv: number; total: number }; bytesOut: number }
    const health = (port: number): Promise<Health> => server.api<Health>('GET', `/streams/${stream.id}/health`, undefined, `http://127.0.0.1:${port}`);

    before(async () => {
      server = await startOneAtATime(() => startWorkersServer(API_TOKEN, ['--hls-segment-ms', '500', ...flags]));
      stream = await server.api('POST', '/streams', {});
      const published = await publishToWorkers(server, stream.streamKey);
      pub = published.pub;
      ownerPort = published.owner.internal!.http;
      otherPort = published.other.internal!.http;
      await waitFor('the stream\'s health on its owner', async () => (await health(ownerPort)).state !== 'offline', 30_000, 250);
    });
    after(async () => {
      await server?.close([pub]);
    });

    async function viewersGauge(port: number): Promise<number> {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      const line = text.split('\n').find((l) => l.startsWith('onair_stream_viewers{') && l.includes(`stream="${stream.id}"`) && l.includes('protocol="hls"'));
      return Number(line?.split(' ').at(-1) ?? NaN);
    }

    test('five viewers on one worker or the other and one on both: six sessions, each once, and their bytes are the stream\'s bytes out', async (t) => {
      // What the readiness checks served, settled: the viewers' bytes are counted from here.
      await sleep(2_500);
      const baseline = (await health(ownerPort)).bytesOut;
      const viewers = [
        ...[1, 2, 3].map((i) => new HlsFollower(stream.playbackId, `owner-viewer/${i}`, [ownerPort])),
        ...[1, 2].map((i) => new HlsFollower(stream.playbackId, `other-viewer/${i}`, [otherPort])),
        new HlsFollower(stream.playbackId, 'both-viewer/1', [ownerPort, otherPort]),
      ].map((v) => v.start());
      const seen: number[] = [];
      let stoppedAt = 0;
      try {
        await waitFor('six HLS viewers in the owner\'s health', async () => {
          const n = (await health(ownerPort)).viewers.hls;
          seen.push(n);
          return n === 6;
        }, 20_000, 500).catch(() => assert.fail(`HLS viewers as the owner's health read them: ${seen.join(' ')}`));
        // And it holds (no session of the other worker's requests for its copy, none counted twice).
        for (let i = 0; i < 5; i++) {
          await sleep(600);
          const h = await health(ownerPort);
          seen.push(h.viewers.hls);
          assert.equal(h.viewers.hls, 6, `HLS viewers as the owner's health read them: ${seen.join(' ')}`);
          assert.equal(h.viewers.total, 6);
        }
        assert.equal(await viewersGauge(ownerPort), 6, 'onair_stream_viewers{protocol="hls"} on the owner');
        // Asked of the other worker (an API call lands on either): the owner's figures, the JSON and the SSE feed.
        const there = await health(otherPort);
        assert.notEqual(there.state, 'offline', 'the stream is live whichever worker the API call reaches');
        assert.equal(there.viewers.hls, 6, 'the health API on the other worker');
        const event = await firstHealthEvent<Health>(`http://127.0.0.1:${otherPort}/api/v1/streams/${stream.id}/health/events?token=${API_TOKEN}`);
        assert.equal(event.viewers.hls, 6, 'the health feed on the other worker');
      } finally {
        await Promise.all(viewers.map((v) => v.stop()));
        stoppedAt = performance.now();
      }
      for (const v of viewers) {
        assert.deepEqual(v.failures, [], 'every request answered');
        assert.ok(v.requests >= 10, `a viewer that played (${v.requests} requests)`);
      }
      const received = viewers.reduce((n, v) => n + v.bytes, 0);
      // The other worker reports its viewers' bytes once a health round: the owner's figure settles within seconds.
      const out: number[] = [];
      await waitFor('the viewers\' bytes as the stream\'s bytes out', async () => {
        out.push((await health(ownerPort)).bytesOut - baseline);
        return out.at(-1) === received;
      }, 10_000, 500).catch(() => assert.fail(`bytes out since the viewers started ${out.join(' ')}, the viewers received ${received}`));
      // They left: each worker ends its sessions after a few of the stream's 1 s reloads (6 s), the other worker by the
      // target duration of the owner's playlists it passed on, then a health round on each side (8-9 s measured); one
      // time for every stream was 20 s.
      await waitFor('no HLS viewer left in the owner\'s health', async () => (await health(ownerPort)).viewers.hls === 0, 19_000, 250);
      const seconds = (performance.now() - stoppedAt) / 1000;
      t.diagnostic(`the viewers were counted ${seconds.toFixed(1)} s after they stopped`);
      assert.ok(seconds < 14, `the viewers were counted ${seconds.toFixed(1)} s after they stopped`);
    });
  });
}

describe('--workers 2: HLS viewers', { concurrency: true }, () => {
  viewersUnderWorkers('each worker\'s copy of the owner\'s answers (default)', []);
  viewersUnderWorkers('--no-hls-worker-cache (requests forwarded to the owner)', ['--no-hls-worker-cache']);
});
