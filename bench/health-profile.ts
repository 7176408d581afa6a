/**
 * Health's share of a live server's CPU, read from inside the server (issue 18's budget: <= 2 %):
 *
 *   npx tsx bench/health-profile.ts [--streams 10] [--warmup 60] [--seconds 120] [--interval-us 100] [--scrape 15] [--port 19870]
 *
 * One OnAir from dist/ as it ships (health on), pinned to CPU 0, ingesting `--streams` copies of the reference clip
 * in real time (ffmpeg on CPU 1), HLS on, /metrics scraped every `--scrape` s. After `--warmup` s, V8's sampling
 * profiler runs in the server (through its inspector) for `--seconds` at one sample per `--interval-us`. Every
 * sample whose stack passes through health code is counted by where health was entered: the per-packet meters
 * (src/hub/health), the once-a-second evaluation (HealthMonitor), the per-stream /metrics series, the HLS audience.
 * Shares are of the samples in which the server was not idle. What this does not see: garbage collection caused by
 * health's allocations (V8 reports collection as its own "(garbage collector)" entry, printed beside), and the
 * wake-up of the once-a-second timer outside JavaScript. The profiler's own interruptions add to every part alike.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { numberArg, runBench, sleep, startChild, stopChild } from './lib/children.js';
import { realtimePublishArgs, referenceClip } from './lib/clip.js';
import { buildOnAir, startOnAir, waitPort, type CpuProfile } from './lib/servers.js';

const root = resolve(import.meta.dirname, '..');
const STREAMS = numberArg('streams', 10);
const WARMUP_MS = numberArg('warmup', 60) * 1000;
const SECONDS = numberArg('seconds', 120);
const INTERVAL_US = numberArg('interval-us', 100);
const SCRAPE_MS = numberArg('scrape', 15) * 1000;
const work = mkdtempSync(join(tmpdir(), 'onair-health-profile-'));

/** Where health was entered, by the file of the outermost health frame on a sample's stack (dist/ paths). */
const PARTS: readonly { name: string; file: RegExp }[] = [
  { name: 'evaluation (HealthMonitor, once a second)', file: /\/services\/health\/health-monitor\.js$/ },
  { name: 'per-stream /metrics series', file: /\/services\/metrics\/stream-metrics\.js$/ },
  { name: 'HLS audience', file: /\/(services\/health\/hls-audience|servers\/http\/metrics\/hls-observer)\.js$/ },
  { name: 'per packet (hub meters)', file: /\/hub\/health\/[^/]+\.js$/ },
];

function attribute(profile: CpuProfile): void {
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const counts = new Map<string, number>();
  const self = new Map<string, number>();
  const healthSelf = new Map<string, number>();
  let busy = 0;
  let gc = 0;
  for (const id of profile.samples) {
    const leaf = byId.get(id)!;
    const leafName = leaf.callFrame.functionName;
    if (leafName === '(idle)') continue;
    busy++;
    if (leafName === '(garbage collector)') gc++;
    const key = `${leafName || '(anonymous)'} ${leaf.callFrame.url.split('/').slice(-2).join('/')}`;
    self.set(key, (self.get(key) ?? 0) + 1);
    // The outermost (closest to the root) health frame says how health was entered.
    let part: string | undefined;
    for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
      const url = byId.get(n)!.callFrame.url;
      const hit = PARTS.find((p) => p.file.test(url));
      if (hit) part = hit.name;
    }
    if (part) {
      counts.set(part, (counts.get(part) ?? 0) + 1);
      healthSelf.set(key, (healthSelf.get(key) ?? 0) + 1);
    }
  }
  const pct = (n: number): string => `${((100 * n) / busy).toFixed(2)} %`;
  console.log(`${profile.samples.length} samples, ${busy} with the server busy (one per ${INTERVAL_US} us)`);
  let total = 0;
  for (const p of PARTS) {
    const n = counts.get(p.name) ?? 0;
    total += n;
    console.log(`  ${p.name.padEnd(44)} ${String(n).padStart(6)} samples  ${pct(n)} of the server's busy samples`);
  }
  console.log(`  ${'health, all of it'.padEnd(44)} ${String(total).padStart(6)} samples  ${pct(total)}`);
  console.log(`  ${'(garbage collector), all causes'.padEnd(44)} ${String(gc).padStart(6)} samples  ${pct(gc)}`);
  console.log('top self time inside health:');
  for (const [k, n] of [...healthSelf].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(`  ${pct(n).padStart(8)}  ${k}`);
  console.log('top self time:');
  for (const [k, n] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(`  ${pct(n).padStart(8)}  ${k}`);
}

runBench(async () => {
  buildOnAir();
  const clip = referenceClip(join(root, 'bench/out/media'));
  const port = numberArg('port', 19870);
  const server = await startOnAir(0, port, work, { name: 'health on', inspectGc: true, startTimeoutMs: 180_000 });
  const pubs = Array.from({ length: STREAMS }, (_, i) => startChild('taskset', ['-c', '1', 'ffmpeg', ...realtimePublishArgs(clip, server.rtmpUrl(`s${i}`))]));
  let scraper: NodeJS.Timeout | undefined;
  try {
    await waitPort(port + 1, 180_000);
    if (SCRAPE_MS > 0) scraper = setInterval(() => void fetch(`http://127.0.0.1:${port + 1}/metrics`).then((r) => r.text()).catch(() => {}), SCRAPE_MS);
    console.log(`${STREAMS} streams, ${WARMUP_MS / 1000} s warm-up, then ${SECONDS} s profiled; ${SCRAPE_MS > 0 ? `/metrics every ${SCRAPE_MS / 1000} s` : 'no scrapes'}`);
    await sleep(WARMUP_MS);
    attribute(await server.cpuProfile!(SECONDS, INTERVAL_US));
  } finally {
    clearInterval(scraper);
    for (const p of pubs) await stopChild(p);
    await server.stop();
  }
}, work);
