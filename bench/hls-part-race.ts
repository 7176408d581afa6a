/**
 * Reproduces hls.js's LL-HLS stall at a segment boundary (README, "hls.js: a stall when a segment completes while
 * its newest part is being transmuxed"): a proxy in front of OnAir (support/llhls-race-proxy.ts) makes the playlist
 * that completes a segment reach hls.js just after the segment's newest part and before hls.js's transmuxer has
 * returned it. hls.js 1.7.4 then judges the segment fully buffered although its last part is not (the fragment
 * tracker's 0.2 s padding covers it), never asks for that part, and asks for no part at all until the segment's
 * parts leave the playlist (3 target durations); its gap controller then jumps the hole and the latency stays
 * that much higher for good.
 *
 *   npx tsx bench/hls-part-race.ts [--runs 3] [--seconds 30] [--latency-mode lowest] [--worker-delay 80] [--race-delay 25] [--gop 2] [--defer-segment 0] [--late-reload 0] [--no-worker 0]
 *
 * - `--latency-mode lowest` (118 ms parts): a segment's last part is at most 0.135 s, so a segment missing only its
 *   last part always looks whole to hls.js. At `low` (200 ms parts, 2 s GOP: last part 0.2 s) it depends on where
 *   the buffered media ends against the playlist's times, which hls.js fixes at start-up (the stall seen in
 *   bench/hls-latency-timeline.ts's runs was at `low`).
 * - `--worker-delay MS`: every message from hls.js's transmuxer worker reaches the page MS later (a slower device):
 *   the window in which the playlist must land is then MS wide instead of the ~3-10 ms a part's transmux takes on
 *   this VM, so most forced races land in it. 0 leaves hls.js as it is (few races land).
 * - `--race-delay MS`: how long after the part the proxy sends the completing playlist (must be after the part's
 *   request has completed in the page, or hls.js loads the next part in the same chain, and before the worker answers).
 * - `--defer-segment 1`: the proxy rewrites every media playlist whose last segment is complete and no part of the
 *   next one is listed yet to show that segment still in progress (its parts without its #EXTINF and URI), i.e. the
 *   "list the last part one playlist version before the segment completes" server mitigation, untested until now.
 * - `--no-worker 1`: hls.js with `enableWorker: false` (as OnAir's watch page and dashboard preview): it transmuxes
 *   a part in the same task that completes its request, so no playlist can be merged in between (--worker-delay
 *   does not apply).
 * - `--late-reload 1` (with `--defer-segment 1`): the reload that would list the segment's last part (still in
 *   progress) is answered with the next playlist instead, which completes the segment: what a player gets that asks
 *   for its reloads a part late (its main thread busy, as hls.js's is while it starts).
 *
 * Counts per run: forced races; races whose completing playlist reached hls.js's fragment tracker before the part
 * (the tracker judged the part against the completed segment); of those, the tracker said "whole segment buffered"
 * with the last part missing; stalls (no part asked for 2 s or more after a race); the longest gap; latency before
 * and after. Server in this process (support/onair.ts), publisher: the reference clip in real time.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { numberArg, runBench, sleep, startChild, stopChild } from './lib/children.js';
import { realtimePublishArgs, referenceClip } from './lib/clip.js';
import { startTestServer } from '../support/onair.js';
import { launchHlsBrowser } from '../support/hls-browser.js';
import { startRaceProxy } from '../support/llhls-race-proxy.js';

const root = resolve(import.meta.dirname, '..');
const RUNS = numberArg('runs', 3);
const SECONDS = numberArg('seconds', 30);
const GOP = numberArg('gop', 2);
const WORKER_DELAY = numberArg('worker-delay', 80);
const RACE_DELAY = numberArg('race-delay', 25);
const DEFER = numberArg('defer-segment', 0) !== 0;
const LATE = numberArg('late-reload', 0) !== 0;
const NO_WORKER = numberArg('no-worker', 0) !== 0;
const MODE = (() => {
  const i = process.argv.indexOf('--latency-mode');
  return i > 0 ? process.argv[i + 1] ?? 'lowest' : 'lowest';
})();
const work = mkdtempSync(join(tmpdir(), 'onair-part-race-'));

/** Delays every message from a Worker to the page by `ms` (FIFO kept: same delay for each). */
const slowWorker = (ms: number): string => `(() => {
  const add = Worker.prototype.addEventListener;
  Worker.prototype.addEventListener = function (type, fn, opts) {
    if (type !== 'message') return add.call(this, type, fn, opts);
    return add.call(this, type, (e) => setTimeout(() => fn.call(this, e), ${ms}), opts);
  };
})();`;

