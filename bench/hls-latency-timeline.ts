/**
 * Where LL-HLS start-up latency goes in hls.js: per run, a wall-clock timeline of the player's start (playlists with
 * their edge, each part requested / answered / appended, the first frame, stalls, seeks) next to the moment the
 * server made each part available, and the glass-to-glass (PROGRAM-DATE-TIME) latency it ends at.
 *
 *   npx tsx bench/hls-latency-timeline.ts [--runs 3] [--seconds 10] [--port 43000] [--flags '<server flags>'] [--gop 2] [--events 1] [--shaka 0] [--join-spread 0] [--video-only 0] [--dump DIR]
 *
 * hls.js with its defaults and lowLatencyMode, as in bench/hls-latency.ts; the timeline costs the page a listener
 * per event. Part availability comes from a second client in this process that follows the preload hint with
 * blocking reloads, as an LL-HLS player does, and notes when each part is first listed (loopback: within a ms or
 * two of the server cutting it). With the default maxLiveSyncPlaybackRate = 1 hls.js never plays faster than real
 * time, so the latency it has when the first frame plays is kept for the whole run, plus what stalls add.
 * The breakdown of that first-frame latency (all wall clock, s):
 *   cut      = first media playlist received - PDT of its edge (how old the newest listed media is on arrival)
 *   behind   = edge - start position hls.js picked (its target latency less the playlist's age)
 *   startup  = first frame playing - first media playlist received (loading, transmuxing, appending)
 *   shift    = start position - currentTime at the first frame (>0: playback began before the chosen start)
 *   g2g at first frame = cut + behind + startup + shift
 * Bench method: /work/shared/BENCHMARKING.md (server pinned to CPU 0, publisher on CPU 1).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { median, numberArg, runBench, sleep, startChild, stopChild } from './lib/children.js';
import { realtimePublishArgs, referenceClip } from './lib/clip.js';
import { buildOnAir, startOnAir } from './lib/servers.js';
import { launchHlsBrowser, type TimelineEntry } from '../support/hls-browser.js';

const root = resolve(import.meta.dirname, '..');
const RUNS = numberArg('runs', 3);
const SECONDS = numberArg('seconds', 10);
const PORT = numberArg('port', 43000);
const GOP = numberArg('gop', 2);
/** Also play the stream in Shaka Player (lowLatencyMode) on a second page during each run, for its stalls and gap jumps. */
const SHAKA = numberArg('shaka', 0) !== 0;
/** Print every event of the first run's start (1) or only the breakdowns (0). */
const EVENTS = numberArg('events', 1) !== 0;
/**
 * `--join-spread 1`: run n of N opens the player n/N of a GOP later (as hls-latency.ts --ab-join-spread): without it
 * every run joins at about the same point of the GOP, so hls.js's start point and the decoding from the keyframe
 * before it are about the same each run.
 */
const JOIN_SPREAD = numberArg('join-spread', 0) !== 0;
/** `--video-only 1`: publish the clip without its audio (ffmpeg -an), to see what the audio track costs the start. */
const VIDEO_ONLY = numberArg('video-only', 0) !== 0;
const WARMUP_MS = 5_000;
/** Write each run's whole timeline and the parts the watcher saw listed to DIR/run-N.json (for reading a stall afterwards). */
const DUMP = (() => {
  const i = process.argv.indexOf('--dump');
  return i > 0 ? process.argv[i + 1] : undefined;
})();
const FLAGS = (() => {
  const i = process.argv.indexOf('--flags');
  return (i > 0 ? process.argv[i + 1] ?? '' : '').split(' ').filter((x) => x !== '');
})();
const work = mkdtempSync(join(tmpdir(), 'onair-hls-timeline-'));

interface PartSeen {
  /** Wall clock when the part was first listed in a playlist answer. */
  listedAt: number;
  /** PROGRAM-DATE-TIME of the part's media end (epoch ms). */
  mediaEndPdt: number;
  independent: boolean;
  /** Listed in the watcher's first answer: already there, so listedAt says nothing of when it was cut. */
  old: boolean;
}

