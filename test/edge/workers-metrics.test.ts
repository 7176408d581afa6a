import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ffmpegPublish } from '../support/clients.js';
import { ffmpegViewer } from '../support/playback-viewers.js';
import { sleep, waitFor, type Proc } from '../support/proc.js';
import { rawGet } from '../support/raw-http.js';
import { startWorkersServer, type WorkersLogLine, type WorkersServer } from '../support/workers-server.js';
import { parsePrometheusText, type PromScrape } from '../support/prometheus-text.js';

/**
 * `--workers 2`: `/metrics` and the stream list on the shared port describe the machine, whichever worker the
 * connection reached. Two ffmpeg publishers, one on each worker; each stream played over RTMP by an ffmpeg player on
 * each worker (so each worker pulls the other's stream) and over HLS on the shared port (requests on both workers).
 * Every scrape is a new connection (round-robin: both workers answer scrapes), read by the strict parser, with the
 * --metrics-token. A worker's own loopback port still reads that worker alone: the machine's figures are checked
 * against the sum of the two.
 */
const API_TOKEN = 'workers-metrics-api-token-0123456';
const METRICS_TOKEN = 'workers-metrics-scrape-token-987';
const AUTH = `Authorization: Bearer ${METRICS_TOKEN}\r\n`;

/** Counters that must add up over the workers and never go back between scrapes. */
const COUNTERS: readonly [string, Record<string, string>][] = [
  ['onair_sent_bytes_total', { protocol: 'rtmp' }],
  ['onair_received_bytes_total', {}],
  ['onair_hls_sent_bytes_total', {}],
  ['onair_hls_request_duration_seconds_count', { kind: 'segment', status: '200' }],
];