/** hls.js with `enableWorker: false` (its default config, set when the page's script defines `Hls`). */
const inlineTransmuxer = `(() => {
  Object.defineProperty(window, 'Hls', {
    configurable: true,
    set(v) {
      v.DefaultConfig = { ...v.DefaultConfig, enableWorker: false };
      Object.defineProperty(window, 'Hls', { value: v, writable: true, configurable: true });
    },
  });
})();`;

/**
 * Records each verdict of hls.js's fragment tracker on a buffered part (hls.js internals, 1.7.4): the segment it
 * judged, whether that segment was complete in the playlist hls.js had by then, and the state it gave it.
 */
function recordTrackerVerdicts(): void {
  const w = globalThis as unknown as { __hls: { streamController: { fragmentTracker: Record<string, unknown> } }; __verdicts: unknown[]; document: { getElementById(id: string): { buffered: { length: number; end(i: number): number } } } };
  w.__verdicts = [];
  const ft = w.__hls.streamController.fragmentTracker as { detectPartialFragments(d: unknown): void; getState(f: unknown): string };
  const original = ft.detectPartialFragments.bind(ft);
  ft.detectPartialFragments = (data: unknown) => {
    original(data);
    const { frag, part } = data as { frag: { sn: number; relurl?: string; end: number }; part: { index: number } | null };
    if (!part) return;
    const b = w.document.getElementById('v').buffered;
    w.__verdicts.push({ t: Date.now(), sn: frag.sn, part: part.index, complete: !!frag.relurl, state: ft.getState(frag), fragEnd: frag.end, bufferEnd: b.length ? b.end(b.length - 1) : null });
  };
}

interface Verdict {
  t: number;
  sn: number;
  part: number;
  complete: boolean;
  state: string;
  fragEnd: number;
  bufferEnd: number | null;
}

interface RunResult {
  races: number;
  judgedComplete: number;
  wholeWithTailMissing: number;
  stalls: number;
  longestGapMs: number;
}

