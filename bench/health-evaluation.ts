/**
 * What health's once-a-second evaluation costs in-process, optimized or as a live server mostly runs it, interpreted:
 *
 *   npx tsx bench/health-evaluation.ts [--streams 10] [--seconds 600]
 *   node --no-opt --import tsx bench/health-evaluation.ts      # interpreted (Ignition and Sparkplug, no TurboFan)
 *
 * Why the second form: a server with 10 streams calls the evaluation ten times a second, too seldom for V8 to
 * optimize it soon (`node --trace-opt`: `evaluateAll`, `evaluate` and `judge` not optimized after ~40 s, the monitor's
 * two still not after ~3 min), so in place it runs as bytecode and its cost is the bytecode it executes; the
 * optimized figure hides that. One hub with health, `--streams` streams fed 100 ms reads of 30 fps video and ~47 fps
 * audio on a simulated clock (healthy), and HealthMonitor.evaluateAll once a simulated second, timed alone; the
 * first 100 rounds are left out. Prints the median, p10 and p90 of one round. Numbers are for comparing builds on one
 * machine (alternate them: a shared machine drifts), not for the budget (bench/health-throughput.ts, health-probe.ts).
 */
import { pino } from 'pino';
import { StreamHub } from '../src/hub/index.js';
import { HealthMonitor, HlsAudience } from '../src/services/health/index.js';
import type { ClockSource } from '../src/hub/health/index.js';
import type { MediaPacket } from '../src/core/media-packet.js';
import { numberArg } from './lib/children.js';

const STREAMS = numberArg('streams', 10);
const SECONDS = numberArg('seconds', 600);
const SKIP = 100;

const clock = { now: 0, wall: Date.UTC(2026, 0, 1) };
const clocks: ClockSource = () => {
  const start = clock.now;
  return () => clock.now - start;
};
const log = pino({ level: 'silent' });
const hub = new StreamHub({
  gop: { maxBytes: 16 << 20, maxMs: 10_000 }, subscriber: { budgetBytes: 4 << 20, slowTimeoutMs: 30_000 }, takeover: 'takeover',
  health: { stallMs: 2000, keyframeIntervalMaxMs: 4000, bitrateDropPct: 50, fpsTolerancePct: 15, avDesyncMs: 500, driftMs: 1000 }, healthClocks: clocks,
}, log);
const monitor = new HealthMonitor({ hub, audience: new HlsAudience(), hysteresisMs: 5000, log, wallClock: () => clock.wall });
const payload = Buffer.alloc(10_000);
const sink = { pendingBytes: 0, onMetadata() {}, onPacket() {}, onPublisherEnd() {}, onPublisherStart() {}, onClose() {} };
const pubs = Array.from({ length: STREAMS }, (_, i) => {
  const pub = hub.publish(`live/s${i}`, { protocol: 'rtmp', remoteAddress: '127.0.0.1', streamId: `str_${i}` });
  pub.setMetadata({ framerate: 30, width: 1280, height: 720 });
  hub.subscribe(`live/s${i}`, { protocol: 'hls', remoteAddress: 'internal' }, sink);
  return pub;
});
const frame = (kind: 'video' | 'audio', dts: number, keyframe: boolean, bytes: number): MediaPacket =>
  ({ kind, codec: kind === 'video' ? 'avc1' : 'mp4a', role: 'frame', dts, cts: 0, keyframe, data: payload.subarray(0, bytes) });

const us: number[] = [];
for (let second = 0; second < SECONDS; second++) {
  for (let t = second * 1000; t < (second + 1) * 1000; t += 100) {
    clock.now = t;
    for (const pub of pubs) {
      pub.received();
      for (let d = t; d < t + 100; d += 33) pub.push(frame('video', d, d % 2000 < 33, 10_000));
      for (let d = t; d < t + 100; d += 21) pub.push(frame('audio', d, true, 300));
    }
  }
  clock.now = (second + 1) * 1000;
  clock.wall += 1000;
  const t0 = process.hrtime.bigint();
  monitor.evaluateAll();
  us.push(Number(process.hrtime.bigint() - t0) / 1000);
}
const states = [...monitor.reports()].map((r) => r.state);
const sorted = us.slice(SKIP).sort((a, b) => a - b);
const at = (q: number): string => sorted[Math.floor(q * (sorted.length - 1))]!.toFixed(1);
console.log(`one evaluateAll of ${STREAMS} streams (${sorted.length} rounds): median ${at(0.5)} us, p10 ${at(0.1)}, p90 ${at(0.9)}; states ${[...new Set(states)].join(', ')}`);
monitor.close();
hub.close();
