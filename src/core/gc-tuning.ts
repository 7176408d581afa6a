import { setFlagsFromString } from 'node:v8';

/** Old-generation headroom as a percentage of the live heap after a full collection (V8: factor 1 + p/100). */
const HEAP_GROWING_PERCENT = 300;

/**
 * The V8 flags OnAir sets at start for a process started with `execArgv`: old-generation headroom of three live
 * heaps, unless the node command line sets `--heap-growing-percent` itself.
 *
 * Why: ingested media lives in Buffers outside the JS heap, and V8 counts external bytes allocated since the
 * last full collection toward the old-generation limit. A server's heap is small (~28 MB live with the embedded
 * database) and allocates slowly, so V8 picks a small growing factor, and one 2.7 Mb/s stream's buffers reached
 * the limit every ~25 s: a full mark-compact (50-90 ms of CPU) each time although the heap grew by under 1 MB.
 * With the headroom doubled it runs about every 90 s (`--trace-gc`, one stream), but the rate grows with
 * the streams: at 10 streams full collections were still 13 % of the server's CPU (perf). Three live heaps of
 * headroom: CPU per stream at 10 streams 0.92x of one heap's (5 same-window readings, 0.89-0.96x), for 44 MB
 * more RSS (330 -> 374 MB), the dead media buffers that now wait longer for their collection; that extra does
 * not grow with streams or players (the headroom is a multiple of the live heap, ~28 MB).
 *
 * Tried and not set here (bench/side-by-side.ts, `--trace-gc`): `--no-memory-reducer` only removes the two
 * "Mark-Compact (reduce)" that shrink the heap once after start-up (none follow the regular ones while media
 * flows), and V8 ignores it when set at run time; `--single-threaded-gc` read 0.88x on a process pinned to one
 * core but aborts V8 in its next concurrent marking when set at run time, so it is a node command-line flag for
 * operators who pin the process (README). `--min-semi-space-size` 8 or 16 (fewer scavenges, so window media dies
 * young): 0.88x and 1.0x of the default in one 5-window set each, too close to the noise to ask operators for a
 * node flag; `--no-parallel-scavenge/-marking/-compaction` abort V8 11.3 even on the command line ("Check
 * failed: heap()->concurrent_marking()->IsStopped()").
 */
export function gcFlags(execArgv: readonly string[]): string[] {
  const owned = execArgv.some((a) => a === '--heap-growing-percent' || a.startsWith('--heap-growing-percent='));
  return owned ? [] : [`--heap-growing-percent=${HEAP_GROWING_PERCENT}`];
}

/** Applies gcFlags to this process (before the server allocates much); returns what it set, for the start log. */
export function tuneGc(): string[] {
  const flags = gcFlags(process.execArgv);
  for (const f of flags) setFlagsFromString(f);
  return flags;
}