async function run(n: number, clip: string): Promise<RunResult> {
  const server = await startTestServer({ 'log-level': 'warn', 'latency-mode': MODE });
  const pub: ChildProcess = startChild('ffmpeg', realtimePublishArgs(clip, server.rtmpUrl('race')));
  const proxy = await startRaceProxy(server.httpUrl(''), { raceDelayMs: RACE_DELAY, deferSegmentCompletion: DEFER, lateReload: LATE });
  const browser = await launchHlsBrowser();
  try {
    const master = '/hls/race/index.m3u8';
    for (let i = 0; i < 300; i++) {
      const res = await fetch(server.httpUrl(master)).catch(() => undefined);
      if (res?.ok) break;
      await sleep(100);
    }
    await sleep(1000);
    const page = await browser.open(proxy.url + master, true, 'hls.js', { initScript: NO_WORKER ? inlineTransmuxer : WORKER_DELAY > 0 ? slowWorker(WORKER_DELAY) : undefined });
    await page.evaluate(recordTrackerVerdicts);
    const latency: number[] = [];
    const t0 = Date.now();
    while (Date.now() - t0 < SECONDS * 1000) {
      const s = await browser.state(page);
      if (s.fatal.length) throw new Error(`hls.js fatal: ${s.fatal.join(',')}`);
      if (s.currentTime > 0) latency.push(s.latency);
      await sleep(250);
    }
    const verdicts = await page.evaluate(() => (globalThis as unknown as { __verdicts: Verdict[] }).__verdicts);
    const requests = proxy.partRequests;
    let judgedComplete = 0;
    let wholeWithTailMissing = 0;
    let stalls = 0;
    let longestGapMs = 0;
    const lines: string[] = [];
    for (const race of proxy.races) {
      const v = verdicts.find((x) => x.sn === race.msn && x.part === race.heldPart && x.t >= race.at - 50);
      const next = requests.find((r) => r.at > race.at);
      const gap = (next?.at ?? Date.now()) - race.at;
      const lastAsked = requests.some((r) => r.msn === race.msn && r.part === race.lastPart);
      if (v?.complete) judgedComplete++;
      const whole = v?.complete === true && v.state === 'OK' && race.heldPart < race.lastPart;
      if (whole) wholeWithTailMissing++;
      if (gap >= 2000) stalls++;
      longestGapMs = Math.max(longestGapMs, gap);
      lines.push(`    segment ${race.msn}: loading part ${race.heldPart} of 0-${race.lastPart} when it completed; tracker: ${v ? `${v.complete ? 'complete' : 'in progress'} segment, ${v.state} (buffered to ${v.bufferEnd?.toFixed(3)}, segment ends ${v.fragEnd.toFixed(3)})` : 'no verdict on that part (loaded in one chain with the next)'}; last part asked: ${lastAsked ? 'yes' : 'NO'}; next part asked after ${gap} ms${next ? ` (${next.msn}.${next.part})` : ''}`);
    }
    // hls.js's latency 1-2 s after its first frame (its start) against the end of the run.
    const early = latency.slice(4, 8).sort((a, b) => a - b);
    console.log(`run ${n + 1}: ${proxy.races.length} forced races, ${judgedComplete} judged against the completed segment, ${wholeWithTailMissing} "whole" with the last part missing, ${stalls} stalls >= 2 s (longest gap ${longestGapMs} ms); hls.latency ${early.length ? early[early.length >> 1]!.toFixed(2) : '-'} s at the start -> ${latency.length ? latency[latency.length - 1]!.toFixed(2) : '-'} s at the end`);
    for (const l of lines) console.log(l);
    return { races: proxy.races.length, judgedComplete, wholeWithTailMissing, stalls, longestGapMs };
  } finally {
    await browser.close();
    await proxy.close();
    await stopChild(pub);
    await server.close();
  }
}

async function main(): Promise<void> {
  const clip = referenceClip(join(root, 'bench/out/media'), GOP);
  console.log(`hls.js ${MODE} LL-HLS through the race proxy: ${RUNS} runs of ${SECONDS} s, worker delay ${WORKER_DELAY} ms, playlist ${RACE_DELAY} ms after the part, GOP ${GOP} s${DEFER ? ', segments completed one playlist version late (--defer-segment 1)' : ''}${LATE ? ', reloads answered one part late (--late-reload 1)' : ''}${NO_WORKER ? ', hls.js enableWorker: false (--no-worker 1)' : ''}`);
  const results: RunResult[] = [];
  for (let n = 0; n < RUNS; n++) results.push(await run(n, clip));
  const sum = (k: keyof RunResult): number => results.reduce((a, r) => a + r[k], 0);
  console.log(`total: ${sum('races')} forced races, ${sum('judgedComplete')} judged against the completed segment, ${sum('wholeWithTailMissing')} "whole" with the last part missing, ${sum('stalls')} stalls >= 2 s; runs with a stall: ${results.filter((r) => r.stalls > 0).length}/${RUNS}`);
}

runBench(main, work);
