/**
 * /healthz latency while many clients ask for playback ids that do not exist (a scanner, a broken player
 * fleet, or an attack): playback decisions come from memory, so the flood must not queue behind the database.
 *
 *   npx tsx bench/unknown-ids.ts [--connections 200] [--rate 2000] [--seconds 10] [--main dist/main.js]
 *
 * Starts OnAir (`--main`, default this checkout's build; point it at another build's dist/main.js to compare
 * builds) on CPU 0 with stream-key auth and the embedded database, then from this process opens
 * `--connections` keep-alive connections asking for random unknown ids (HLS playlists, parts, segments and
 * HTTP-FLV) at `--rate` requests a second in total (0 = as fast as they answer), and asks /healthz every 20 ms
 * on its own connection. Prints the achieved rate, the status codes and /healthz p50/p99/max. Figures on a
 * shared machine are indicative only.
 */
import { request, Agent } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { runBench, sleep, startChild, stopChild } from './lib/children.js';
import { buildOnAir, waitPort } from './lib/servers.js';

const root = resolve(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'onair-unknown-ids-'));
const { values: args } = parseArgs({
  options: {
    connections: { type: 'string', default: '200' },
    rate: { type: 'string', default: '2000' },
    seconds: { type: 'string', default: '10' },
    main: { type: 'string', default: '' },
    port: { type: 'string', default: '24100' },
  },
});

const PATHS = [
  (id: string) => `/hls/${id}/src/media.m3u8`,
  (id: string) => `/hls/${id}/index.m3u8`,
  (id: string) => `/hls/${id}/src/part-a1-7-2.m4s`,
  (id: string) => `/hls/${id}/src/seg-a1-7.m4s`,
  (id: string) => `/live/${id}.flv`,
];

function get(port: number, path: string, agent: Agent): Promise<number> {
  return new Promise((resolveStatus, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent }, (res) => {
      res.resume();
      res.on('end', () => resolveStatus(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

function percentile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

async function main(): Promise<void> {
  const port = Number(args.port);
  const connections = Number(args.connections);
  const rate = Number(args.rate);
  const seconds = Number(args.seconds);
  const mainJs = args.main ? resolve(args.main) : join(root, 'dist/main.js');
  if (!args.main) buildOnAir();
  const server = startChild('taskset', ['-c', '0', process.execPath, mainJs, '--host', '127.0.0.1', '--rtmp-port', String(port),
    '--http-port', String(port + 1), '--data-dir', join(work, 'data'), '--log-level', 'warn', '--auth', 'keys']);
  try {
    await waitPort(port + 1, 60_000);
    await sleep(2000); // start-up work (database, JIT) settles
    const http = port + 1;
    const floodAgent = new Agent({ keepAlive: true, maxSockets: connections });
    const healthAgent = new Agent({ keepAlive: true, maxSockets: 1 });
    const codes = new Map<number, number>();
    const t0 = Date.now();
    const stopAt = t0 + seconds * 1000;
    let sent = 0;
    let errors = 0;
    const flood = Array.from({ length: connections }, async () => {
      while (Date.now() < stopAt) {
        const k = sent++;
        if (rate > 0) {
          const due = t0 + (k / rate) * 1000;
          if (due > Date.now()) await sleep(due - Date.now());
        }
        const id = randomBytes(12).toString('hex');
        try {
          const code = await get(http, PATHS[k % PATHS.length]!(id), floodAgent);
          codes.set(code, (codes.get(code) ?? 0) + 1);
        } catch {
          errors++;
        }
      }
    });
    const health: number[] = [];
    while (Date.now() < stopAt) {
      const h0 = performance.now();
      await get(http, '/healthz', healthAgent);
      health.push(performance.now() - h0);
      await sleep(20);
    }
    await Promise.all(flood);
    const elapsed = (Date.now() - t0) / 1000;
    const answered = [...codes.values()].reduce((a, b) => a + b, 0);
    health.sort((a, b) => a - b);
    console.log(`server: ${mainJs}`);
    console.log(`unknown-id requests: ${answered} answered in ${elapsed.toFixed(1)} s = ${(answered / elapsed).toFixed(0)}/s `
      + `(target ${rate || 'unpaced'}/s over ${connections} connections), statuses ${JSON.stringify(Object.fromEntries(codes))}, errors ${errors}`);
    console.log(`/healthz: ${health.length} requests, p50 ${percentile(health, 0.5).toFixed(1)} ms, p99 ${percentile(health, 0.99).toFixed(1)} ms, max ${health[health.length - 1]!.toFixed(1)} ms`);
    floodAgent.destroy();
    healthAgent.destroy();
  } finally {
    await stopChild(server);
  }
}

runBench(main, work);
