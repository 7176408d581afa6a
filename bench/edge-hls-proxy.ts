/**
 * What `--edge-hls proxy` costs: OnAir A (the owner: the publisher is there) and B (an edge: --edge-origin A with
 * --edge-origin-http, so B answers HLS with A's own playlists and media). The reference clip is published to A in
 * real time (LL-HLS). Each round reads the preload hint of A's playlist (the next part) and asks A and B at the same
 * moment for the blocking reload that waits for that part, then for the part itself: B's extra time over A's is the
 * latency one edge hop adds (p50/p95; the peer is the owner itself, ratio B/A). Meanwhile `--viewers` identical
 * requests per object go to B at once, and A's own request counts (/metrics) show what the owner serves per edge.
 * Figures from a shared machine are indicative.
 *
 *   npx tsx bench/edge-hls-proxy.ts [--seconds 20] [--viewers 20]
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { sleep, numberArg, runBench, startChild, stopChild } from './lib/children.js';
import { realtimePublishArgs, referenceClip } from './lib/clip.js';
import { buildOnAir, startOnAir } from './lib/servers.js';

const root = resolve(import.meta.dirname, '..');
const workDir = join(root, 'bench/out');
const SECRET = 'edge-hls-proxy-bench-secret-0123';
const PORT_A = 26100;
const PORT_B = 26110;
const HINT = /#EXT-X-PRELOAD-HINT:TYPE=PART,URI="(part-[a-z0-9]+-(\d+)-(\d+)\.m4s)"/;

async function timed(url: string): Promise<{ ms: number; status: number }> {
  const t0 = performance.now();
  const res = await fetch(url);
  await res.arrayBuffer();
  return { ms: performance.now() - t0, status: res.status };
}

async function answered(httpBase: string): Promise<number> {
  const text = await (await fetch(`${httpBase}/metrics`)).text();
  let n = 0;
  for (const line of text.split('\n')) if (line.startsWith('onair_hls_request_duration_seconds_count{')) n += Number(line.split(' ').pop());
  return n;
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * p))] ?? NaN;
}

async function main(): Promise<void> {
  mkdirSync(workDir, { recursive: true });
  const seconds = numberArg('seconds', 20);
  const viewers = numberArg('viewers', 20);
  console.log('building OnAir (dist/)...');
  buildOnAir();
  const clip = referenceClip(join(workDir, 'media'));
  const httpA = `http://127.0.0.1:${PORT_A + 1}`;
  const httpB = `http://127.0.0.1:${PORT_B + 1}`;
  const a = await startOnAir(0, PORT_A, workDir, { name: 'A (owner)', args: ['--cluster-secret', SECRET] });
  const b = await startOnAir(1, PORT_B, workDir, {
    name: 'B (edge)', args: ['--cluster-secret', SECRET, '--edge-origin', `rtmp://127.0.0.1:${PORT_A}`, '--edge-origin-http', httpA],
  });
  const pub = startChild('ffmpeg', realtimePublishArgs(clip, a.rtmpUrl('hop')));
  try {
    await sleep(5000);
    const media = '/hls/hop/src/media.m3u8';
    const blocking = { a: [] as number[], b: [] as number[] };
    const part = { a: [] as number[], b: [] as number[] };
    const [beforeA, beforeB] = [await answered(httpA), await answered(httpB)];
    let failures = 0;
    const end = Date.now() + seconds * 1000;
    while (Date.now() < end) {
      const m = HINT.exec(await (await fetch(`${httpA}${media}`)).text());
      if (!m) {
        await sleep(100);
        continue;
      }
      const q = `?_HLS_msn=${m[2]}&_HLS_part=${m[3]}`;
      // The measured pair, plus `viewers - 1` more identical requests on B (they share its one upstream request).
      const extra = Array.from({ length: viewers - 1 }, () => timed(`${httpB}${media}${q}`));
      const [ra, rb] = await Promise.all([timed(`${httpA}${media}${q}`), timed(`${httpB}${media}${q}`)]);
      const partUrl = `/hls/hop/src/${m[1]}`;
      const extraParts = Array.from({ length: viewers - 1 }, () => timed(`${httpB}${partUrl}`));
      const [pa, pb] = await Promise.all([timed(`${httpA}${partUrl}`), timed(`${httpB}${partUrl}`)]);
      const others = await Promise.all([...extra, ...extraParts]);
      if ([ra, rb, pa, pb, ...others].some((r) => r.status !== 200)) {
        failures++;
        continue;
      }
      blocking.a.push(ra.ms);
      blocking.b.push(rb.ms);
      part.a.push(pa.ms);
      part.b.push(pb.ms);
    }
    // The bench's own requests on A (the hint reads and the direct pair) are taken out: what is left came from B.
    const rounds = blocking.a.length + failures;
    const onA = (await answered(httpA)) - beforeA - rounds * 3;
    const onB = (await answered(httpB)) - beforeB;
    const hop = (x: number[], y: number[]) => x.map((v, i) => y[i]! - v);
    console.log(`\n${blocking.a.length} parts measured over ${seconds} s (${failures} rounds with a non-200 answer); ${viewers} viewers per object on B`);
    console.log('                                   owner A p50/p95 ms   edge B p50/p95 ms   hop (B-A) p50/p95 ms   ratio B/A p50');
    for (const [name, x] of [['blocking reload (next part)', blocking], ['hinted part', part]] as const) {
      const d = hop(x.a, x.b);
      console.log(`${name.padEnd(34)} ${pct(x.a, 0.5).toFixed(1).padStart(7)} /${pct(x.a, 0.95).toFixed(1).padStart(7)}   ${pct(x.b, 0.5).toFixed(1).padStart(7)} /${pct(x.b, 0.95).toFixed(1).padStart(7)}   ${pct(d, 0.5).toFixed(1).padStart(9)} /${pct(d, 0.95).toFixed(1).padStart(7)}     ${(pct(x.b, 0.5) / pct(x.a, 0.5)).toFixed(3)}`);
    }
    console.log(`requests answered by B: ${onB}; requests B made to A: ${onA} (ratio ${(onA / onB).toFixed(4)}; one per object per edge = ${(2 / (2 * viewers)).toFixed(4)})`);
  } finally {
    await stopChild(pub);
    await b.stop();
    await a.stop();
  }
}

runBench(main);
