/**
 * The viewer load client's own CPU per request (BENCHMARKING.md: "the load client must not be the bottleneck"):
 * keep-alive connections of bench/lib/http (the same code the viewers use) asking a null server for bodies the
 * size of an LL-HLS playlist, a part and a segment of the reference stream, back to back; the client's CPU (user +
 * system, kernel TCP work on loopback included) over the requests it made, and what that means in viewers one
 * core can drive. The null server (a Node TCP server answering canned responses) runs on CPU 0.
 *
 *   taskset -c 1 npx tsx bench/http-client-cost.ts [--seconds 10] [--connections 200]
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeepAliveConnection } from './lib/http/keep-alive-connection.js';
import { ViewerCounters } from './lib/http/viewer-counters.js';
import { numberArg, runBench, sleep, startChild, stopChild } from './lib/children.js';
import { waitPort } from './lib/servers.js';

const SECONDS = numberArg('seconds', 10);
const CONNECTIONS = numberArg('connections', 200);
const WARMUP_MS = 2000;
const PORT = 24_011;
/** Body sizes of the reference stream (~2.7 Mb/s): an LL-HLS playlist with delta update, a 0.2 s part, a 2 s segment. */
const BODIES = { playlist: 2_500, part: 68_000, segment: 680_000 } as const;
/** An LL-HLS viewer asks about five playlists and five parts a second; a segment viewer one playlist and half a segment. */
const LLHLS_REQUESTS_PER_S = { playlist: 5, part: 5 };
const SEGMENT_REQUESTS_PER_S = { playlist: 1, segment: 0.5 };
const work = mkdtempSync(join(tmpdir(), 'onair-client-cost-'));

/** Answers every request it reads with one canned response of `size` bytes (requests are small and not pipelined). */
const NULL_SERVER = `
const size = Number(process.argv[3]);
const response = Buffer.concat([Buffer.from('HTTP/1.1 200 OK\\r\\nContent-Type: video/mp4\\r\\nContent-Length: ' + size + '\\r\\n\\r\\n'), Buffer.alloc(size, 0x47)]);
require('node:net').createServer((s) => { s.setNoDelay(true); s.on('data', () => s.write(response)); s.on('error', () => {}); }).listen(Number(process.argv[2]), '127.0.0.1');`;

async function microsPerRequest(size: number, port: number): Promise<number> {
  const file = join(work, 'null-server.cjs');
  writeFileSync(file, NULL_SERVER);
  const server = startChild('taskset', ['-c', '0', process.execPath, file, String(port), String(size)]);
  await waitPort(port);
  const counters = new ViewerCounters();
  const conns = Array.from({ length: CONNECTIONS }, () => new KeepAliveConnection({ host: '127.0.0.1', port }, counters));
  let running = true;
  const loop = (c: KeepAliveConnection): void => {
    if (running) c.get('/x', 'media', () => loop(c));
  };
  try {
    conns.forEach(loop);
    await sleep(WARMUP_MS);
    const [requests0, cpu0] = [counters.requests, process.cpuUsage()];
    await sleep(SECONDS * 1000);
    const cpu = process.cpuUsage(cpu0);
    const requests = counters.requests - requests0;
    if (counters.errors.size) throw new Error(`failed requests: ${JSON.stringify([...counters.errors])}`);
    const micros = (cpu.user + cpu.system) / requests;
    console.log(`${String(size).padStart(7)} B bodies: ${(requests / SECONDS).toFixed(0).padStart(6)} requests/s, client ${micros.toFixed(1)} µs CPU per request (${((100 * cpu.system) / (cpu.user + cpu.system)).toFixed(0)} % in the kernel)`);
    return micros;
  } finally {
    running = false;
    conns.forEach((c) => c.close());
    await stopChild(server);
  }
}

async function main(): Promise<void> {
  console.log(`load client cost: ${CONNECTIONS} keep-alive connections, back-to-back requests, ${SECONDS} s per body size`);
  const us: Record<string, number> = {};
  let port = PORT;
  for (const [name, size] of Object.entries(BODIES)) us[name] = await microsPerRequest(size, port++);
  const perViewer = (mix: Record<string, number>): number => Object.entries(mix).reduce((a, [name, rate]) => a + rate * us[name]!, 0);
  console.log(`one core drives about ${(1e6 / perViewer(LLHLS_REQUESTS_PER_S)).toFixed(0)} LL-HLS viewers and ${(1e6 / perViewer(SEGMENT_REQUESTS_PER_S)).toFixed(0)} segment viewers (client CPU only, at 100 % of the core)`);
}

runBench(main, work);
