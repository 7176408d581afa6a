/**
 * Side by side: several OnAir variants (node flags) ingesting the reference stream at the same time, all on
 * CPU 0, one ffmpeg publisher each on CPU 1, CPU read over the same windows. Alternating runs on this kind of
 * machine drift by 20-40 % between windows, more than most effects worth measuring; variants that share every
 * window share the drift, so their difference is what the change did.
 *
 *   npx tsx bench/side-by-side.ts --variant "default=" --variant "hg300=--heap-growing-percent=300" \
 *     [--variant "nohls= -- --hls off"] [--nginx-hls] [--windows 3] [--seconds 40] [--warmup 60] [--hls on|off]
 *
 * A variant is `name=<node flags>[ -- <onair flags>]`, run as `node <node flags> dist/main.js <onair flags>`
 * (built first; `--hls` applies to every variant and comes before its own flags). `--nginx-hls` adds
 * nginx-rtmp with `hls on` (the peer of the per-stream HLS comparison) to the same windows.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { runBench, sleep, startChild, stopChild } from './lib/children.js';
import { realtimePublishArgs, referenceClip } from './lib/clip.js';
import { cpuShares } from './lib/proc-stats.js';
import { buildOnAir, nginxRtmpAvailable, startNginxHls, startOnAir } from './lib/servers.js';

const root = resolve(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'onair-side-by-side-'));
const { values: args } = parseArgs({
  options: {
    variant: { type: 'string', multiple: true, default: ['default='] },
    windows: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '40' },
    warmup: { type: 'string', default: '60' },
    hls: { type: 'string', default: 'on' },
    'nginx-hls': { type: 'boolean', default: false },
  },
});

async function main(): Promise<void> {
  buildOnAir();
  const clip = referenceClip(join(root, 'bench/out/media'));
  const variants = args.variant!.map((v) => {
    const at = v.indexOf('=');
    if (at <= 0) throw new Error(`--variant ${v}: expected name=<node flags>`);
    const [node = '', onair = ''] = v.slice(at + 1).split(/(?:^|\s)--(?:\s|$)/);
    const words = (x: string): string[] => x.split(' ').filter(Boolean);
    return { name: v.slice(0, at), node: words(node), onair: words(onair) };
  });
  // One at a time: each start (embedded database, JIT warm-up) takes seconds of the shared core.
  const servers = [];
  for (const [i, v] of variants.entries()) servers.push(await startOnAir(0, 23500 + i * 10, work, { args: ['--hls', args.hls!, ...v.onair], name: v.name, nodeArgs: v.node }));
  if (args['nginx-hls']) {
    if (!nginxRtmpAvailable()) throw new Error('--nginx-hls: nginx-rtmp is not installed (apt-get install nginx libnginx-mod-rtmp)');
    servers.push(await startNginxHls(0, 23490, work));
  }
  const publishers = [];
  try {
    for (const s of servers) publishers.push(startChild('taskset', ['-c', '1', 'ffmpeg', ...realtimePublishArgs(clip, s.rtmpUrl('bench'))]));
    console.log(`${servers.length} variants ingesting at once; ${args.warmup} s warm-up, ${args.windows} windows of ${args.seconds} s`);
    await sleep(Number(args.warmup) * 1000);
    const sums = servers.map(() => 0);
    const windows = Number(args.windows);
    for (let w = 0; w < windows; w++) {
      const pcts = (await cpuShares(servers.map((s) => s.pid), Number(args.seconds))).map((x) => 100 * x);
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