/**
 * Follows the media playlist with blocking reloads on the preload hint (like an LL-HLS player, without loading
 * media) and notes when each part is first listed; keys are "msn.part".
 */
function watchParts(mediaUrl: string, seen: Map<string, PartSeen>, signal: AbortSignal): Promise<void> {
  return (async () => {
    let query = '';
    let first = true;
    while (!signal.aborted) {
      const res = await fetch(mediaUrl + query, { signal }).catch(() => undefined);
      if (!res) return;
      const text = await res.text().catch(() => '');
      const at = Date.now();
      let pdt = 0;
      for (const line of text.split('\n')) {
        if (line.startsWith('#EXT-X-PROGRAM-DATE-TIME:')) pdt = Date.parse(line.slice(25));
        else if (line.startsWith('#EXTINF')) pdt = 0;
        else if (line.startsWith('#EXT-X-PART:')) {
          const d = Number(/DURATION=([\d.]+)/.exec(line)?.[1]);
          const key = partKey(/URI="([^"]+)"/.exec(line)?.[1]);
          if (key && pdt) {
            pdt += d * 1000;
            if (!seen.has(key)) seen.set(key, { listedAt: at, mediaEndPdt: pdt, independent: line.includes('INDEPENDENT=YES'), old: first });
          }
        }
      }
      first = false;
      const hint = /#EXT-X-PRELOAD-HINT:TYPE=PART,URI="([^"]+)"/.exec(text)?.[1];
      const next = partKey(hint)?.split('.');
      query = next ? `?_HLS_msn=${next[0]}&_HLS_part=${next[1]}` : '';
      if (!next) await sleep(50);
    }
  })();
}

/** ffmpeg arguments with `-an` before the output when --video-only is set. */
function withoutAudio(args: string[]): string[] {
  return VIDEO_ONLY ? [...args.slice(0, -3), '-an', ...args.slice(-3)] : args;
}

/** "msn.part" from a part URI: its last two numbers (before the extension and query). */
function partKey(uri: string | undefined): string | undefined {
  const m = uri ? /(\d+)\D+(\d+)\.[a-z0-9]+$/.exec(uri.split('?')[0]!) : null;
  return m ? `${m[1]}.${m[2]}` : undefined;
}

const f = (x: number | null | undefined, d = 3): string => (x === null || x === undefined || Number.isNaN(x) ? '-' : x.toFixed(d));
const num = (e: TimelineEntry | undefined, k: string): number => (e ? Number(e[k]) : NaN);

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}

interface RunResult {
  g2gFirst: number;
  g2gP50: number;
  latencyP50: number;
  cut: number;
  behind: number;
  startup: number;
  shift: number;
  stalls: number;
  targetLatencyEnd: number;
  seekToPlaying: number;
  keyframeToStart: number;
}

