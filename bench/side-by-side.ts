/**
 * Side by side: several OnAir variants (node flags) ingesting the reference stream at the same time, all on
 * CPU 0, one ffmpeg publisher each on CPU 1, CPU read over the same windows. Alternating runs on this kind of
 * machine drift by 20-40 % between windows, more than most effects worth measuring; variants that share every
 * window share the drift, so their difference is what the change did.
 *
 *   npx tsx bench/side-by-side.ts --variant "default=" --variant "hg300=--heap-growing-percent=300" \
 *     [--windows 3] [--seconds 40] [--warmup 60] [--hls on|off]
 *
 * A variant is `name=<node flags>`, run as `node <flags> dist/main.js` (built first).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { runBench, sleep, startChild, stopChild } from './lib/children.js';
import { realtimePublishArgs, referenceClip } from './lib/clip.js';
import { cpuSeconds } from './lib/proc-stats.js';
import { buildOnAir, startOnAir } from './lib/servers.js';

const root = resolve(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'onair-side-by-side-'));
const { values: args } = parseArgs({
  options: {
    variant: { type: 'string', multiple: true, default: ['default='] },
    windows: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '40' },
    warmup: { type: 'string', default: '60' },
    hls: { type: 'string', default: 'on' },
  },
});

async function main(): Promise<void> {
  buildOnAir();
  const clip = referenceClip(join(root, 'bench/out/media'));
  const variants = args.variant!.map((v) => {
    const at = v.indexOf('=');
    if (at <= 0) throw new Error(`--variant ${v}: expected name=<node flags>`);
    return { name: v.slice(0, at), flags: v.slice(at + 1).split(' ').filter(Boolean) };
  });
  const servers = await Promise.all(variants.map((v, i) => startOnAir(0, 23500 + i * 10, work, ['--hls', args.hls!], v.name, v.flags)));
  const publishers = [];
  try {
    for (const s of servers) publishers.push(startChild('taskset', ['-c', '1', 'ffmpeg', ...realtimePublishArgs(clip, s.rtmpUrl('bench'))]));
    console.log(`${servers.length} variants ingesting at once; ${args.warmup} s warm-up, ${args.windows} windows of ${args.seconds} s`);
    await sleep(Number(args.warmup) * 1000);
    const sums = servers.map(() => 0);
    const windows = Number(args.windows);
    for (let w = 0; w < windows; w++) {
      const before = servers.map((s) => cpuSeconds(s.pid));
      const t0 = Date.now();
      await sleep(Number(args.seconds) * 1000);
      const elapsed = (Date.now() - t0) / 1000;
      const pcts = servers.map((s, i) => (100 * (cpuSeconds(s.pid) - before[i]!)) / elapsed);
      pcts.forEach((p, i) => (sums[i]! += p / windows));
      console.log(`window ${w + 1}: ${servers.map((s, i) => `${s.name} ${pcts[i]!.toFixed(2)} %`).join('  ')}`);
    }
    console.log(`mean % of one core: ${servers.map((s, i) => `${s.name} ${sums[i]!.toFixed(2)}`).join('  ')}`);
    const base = sums[0]!;
    for (let i = 1; i < servers.length; i++) console.log(`ratio ${servers[i]!.name} / ${servers[0]!.name}: ${(sums[i]! / base).toFixed(2)}x`);
  } finally {
    for (const p of publishers) await stopChild(p);
    for (const s of servers) await s.stop();
  }
}

runBench(main, work);