describe('--workers 2: /metrics and /api/v1/health describe the whole machine', () => {
  let server: WorkersServer;
  let httpPort = 0;
  const procs: Proc[] = [];
  /** Per stream: its API record and the worker owning it. */
  const streams: { id: string; playbackId: string; streamKey: string; worker: number }[] = [];
  /** Worker index -> its loopback ports. */
  const internal = new Map<number, { http: number; rtmp: number }>();
  const pids = new Map<number, number>();
  let hlsRunning = true;
  let hlsLoops: Promise<void>[] = [];
  const lines = (): WorkersLogLine[] => server.lines();

  /** One scrape on a new connection to `port`, parsed strictly. */
  async function scrape(port = httpPort): Promise<PromScrape> {
    const a = await rawGet(port, '/metrics', AUTH);
    assert.equal(a.status, 200, a.headers);
    return parsePrometheusText(a.body.toString('utf8'));
  }
  const workerScrapes = (): Promise<PromScrape[]> => Promise.all([1, 2].map((w) => scrape(internal.get(w)!.http)));
  const sum = (scrapes: readonly PromScrape[], name: string, labels: Record<string, string> = {}): number =>
    scrapes.reduce((acc, s) => acc + (s.value(name, labels) ?? 0), 0);
  const other = (worker: number): number => (worker === 1 ? 2 : 1);

  /** Publishes stream `i` until its publisher lands on `worker` (consecutive RTMP connections alternate between workers). */
  async function publishOn(s: { streamKey: string; playbackId: string }, worker: number | undefined): Promise<number> {
    for (let attempt = 0; attempt < 6; attempt++) {
      const seen = lines().filter((l) => l.msg === 'publish started').length;
      const pub = await ffmpegPublish(`${server.rtmp}/live/${s.streamKey}`);
      const started = await waitFor('the publish', () => lines().filter((l) => l.msg === 'publish started').slice(seen).find((l) => l.path === `live/${s.playbackId}`), 30_000, 100);
      if (worker === undefined || started.worker === worker) {
        procs.push(pub);
        return started.worker!;
      }
      const ended = lines().filter((l) => l.msg === 'publish ended').length;
      await pub.kill('SIGKILL');
      await waitFor('the misplaced publish ended', () => lines().filter((l) => l.msg === 'publish ended').length > ended, 10_000, 100);
    }
    throw new Error(`could not get a publisher onto worker ${worker}`);
  }

  /** An HLS client on the shared port: the newest segment of the stream's source, each request on a new connection. */
  async function hlsLoop(playbackId: string): Promise<void> {
    const base = `/hls/${playbackId}/src/`;
    const fetched = new Set<string>();
    while (hlsRunning) {
      const playlist = await rawGet(httpPort, `${base}media.m3u8`).catch(() => undefined);
      const newest = playlist?.status === 200 ? [...playlist.body.toString('latin1').matchAll(/^(seg-[^\s]+\.m4s)$/gm)].at(-1)?.[1] : undefined;
      if (newest && !fetched.has(newest)) {
        fetched.add(newest);
        await rawGet(httpPort, `${base}${newest}`).catch(() => undefined);
      }
      await sleep(300);
    }
  }

  before(async () => {
    server = await startWorkersServer(API_TOKEN, ['--metrics-token', METRICS_TOKEN, '--hls-segment-ms', '500', '--edge-grace-ms', '30000'], 180_000);
    httpPort = server.httpPort;
    for (const l of lines()) {
      if (l.msg !== 'worker ready' || !l.internal) continue;
      internal.set(l.worker!, l.internal);
      pids.set(l.worker!, l.pid!);
    }
    assert.equal(internal.size, 2, 'both workers\' loopback ports logged');
    const a = await server.api<{ id: string; playbackId: string; streamKey: string }>('POST', '/streams', {});
    const b = await server.api<{ id: string; playbackId: string; streamKey: string }>('POST', '/streams', {});
    const first = await publishOn(a, undefined);
    streams.push({ ...a, worker: first });
    streams.push({ ...b, worker: await publishOn(b, other(first)) });
    // Each stream played over RTMP on its owner and on the other worker (a pull from the owner), 2 players each.
    for (const s of streams) for (const w of [1, 2]) procs.push(ffmpegViewer(`rtmp://127.0.0.1:${internal.get(w)!.rtmp}/live/${s.playbackId}`));
    await waitFor('both workers pulling the other\'s stream', () => new Set(lines().filter((l) => l.msg === 'edge pull live').map((l) => l.worker)).size === 2, 30_000, 200);
    hlsLoops = streams.map((s) => hlsLoop(s.playbackId));
    // Settled: each owner counts its stream's two RTMP players (one its own, one reported by the sibling).
    await waitFor('each owner counting both RTMP players of its stream', async () => {
      for (const s of streams) {
        const own = await scrape(internal.get(s.worker)!.http);
        if (own.value('onair_stream_viewers', { stream: s.id, protocol: 'rtmp' }) !== 2) return false;
      }
      return true;
    }, 30_000, 300);
    await waitFor('HLS segments served on both workers', async () => (await workerScrapes()).every((w) => (w.value('onair_hls_request_duration_seconds_count', { kind: 'segment', status: '200' }) ?? 0) > 0), 20_000, 500);
  });
  after(async () => {
    hlsRunning = false;
    await Promise.all(hlsLoops);
    await server?.close(procs);
  });

  test('a scrape on the shared port is the sum of the workers\' own: counters, connections, publishers; each stream\'s series once, from its owner', async () => {
    for (let round = 0; round < 3; round++) {
      const before = await workerScrapes();
      const machine = await scrape();
      const later = await workerScrapes();
      assert.equal(machine.value('onair_metrics_workers_missing'), 0, 'every worker answered');
      for (const [name, labels] of COUNTERS) {
        const v = machine.value(name, labels);
        assert.ok(v !== undefined && v >= sum(before, name, labels) && v <= sum(later, name, labels),
          `${name}${JSON.stringify(labels)}: ${v} between the workers' sums ${sum(before, name, labels)} and ${sum(later, name, labels)}`);
      }
      assert.ok(before.every((s) => (s.value('onair_sent_bytes_total', { protocol: 'rtmp' }) ?? 0) > 0), 'both workers sent RTMP');
      // Sockets: 2 publishers, 4 players, 2 internal pulls; steady while nothing connects.
      if (sum(before, 'onair_connections', { protocol: 'rtmp' }) === sum(later, 'onair_connections', { protocol: 'rtmp' })) {
        assert.equal(machine.value('onair_connections', { protocol: 'rtmp' }), sum(before, 'onair_connections', { protocol: 'rtmp' }), 'RTMP sockets of both workers');
      }
      assert.equal(machine.value('onair_publishers'), 2, 'one publisher per worker; a pull from a sibling is none');
      assert.equal(sum(before, 'onair_publishers'), 2);
      const live = machine.find('onair_streams').filter((s) => s.labels.state !== 'offline').reduce((acc, s) => acc + s.value, 0);
      assert.equal(live, 2, 'two live streams, each counted by its owner');
      for (const s of streams) {
        // value() refuses a series listed twice; the owner's figure, not doubled by the worker pulling it.
        assert.equal(machine.value('onair_stream_viewers', { stream: s.id, protocol: 'rtmp' }), 2, `stream on worker ${s.worker}: its two RTMP players`);
        assert.equal(machine.find('onair_stream_health_state', { stream: s.id }).length, 1);
        const fps = machine.value('onair_stream_ingest_fps', { stream: s.id });
        assert.ok(fps !== undefined && fps > 10 && fps < 40, `ingest fps ${fps}, not summed over the workers`);
      }
      // Process figures: both processes' memory; one version line.
      const rss = machine.value('onair_process_resident_memory_bytes')!;
      assert.ok(rss > Math.max(...before.map((s) => s.value('onair_process_resident_memory_bytes')!)) * 1.3, `resident memory of both workers: ${rss}`);
      assert.equal(machine.find('onair_nodejs_version_info').length, 1);
    }
  });

  test('repeated scrapes over new connections: the same streams each time, counters never go back', async () => {
    let last: PromScrape | undefined;
    for (let i = 0; i < 10; i++) {
      const m = await scrape();
      for (const [name, labels] of COUNTERS) {
        const v = m.value(name, labels);
        const was = last?.value(name, labels) ?? 0;
        assert.ok(v !== undefined && v >= was, `scrape ${i}: ${name}${JSON.stringify(labels)} went back from ${was} to ${v}`);
      }
      assert.deepEqual(m.find('onair_stream_health_state').map((s) => s.labels.stream).sort(), streams.map((s) => s.id).sort(), `scrape ${i}: both streams once`);
      assert.equal(m.value('onair_publishers'), 2, `scrape ${i}`);
      assert.equal(m.value('onair_metrics_workers_missing'), 0);
      last = m;
      await sleep(150);
    }
  });

  test('/api/v1/health lists both workers\' streams once each, on either worker; /metrics keeps its token', async () => {
    const want = streams.map((s) => s.id).sort();
    for (const port of [httpPort, httpPort, httpPort, httpPort, internal.get(1)!.http, internal.get(2)!.http]) {
      const a = await rawGet(port, '/api/v1/health', `Authorization: Bearer ${API_TOKEN}\r\n`);
      assert.equal(a.status, 200, a.headers);
      const list = (JSON.parse(a.body.toString('utf8')) as { data: { streamId: string; state: string; viewers: number }[] }).data;
      assert.deepEqual(list.map((l) => l.streamId).sort(), want, `port ${port}: ${JSON.stringify(list)}`);
      // The owner's line: both RTMP players and the HLS client (the pulling worker's own would see one player).
      for (const l of list) assert.ok(l.state !== 'offline' && l.viewers === 3, `from its owner: ${JSON.stringify(l)}`);
    }
    for (const port of [httpPort, internal.get(1)!.http]) {
      assert.equal((await rawGet(port, '/metrics')).status, 401, 'no token');
      assert.equal((await rawGet(port, '/metrics', 'Authorization: Bearer nope\r\n')).status, 401, 'a wrong token');
    }
  });

  test('a worker that does not answer is left out within the bound and counted: onair_metrics_workers_missing 1', async () => {
    // Worker 2 stopped (SIGSTOP): connections the primary hands it hang, so each scrape is tried on a few connections.
    const stopped = pids.get(2)!;
    process.kill(stopped, 'SIGSTOP');
    try {
      let answered: PromScrape | undefined;
      let list: { streamId: string }[] | undefined;
      for (let i = 0; i < 6 && !(answered && list); i++) {
        const m = await rawGet(httpPort, '/metrics', AUTH, 'GET', 6_000).catch(() => undefined);
        if (m?.status === 200) answered = parsePrometheusText(m.body.toString('utf8'));
        const l = await rawGet(httpPort, '/api/v1/health', `Authorization: Bearer ${API_TOKEN}\r\n`, 'GET', 6_000).catch(() => undefined);
        if (l?.status === 200) list = (JSON.parse(l.body.toString('utf8')) as { data: { streamId: string }[] }).data;
      }
      assert.ok(answered && list, 'worker 1 answered a scrape and the list while worker 2 was stopped');
      assert.equal(answered.value('onair_metrics_workers_missing'), 1);
      assert.equal(answered.value('onair_publishers'), 1, 'worker 1\'s publisher alone');
      assert.deepEqual(list.map((l) => l.streamId), [streams.find((s) => s.worker === 1)!.id], 'worker 1\'s stream alone');
      assert.ok(lines().some((l) => l.msg?.startsWith('gather: not every worker answered in time')), 'the primary logged it');
    } finally {
      process.kill(stopped, 'SIGCONT');
    }
    await waitFor('both workers answering again', async () => (await scrape()).value('onair_metrics_workers_missing') === 0, 20_000, 200);
  });
});
