/** The tables and ratios bench/hls-viewers.ts prints. */
import type { Percentiles } from './http/sample-set.js';
import type { SideLoadReport } from './http/viewers-protocol.js';

export interface ViewerRow {
  readonly server: string;
  /** OnAir's HTTP playback (ratios are taken of these rows against the others). */
  readonly subject: boolean;
  readonly mode: string;
  readonly viewers: number;
  readonly seconds: number;
  /** The server's CPU (its threads' run time) as % of one core. */
  readonly serverCpuPct: number;
  /** A server of several processes (BenchServer.pids): each one's share, in that order. */
  readonly processCpuPct?: readonly number[];
  /** CPU 0's busy time (includes kernel work for anyone, and other tenants of a shared machine) as %. */
  readonly cpu0BusyPct: number;
  readonly gbps: number;
  readonly cpuPerGb: number;
  /** Requests per second (HTTP viewers only). */
  readonly reqPerSec: number | null;
  readonly keptUp: number;
  readonly clientCpuPct: number;
  readonly clientLoopP99Ms: number | null;
  readonly partLagMs: Percentiles | null;
  readonly errors: Record<string, number>;
  readonly rssMb: number;
  readonly side?: SideLoadReport;
}

/** Above this share of its core, the load client's figures are about the client (BENCHMARKING.md). */
export const CLIENT_CPU_WARN_PCT = 90;
/**
 * CPU 0 busy beyond the server's own time by more than this (% of the core): other processes ran there (a shared
 * machine) or kernel work not charged to the server did, so a server that fell behind may have been starved.
 */
const CPU0_OTHERS_WARN_PCT = 25;

const fmt = (v: number | null | undefined, d = 2): string => (v === null || v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(d));
const pad = (s: string, n: number): string => s.padStart(n);

export function printRows(rows: readonly ViewerRow[]): void {
  console.log('\nserver                   viewers  srv CPU%  CPU0%   Gb/s  CPU-s/GB   req/s   kept up  client CPU%  loop p99 ms  part lag p50/p99 ms  RSS MB  errors');
  for (const r of rows) {
    const lag = r.partLagMs?.n ? `${fmt(r.partLagMs.p50, 0)}/${fmt(r.partLagMs.p99, 0)}` : '-';
    const errors = Object.entries(r.errors).map(([k, v]) => `${k}: ${v}`).join(', ') || '-';
    console.log(`${r.server.padEnd(24)} ${pad(String(r.viewers), 7)}  ${pad(fmt(r.serverCpuPct, 1), 8)}  ${pad(fmt(r.cpu0BusyPct, 0), 5)}  ${pad(fmt(r.gbps), 5)}  ${pad(fmt(r.cpuPerGb), 8)}  ${pad(fmt(r.reqPerSec, 0), 6)}  ${pad(`${r.keptUp}/${r.viewers}`, 8)}  ${pad(fmt(r.clientCpuPct, 0), 11)}  ${pad(fmt(r.clientLoopP99Ms, 0), 11)}  ${pad(lag, 19)}  ${pad(fmt(r.rssMb, 0), 6)}  ${errors}`);
  }
  for (const r of rows.filter((x) => x.side)) printSide(r);
  for (const r of rows.filter((x) => x.cpu0BusyPct - x.serverCpuPct > CPU0_OTHERS_WARN_PCT)) {
    console.log(`WARNING: ${r.server} at ${r.viewers} viewers: CPU 0 was ${fmt(r.cpu0BusyPct - r.serverCpuPct, 0)} % busy beyond the server's own time (other processes or uncharged kernel work): the server may have been starved; its CPU-s/GB stands, its kept-up and lag figures are the machine's`);
  }
  for (const r of rows.filter((x) => x.clientCpuPct > CLIENT_CPU_WARN_PCT)) {
    console.log(`WARNING: ${r.server} at ${r.viewers} viewers: the load client used ${fmt(r.clientCpuPct, 0)} % of its core; these figures are about the client, not the server`);
  }
}

function printSide(r: ViewerRow): void {
  const s = r.side!;
  const answers = Object.entries(s.answers).map(([k, v]) => `${k.replace('unknown-id ', '')}: ${v}`).join(', ');
  const failures = Object.entries(s.healthzFailures).map(([k, v]) => `${k}: ${v}`).join(', ');
  console.log(`${r.server} with ${r.viewers} viewers + ${s.rate} unknown-id requests/s: /healthz p50 ${fmt(s.healthzMs.p50, 1)} ms p99 ${fmt(s.healthzMs.p99, 1)} ms max ${fmt(s.healthzMs.max, 0)} ms (n=${s.healthzMs.n}${failures ? `, failed ${failures}` : ''}); unknown ids: ${fmt(s.sent / r.seconds, 0)}/s sent, answers {${answers}}, latency p50 ${fmt(s.latencyMs.p50, 1)} p99 ${fmt(s.latencyMs.p99, 1)} ms (${s.pending} unanswered at the end), ${s.connections} connections, ${s.dropped} dropped (every connection busy, backlog full)`);
}

/**
 * CPU-s/GB and CPU % of each subject row against every peer row at the same viewer count, then of each peer row
 * against the peers after it (bare node / nginx: how far Node itself is from nginx).
 */
export function printRatios(rows: readonly ViewerRow[]): void {
  const peers = rows.filter((x) => !x.subject);
  for (const r of rows.filter((x) => x.subject)) {
    for (const peer of peers.filter((x) => x.viewers === r.viewers)) printRatio(r, peer);
  }
  peers.forEach((r, i) => peers.slice(i + 1).filter((x) => x.viewers === r.viewers).forEach((peer) => printRatio(r, peer)));
}

function printRatio(r: ViewerRow, peer: ViewerRow): void {
  const perGb = r.viewers > 0 ? `CPU-s/GB ${fmt(r.cpuPerGb / peer.cpuPerGb)}x, ` : '';
  console.log(`ratio ${r.server} / ${peer.server} at ${r.viewers} viewers: ${perGb}CPU % ${fmt(r.serverCpuPct / peer.serverCpuPct)}x (kept up ${r.keptUp} vs ${peer.keptUp} of ${r.viewers})`);
}