async function run(n: number, clip: string): Promise<RunResult> {
  let port = PORT + 4 * n;
  // A fixed port can be taken meanwhile by another program's socket (it is in the ephemeral range): one retry elsewhere.
  const opts = { args: ['--latency-mode', 'low', ...FLAGS] };
  const server = await startOnAir(0, port, work, opts).catch(async (err: unknown) => {
    console.log(`port ${port}: ${(err as Error).message}; retrying on ${port + 200}`);
    port += 200;
    return startOnAir(0, port, work, opts);
  });
  const pub: ChildProcess = startChild('taskset', ['-c', '1', 'ffmpeg', ...withoutAudio(realtimePublishArgs(clip, `rtmp://127.0.0.1:${port}/live/bench`))]);
  const browser = await launchHlsBrowser();
  const stop = new AbortController();
  const seen = new Map<string, PartSeen>();
  try {
    const master = `http://127.0.0.1:${port + 1}/hls/bench/index.m3u8`;
    let masterText = '';
    for (let i = 0; i < 300 && !masterText; i++) {
      const res = await fetch(master).catch(() => undefined);
      if (res?.ok) masterText = await res.text();
      else await sleep(100);
    }
    const mediaUri = masterText.split('\n').find((l) => l && !l.startsWith('#'));
    if (!mediaUri) throw new Error('no media playlist in the master playlist');
    const watcher = watchParts(new URL(mediaUri, master).href, seen, stop.signal);
    await sleep(1000 + (JOIN_SPREAD ? Math.round((n / RUNS) * GOP * 1000) : 0)); // the watcher has the window's parts before the player starts
    const t0 = Date.now();
    const page = await browser.open(master, true, 'hls.js', { timeline: true });
    const shaka = SHAKA ? await browser.open(master, true, 'shaka') : undefined;
    const shakaG2g: number[] = [];
    let shakaState: Awaited<ReturnType<typeof browser.state>> | undefined;
    const g2g: number[] = [];
    const lat: number[] = [];
    let stalls = 0;
    const trend: number[] = [];
    let targetLatencyEnd = NaN;
    while (Date.now() - t0 < WARMUP_MS + SECONDS * 1000) {
      const s = await browser.state(page);
      if (s.fatal.length) throw new Error(`hls.js fatal: ${s.fatal.join(',')}`);
      if (Date.now() - t0 > WARMUP_MS && s.currentTime > 0 && s.playingDate) {
        g2g.push((s.now - s.playingDate) / 1000);
        if (g2g.length % 8 === 1) trend.push(g2g[g2g.length - 1]!);
        lat.push(s.latency);
      }
      stalls = s.stalls;
      if (shaka) {
        shakaState = await browser.state(shaka);
        if (shakaState.fatal.length) throw new Error(`Shaka fatal: ${shakaState.fatal.join(',')}`);
        if (Date.now() - t0 > WARMUP_MS && shakaState.currentTime > 0 && shakaState.playingDate) shakaG2g.push((shakaState.now - shakaState.playingDate) / 1000);
      }
      await sleep(250);
    }
    const tl = await browser.timeline(page);
    targetLatencyEnd = await page.evaluate(() => (globalThis as unknown as { __hls: { targetLatency: number } }).__hls.targetLatency);
    stop.abort();
    await watcher.catch(() => {});
    if (shakaState) console.log(`run ${n + 1}: Shaka (same stream, same time): g2g p50 ${f(pct(shakaG2g, 50), 2)} s | stalls ${shakaState.stalls} | gap jumps ${shakaState.gapJumps} | errors ${shakaState.errors.length} | n=${shakaG2g.length}`);
    console.log(`run ${n + 1}: g2g every 2 s after warm-up: ${trend.map((x) => f(x, 2)).join(' ')}`);
    if (DUMP) {
      mkdirSync(DUMP, { recursive: true });
      writeFileSync(join(DUMP, `run-${n + 1}.json`), JSON.stringify({ t0, timeline: tl, listed: Object.fromEntries(seen) }));
    }
    return report(n, t0, tl, seen, g2g, lat, stalls, targetLatencyEnd);
  } finally {
    stop.abort();
    await browser.close();
    await stopChild(pub);
    await server.stop();
  }
}

