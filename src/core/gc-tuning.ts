import { setFlagsFromString } from 'node:v8';

/** Old-generation headroom as a percentage of the live heap after a full collection (V8: factor 1 + p/100). */
const HEAP_GROWING_PERCENT = 100;

/**
 * Gives the old generation room to grow by one live heap before the next full collection.
 *
 * Why: ingested media lives in Buffers outside the JS heap, and V8 counts external bytes allocated since the
 * last full collection toward the old-generation limit. A server's heap is small (~28 MB live with the embedded
 * database) and allocates slowly, so V8 picks a small growing factor, and a single 2.7 Mb/s stream's buffers
 * reached the limit every ~25 s: a full mark-compact (50-90 ms of CPU) each time although the heap itself grew by
 * under 1 MB. With the headroom doubled it runs about every 90 s (`--trace-gc`, one stream). The cost is at most
 * one live heap of dead media buffers held a little longer.
 *
 * A `--heap-growing-percent` given on the node command line wins.
 */
export function tuneGc(): void {
  if (process.execArgv.some((a) => a.startsWith('--heap-growing-percent'))) return;
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
