/**
 * What the HTTP framework costs per playback request (issue 17): server CPU microseconds per request for the same
 * answer (a playlist-sized Buffer, or a part-sized one with --bytes) served three ways, each in its own child pinned
 * to CPU 0, all three loaded at once at the same rate by autocannon (this process) and read over the same windows,
 * so a shared machine's drift hits all three alike:
 *   fastify  a fastify route as OnAir's app is configured for playback (no request log), reply.send(buffer)
 *   front    the same fastify app with the route answered on Node's request before fastify (playback-front.ts)
 *   node     node:http alone (the floor)
 *
 *   taskset -c 1 npx tsx bench/http-framework-cost.ts [--bytes 2000] [--rate 1500] [--seconds 10] [--runs 3] [--connections 100]
 *
 * CPU is each child's threads' run time (schedstat) over the window. Indicative on a shared machine: compare the
 * rows of one run.
 */
import type { ChildProcess } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import { mountBeforeFastify } from '../src/servers/http/playback/playback-front.js';
import { median, numberArg, runBench, sleep, startChild, stopChild } from './lib/children.js';
import { cpuSeconds } from './lib/proc-stats.js';

type Kind = 'fastify' | 'front' | 'node';
const KINDS: readonly Kind[] = ['fastify', 'front', 'node'];
const BYTES = numberArg('bytes', 2000);
const SECONDS = numberArg('seconds', 10);
const RUNS = numberArg('runs', 3);
const CONNECTIONS = numberArg('connections', 100);
/** Requests per second offered to every variant (open loop): CPU per request compared at the same load, not each at its own saturation. */
const RATE = numberArg('rate', 1500);
const PATH = '/hls/abc/src/media.m3u8';

/** The answer every variant gives: one shared Buffer with the headers a playlist carries. */
function answer(res: ServerResponse, body: Buffer, origin: string | undefined): void {
  res.writeHead(200, {
    'access-control-allow-origin': origin ?? '*', vary: 'Origin', 'content-type': 'application/vnd.apple.mpegurl',
    'cache-control': 'public, max-age=1', etag: '"abc"', 'content-length': body.length,
  });
  res.end(body);
}

async function serve(kind: Kind, port: number): Promise<void> {
  const body = Buffer.alloc(BYTES, 0x41);
  if (kind === 'node') {
    createServer((req, res) => answer(res, body, req.headers.origin)).listen(port, '127.0.0.1');
  } else {
    const app = Fastify({ logger: false });
    if (kind === 'front') {
      mountBeforeFastify(app, (req: IncomingMessage, res: ServerResponse) => {
        if (!req.url?.startsWith('/hls/')) return false;
        answer(res, body, req.headers.origin);
        return true;
      });
    } else {
      app.get('/hls/:id/*', async (req, reply) => reply.code(200).headers({
        'access-control-allow-origin': req.headers.origin ?? '*', vary: 'Origin', 'content-type': 'application/vnd.apple.mpegurl',
        'cache-control': 'public, max-age=1', etag: '"abc"',
      }).send(body));
    }
    await app.listen({ host: '127.0.0.1', port });
  }
  process.send?.('ready');
}

async function startServer(kind: Kind, port: number): Promise<ChildProcess> {
  const self = fileURLToPath(import.meta.url);
  const child = startChild('taskset', ['-c', '0', process.execPath, '--import', 'tsx', self, '--serve', kind, '--port', String(port)], ['ignore', 'ignore', 'inherit', 'ipc']);
  await new Promise<void>((resolve) => child.once('message', () => resolve()));
  return child;
}

/** Loads every server at once, each at RATE, and reads each one's CPU over the same window. */
async function window(servers: readonly { kind: Kind; port: number; child: ChildProcess }[]): Promise<Record<Kind, { usPerReq: number; reqPerSec: number }>> {
  const before = servers.map((s) => cpuSeconds(s.child.pid!));
  const results = await Promise.all(servers.map((s) => autocannon({
    url: `http://127.0.0.1:${s.port}${PATH}`, connections: CONNECTIONS, duration: SECONDS, overallRate: RATE,
  })));
  const out = {} as Record<Kind, { usPerReq: number; reqPerSec: number }>;
  servers.forEach((s, i) => {
    const n = results[i]!.requests.total;
    out[s.kind] = { usPerReq: ((cpuSeconds(s.child.pid!) - before[i]!) / n) * 1e6, reqPerSec: n / SECONDS };
  });
  return out;
}

async function main(): Promise<void> {
  const serveKind = process.argv.indexOf('--serve');
  if (serveKind > 0) return serve(process.argv[serveKind + 1] as Kind, numberArg('port', 0));
  console.log(`framework cost: ${BYTES}-byte answers at ${RATE} req/s each, the three servers side by side on CPU 0 (same windows), `
    + `${CONNECTIONS} keep-alive connections each, ${SECONDS} s windows, ${RUNS} runs`);
  const servers = await Promise.all(KINDS.map(async (kind, i) => ({ kind, port: 24_100 + i, child: await startServer(kind, 24_100 + i) })));
  const us: Record<Kind, number[]> = { fastify: [], front: [], node: [] };
  try {
    await window(servers.map((s) => s)); // warm-up (JIT)
    for (let run = 0; run < RUNS; run++) {
      const r = await window(servers);
      for (const kind of KINDS) {
        us[kind].push(r[kind].usPerReq);
        console.log(`run ${run + 1} ${kind.padEnd(8)} ${r[kind].usPerReq.toFixed(1).padStart(7)} µs CPU/request ${Math.round(r[kind].reqPerSec).toString().padStart(7)} req/s`);
      }
      await sleep(300);
    }
  } finally {
    await Promise.all(servers.map((s) => stopChild(s.child)));
  }
  const med = (k: Kind): number => median(us[k]);
  console.log(`median: fastify ${med('fastify').toFixed(1)} µs, front ${med('front').toFixed(1)} µs, node ${med('node').toFixed(1)} µs per request; `
    + `fastify/front ${(med('fastify') / med('front')).toFixed(2)}x, front/node ${(med('front') / med('node')).toFixed(2)}x`);
}

runBench(main);
