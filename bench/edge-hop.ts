/**
 * What one edge hop costs a viewer: two OnAir servers on loopback, A (the owner: the publisher is there) and B
 * (an edge, --edge-origin A). The reference clip is published to A in real time; RTMP players measure relay
 * latency (publish -> receive of the same video frame, p50/p95) and time to first frame on A directly and on B
 * through its pull. On B the first player waits for the pull (cold), the others join a running pull (warm).
 * Figures from a shared machine are indicative.
 *
 *   npx tsx bench/edge-hop.ts [--players 10] [--seconds 15] [--rounds 3]
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { sleep } from './lib/children.js';
import { IpcChild } from './lib/ipc-child.js';
import { referenceClip } from './lib/clip.js';
import { buildOnAir, startOnAir, type BenchServer } from './lib/servers.js';

const root = resolve(import.meta.dirname, '..');
const { values: args } = parseArgs({
  options: { players: { type: 'string', default: '10' }, seconds: { type: 'string', default: '15' }, rounds: { type: 'string', default: '3' } },
});
const workDir = join(root, 'bench/out');
const SECRET = 'edge-hop-bench-secret-0123456789';

interface Window { latencyMs: { p50: number | null; p95: number | null; samples: number }; ttffMs: number[] }

/** One round: publisher on A; `count` players on `playUrl`, all of them probes. TTFF in join order. */
async function round(a: BenchServer, playUrl: string, count: number, clip: string): Promise<{ window: Window; firstTtff: number | null }> {
  const load = new IpcChild('bench/lib/load-generator.ts', 1);
  try {
    await load.expect('ready');
    await load.ask({ type: 'publish', url: a.rtmpUrl('hop'), clip }, 'published');
    await sleep(3000);
    // The first player alone (on B: it starts the pull), then the rest.
    await load.ask({ type: 'players', url: playUrl, count: 1, probes: 1 }, 'players-ready');
    await sleep(1500);
    const first = await load.ask<Window>({ type: 'window-end' }, 'window');
    await load.ask({ type: 'players', url: playUrl, count: count - 1, probes: count - 1 }, 'players-ready');
    await sleep(2000);
    await load.ask({ type: 'window-start' }, 'window-started');
    await sleep(Number(args.seconds) * 1000);
    const window = await load.ask<Window>({ type: 'window-end' }, 'window');
    await load.ask({ type: 'stop' }, 'stopped');
    return { window, firstTtff: first.ttffMs[0] ?? null };
  } finally {
    await load.stop();
  }
}

async function main(): Promise<void> {
  mkdirSync(workDir, { recursive: true });
  console.log('building OnAir (dist/)...');
  buildOnAir();
  const clip = referenceClip(join(workDir, 'media'));
  const count = Number(args.players);
  const rows: { where: string; p50: number | null; p95: number | null; samples: number; ttffCold: number | null; ttffWarmP50: number | null }[] = [];
  for (let r = 0; r < Number(args.rounds); r++) {
    const portA = 23935 + r * 20;
    const a = await startOnAir(0, portA, workDir, { args: ['--cluster-secret', SECRET], name: 'A (owner)' });
    // B's grace is short so each round's first player on B starts a fresh pull.
    const b = await startOnAir(0, portA + 10, workDir, {
      args: ['--cluster-secret', SECRET, '--edge-origin', `rtmp://127.0.0.1:${portA}`, '--edge-grace-ms', '1000'], name: 'B (edge)',
    });
    try {
      for (const [where, server] of [['A direct', a], ['B via edge', b]] as const) {
        const { window, firstTtff } = await round(a, server.rtmpUrl('hop'), count, clip);
        const warm = [...window.ttffMs];
        if (firstTtff !== null) warm.splice(warm.indexOf(firstTtff), 1);
        rows.push({
          where, p50: window.latencyMs.p50, p95: window.latencyMs.p95, samples: window.latencyMs.samples, ttffCold: firstTtff,
          ttffWarmP50: warm.length ? warm[Math.floor(warm.length / 2)]! : null,
        });
        console.log(JSON.stringify(rows[rows.length - 1]));
        await sleep(2500);
      }
    } finally {
      await b.stop();
      await a.stop();
    }
  }
  const fmt = (v: number | null) => (v === null ? '-' : String(Math.round(v)));
  console.log('\nRTMP relay latency (publish -> player, same frame) and time to first frame; indicative (shared machine)');
  console.log('where         lat p50 ms  lat p95 ms  samples  TTFF first ms  TTFF others p50 ms');
  for (const r of rows) {
    console.log(`${r.where.padEnd(12)}  ${fmt(r.p50).padStart(10)}  ${fmt(r.p95).padStart(10)}  ${String(r.samples).padStart(7)}  ${fmt(r.ttffCold).padStart(13)}  ${fmt(r.ttffWarmP50).padStart(18)}`);
  }
  const med = (where: string, k: 'p50' | 'p95' | 'ttffCold') => {
    const xs = rows.filter((r) => r.where === where).map((r) => r[k]).filter((v): v is number => v !== null).sort((x, y) => x - y);
    return xs.length ? xs[Math.floor(xs.length / 2)]! : null;
  };
  for (const k of ['p50', 'p95', 'ttffCold'] as const) {
    const d = med('B via edge', k);
    const base = med('A direct', k);
    console.log(`median ${k}: A ${fmt(base)} ms, B ${fmt(d)} ms, edge hop adds ${d === null || base === null ? '-' : Math.round(d - base)} ms`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