function report(n: number, t0: number, tl: TimelineEntry[], seen: Map<string, PartSeen>, g2g: number[], lat: number[], stalls: number, targetLatencyEnd: number): RunResult {
  const firstLevel = tl.find((e) => e.ev === 'LEVEL_LOADED');
  const playing = tl.find((e) => e.ev === 'media:playing');
  const startLog = tl.find((e) => e.ev === 'log' && /Setting startPosition to [\d.]+ next load/.test(String(e.text)));
  const startPos = Number(/Setting startPosition to ([\d.]+)/.exec(String(startLog?.text ?? ''))?.[1] ?? NaN);
  const rel = (t: number): string => `+${String(t - t0).padStart(5)} ms`;
  if (EVENTS && n === 0) {
    console.log(`run ${n + 1} timeline until 1 s after the first frame (t relative to loadSource):`);
    const until = (playing?.t ?? t0 + 10_000) + 1000;
    for (const e of tl) {
      if (e.t > until) break;
      const { t, ev, ...rest } = e;
      let extra = '';
      if (ev === 'FRAG_LOADED' || ev === 'FRAG_LOADING') {
        const p = seen.get(`${String(rest.sn)}.${String(rest.part)}`);
        if (p) extra = ` | server listed it at ${rel(p.listedAt)}, media end PDT ${rel(p.mediaEndPdt)}${p.independent ? ' INDEPENDENT' : ''}`;
      }
      console.log(`  ${rel(t)} ${ev} ${JSON.stringify(rest, (_k, v: unknown) => (typeof v === 'number' && !Number.isInteger(v) ? Number(v.toFixed(3)) : typeof v === 'number' && v > 1e12 ? `+${v - t0}` : v))}${extra}`);
    }
  }
  const stall = tl.find((e) => e.t > (playing?.t ?? Infinity) && e.ev === 'media:waiting');
  if (stall) {
    console.log(`run ${n + 1}: playback waited at ${rel(stall.t)}; the events around it:`);
    for (const e of tl) {
      if (e.t < stall.t - 1500 || e.t > stall.t + 2500 || e.ev === 'LEVEL_LOADING') continue;
      const { t, ev, ...rest } = e;
      const p = e.ev.startsWith('FRAG_') ? seen.get(`${String(rest.sn)}.${String(rest.part)}`) : undefined;
      console.log(`  ${rel(t)} ${ev} ${JSON.stringify(rest, (_k, v: unknown) => (typeof v === 'number' && v > 1e12 ? `+${v - t0}` : typeof v === 'number' && !Number.isInteger(v) ? Number(v.toFixed(3)) : v))}${p ? ` | listed ${rel(p.listedAt)}` : ''}`);
    }
  }
  const edge = num(firstLevel, 'edge');
  const cut = (num(firstLevel, 't') - num(firstLevel, 'edgePdt')) / 1000;
  const behind = edge - startPos;
  const startup = (num(playing, 't') - num(firstLevel, 't')) / 1000;
  const shift = startPos - num(playing, 'currentTime');
  const g2gFirst = (num(playing, 't') - num(playing, 'playingDate')) / 1000;
  const frags = tl.filter((e) => e.ev === 'FRAG_LOADED' && e.t <= (playing?.t ?? Infinity));
  const waits = frags.map((e) => {
    const p = seen.get(`${String(e.sn)}.${String(e.part)}`);
    const req = Number(e.trequest);
    const end = Number(e.tend);
    // Held: asked before the server had it (a blocking part request); the wait for the part is not a loss.
    const ready = p ? Math.max(req, p.listedAt) : req;
    return { key: `${String(e.sn)}.${String(e.part)}`, held: p ? Math.max(0, p.listedAt - req) : NaN, transfer: end - ready, ttfb: Number(e.tfirst) - ready };
  });
  const at = (pred: (e: TimelineEntry) => boolean): number => tl.find(pred)?.t ?? NaN;
  const seekAt = at((e) => e.ev === 'log' && String(e.text).includes('seek to target start'));
  const seeking = tl.find((e) => e.ev === 'media:seeking');
  const firstAppend = tl.find((e) => e.ev === 'BUFFER_APPENDED' && e.sn !== 'initSegment');
  const lastLoadBeforeSeek = tl.filter((e) => e.ev === 'FRAG_LOADED' && e.t <= seekAt).pop();
  const keyframe = Number(tl.find((e) => e.ev === 'FRAG_LOADING')?.start);
  const ms = (a: number, b: number): string => f(b - a, 0);
  console.log(`run ${n + 1}: g2g at first frame ${f(g2gFirst)} s = cut ${f(cut)} + behind ${f(behind)} (target ${f(num(firstLevel, 'targetLatency'))}, age ${f(num(firstLevel, 'age'))}) + startup ${f(startup)} + shift ${f(shift)}`
    + ` | first playlist asked ${rel(num(firstLevel, 'trequest'))}, got ${rel(num(firstLevel, 't'))}; first frame ${rel(num(playing, 't'))}`);
  console.log(`        loads before the first frame (held by the server until listed + asked-to-loaded, time to first byte): ${waits.map((w) => `${w.key} ${f(w.held, 0)}+${f(w.transfer, 0)} (${f(w.ttfb, 0)})`).join(', ')}`);
  console.log(`        startup ${f(startup * 1000, 0)} ms: playlist -> first part asked ${ms(num(firstLevel, 't'), at((e) => e.ev === 'FRAG_LOADING'))}, -> first media appended ${ms(num(firstLevel, 't'), firstAppend?.t ?? NaN)}`
    + `, -> last load before the seek (${String(lastLoadBeforeSeek?.sn)}.${String(lastLoadBeforeSeek?.part)}) ${ms(num(firstLevel, 't'), lastLoadBeforeSeek?.t ?? NaN)}, -> seek to start issued ${ms(num(firstLevel, 't'), seekAt)}`
    + `, seek -> playing ${ms(seekAt, num(playing, 't'))} (decoding ${f(num(seeking, 'currentTime') - keyframe)} s from the independent part at ${f(keyframe)} to the start; ${waits.length} parts loaded one at a time)`);
  const after = tl.filter((e) => e.t > (playing?.t ?? Infinity) && /waiting|stalled|seeking|ratechange|ERROR|nudg|stall|gap|Gap/i.test(e.ev + String(e.text ?? '')));
  console.log(`        after the first frame: ${after.length ? after.map((e) => `${rel(e.t)} ${e.ev}${e.text ? ` ${String(e.text).slice(0, 120)}` : ''}${e.currentTime !== undefined ? ` @${f(Number(e.currentTime))}` : ''}`).join('; ') : 'no waiting, seek, stall or error'}`);
  // Each part is listed when the frame after it arrives, so listed - PDT of its end is >= 0 if PDT is the arrival time;
  // below 0 the server's PDT anchor (fixed at the session's first keyframe) is later than the media's arrival.
  const listedVsPdt = [...seen.values()].filter((p) => !p.old).map((p) => p.listedAt - p.mediaEndPdt);
  console.log(`        parts listed - PDT of their end: min ${f(Math.min(...listedVsPdt), 0)} ms, p50 ${f(pct(listedVsPdt, 50), 0)} ms, p95 ${f(pct(listedVsPdt, 95), 0)} ms (n=${listedVsPdt.length})`);
  console.log(`        steady: g2g p50 ${f(pct(g2g, 50), 2)} s p95 ${f(pct(g2g, 95), 2)} s | hls.latency p50 ${f(pct(lat, 50), 2)} s | stalls ${stalls} | targetLatency at end ${f(targetLatencyEnd)} | n=${g2g.length}`);
  return { g2gFirst, g2gP50: pct(g2g, 50), latencyP50: pct(lat, 50), cut, behind, startup, shift, stalls, targetLatencyEnd, seekToPlaying: (num(playing, 't') - seekAt) / 1000, keyframeToStart: num(seeking, 'currentTime') - keyframe };
}

async function main(): Promise<void> {
  buildOnAir();
  const clip = referenceClip(join(root, 'bench/out/media'), GOP);
  console.log(`LL-HLS start-up timeline in hls.js (defaults + lowLatencyMode): ${RUNS} runs, ${SECONDS} s after ${WARMUP_MS / 1000} s, server flags [${FLAGS.join(' ')}], GOP ${GOP} s`);
  const runs: RunResult[] = [];
  for (let n = 0; n < RUNS; n++) runs.push(await run(n, clip));
  const m = (k: keyof RunResult): string => f(median(runs.map((r) => r[k])));
  console.log(`median of ${RUNS} runs: g2g p50 ${m('g2gP50')} s, hls.latency p50 ${m('latencyP50')} s, g2g at first frame ${m('g2gFirst')} s = cut ${m('cut')} + behind ${m('behind')} + startup ${m('startup')} + shift ${m('shift')}; seek -> playing ${m('seekToPlaying')} s, independent part -> start ${m('keyframeToStart')} s; stalls ${m('stalls')}`);
}

runBench(main, work);
