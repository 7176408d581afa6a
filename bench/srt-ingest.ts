/**
 * SRT ingest, side by side and in the same windows (../shared/BENCHMARKING.md): on CPU 0, OnAir taking a stream
 * over SRT, OnAir taking the same stream over RTMP, and srt-live-transmit (libsrt, C) receiving it over SRT and
 * relaying it to a UDP sink; one ffmpeg publisher each on CPU 1. Then loss recovery: the 720p clip published
 * through a UDP relay that drops 10 % of datagrams each way (seeded: OnAir and libsrt see the same pattern),
 * frames delivered by OnAir (into its hub) against frames srt-live-transmit hands on.
 *
 *   npx tsx bench/srt-ingest.ts [--rates 2.7,20] [--windows 3] [--seconds 20] [--warmup 20] [--hls off|on] [--loss-runs 3]
 *
 * OnAir runs from dist/ (built first). --hls off (default) compares transport + ingest into the hub, what a
 * relay does too; --hls on adds the packaging every stream gets by default (the same for SRT and RTMP).
 * Figures on a shared machine are indicative only.
 */
import { execFileSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { runBench, sleep, startChild, stopChild } from './lib/children.js';
import { referenceClip } from './lib/clip.js';
import { cpuShares } from './lib/proc-stats.js';
import { buildOnAir, startOnAir } from './lib/servers.js';
import { measureLossRecovery } from './lib/srt-loss.js';

const root = resolve(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'onair-srt-bench-'));
const media = join(root, 'bench/out/media');
const { values: args } = parseArgs({
  options: {
    rates: { type: 'string', default: '2.7,20' },
    windows: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '20' },
    hls: { type: 'string', default: 'off' },
    'loss-runs': { type: 'string', default: '3' },
  },
});

/** 1080p30 at about 20 Mb/s on the wire (19.5 Mb/s video + 128k AAC), 2 s GOP, 20 s: made once. */
function clip20(): string {
  const file = join(media, 'clip1080-20m.flv');
  if (existsSync(file)) return file;
  mkdirSync(media, { recursive: true });
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=1920x1080:rate=30',
    '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', '20', '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p',
    '-sc_threshold', '0', '-b:v', '19500k', '-maxrate', '19500k', '-bufsize', '39000k', '-g', '60', '-keyint_min', '60',
    '-c:a', 'aac', '-b:a', '128k', '-ar', '48000', '-f', 'flv', file], { stdio: 'inherit' });
  return file;
}

/** ffmpeg publishing `clip` looped in real time, on CPU 1, as FLV (RTMP) or MPEG-TS (SRT). */
function publish(clip: string, url: string): ReturnType<typeof startChild> {
  const format = url.startsWith('srt:') ? 'mpegts' : 'flv';
  return startChild('taskset', ['-c', '1', 'ffmpeg', '-hide_banner', '-loglevel', 'error', '-re', '-stream_loop', '-1', '-i', clip, '-c', 'copy', '-f', format, url]);
}

async function cpuComparison(rate: string, clip: string): Promise<void> {
  const sink = createSocket('udp4');
  await new Promise<void>((r) => sink.bind(0, '127.0.0.1', () => r()));
  const base = 24000 + Math.round(Number(rate) * 10);
  const srtPort = base + 5;
  const sltPort = base + 6;
  const onairSrt = await startOnAir(0, base, work, { name: 'onair-srt', args: ['--hls', args.hls!, '--srt-port', String(srtPort)] });
  const onairRtmp = await startOnAir(0, base + 10, work, { name: 'onair-rtmp', args: ['--hls', args.hls!, '--srt-port', '0'] });
  const slt = startChild('taskset', ['-c', '0', 'srt-live-transmit', '-q', `srt://:${sltPort}?mode=listener&latency=120`, `udp://127.0.0.1:${sink.address().port}`]);
  await sleep(500);
  const publishers = [
    publish(clip, `srt://127.0.0.1:${srtPort}?streamid=#!::r=live/bench,m=publish&pkt_size=1316`),
    publish(clip, onairRtmp.rtmpUrl('bench')),
    publish(clip, `srt://127.0.0.1:${sltPort}?pkt_size=1316`),
  ];
  const pids = [onairSrt.pid, onairRtmp.pid, slt.pid!];
  const names = ['OnAir SRT', 'OnAir RTMP', 'srt-live-transmit'];
  try {
    await sleep(Number(args.warmup) * 1000);
    const windows = Number(args.windows);
    const sums = pids.map(() => 0);
    for (let w = 0; w < windows; w++) {
      const pcts = (await cpuShares(pids, Number(args.seconds))).map((x) => 100 * x);
      pcts.forEach((p, i) => (sums[i]! += p / windows));
      console.log(`  ${rate} Mb/s window ${w + 1}: ${names.map((n, i) => `${n} ${pcts[i]!.toFixed(2)} %`).join('  ')}`);
    }
    console.log(`${rate} Mb/s, mean % of one core: ${names.map((n, i) => `${n} ${sums[i]!.toFixed(2)}`).join('  ')}`);
    console.log(`${rate} Mb/s ratios: SRT/RTMP ${(sums[0]! / sums[1]!).toFixed(2)}x  OnAir SRT / srt-live-transmit ${(sums[0]! / sums[2]!).toFixed(2)}x`);
  } finally {
    for (const p of publishers) await stopChild(p);
    await stopChild(slt);
    await onairSrt.stop();
    await onairRtmp.stop();
    sink.close();
  }
}

async function main(): Promise<void> {
  buildOnAir();
  const clips: Record<string, () => string> = { '2.7': () => referenceClip(media), '20': clip20 };
  console.log(`CPU per SRT ingest (OnAir --hls ${args.hls}); ${args.warmup} s warm-up, ${args.windows} windows of ${args.seconds} s; indicative on a shared machine`);
  for (const rate of args.rates!.split(',')) {
    const make = clips[rate];
    if (!make) throw new Error(`--rates: ${rate} is not one of ${Object.keys(clips).join(', ')}`);
    await cpuComparison(rate, make());
  }
  const tenSeconds = join(media, 'clip720-10s.mpegts');
  if (!existsSync(tenSeconds)) {
    execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-i', referenceClip(media), '-t', '10', '-c', 'copy', '-f', 'mpegts', tenSeconds]);
  }
  console.log(`loss recovery: the 10 s 720p clip through 10 % loss each way, SRT latency 200 ms, ${args['loss-runs']} seeds`);
  const results = await measureLossRecovery(tenSeconds, Number(args['loss-runs']), work);
  for (const r of results) console.log(`  ${r}`);
  writeFileSync(join(work, 'done'), '');
}

runBench(main, work);
