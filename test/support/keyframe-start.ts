import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { HlsBrowser } from '../../support/hls-browser.js';

/**
 * hls.js started on a keyframe part (README "Starting on a keyframe"), read from the timeline of a page opened with
 * `timeline`: its first main part is INDEPENDENT and holds its start point (LEVEL_LOADED liveSyncPosition). hls.js adds
 * the playlist's age (a few tens of ms) to the edge the server aligned, so the start point may pass into the next
 * part: 0.1 s of slack. Answered at once, the start point lies anywhere in the GOP (0.72 s past the keyframe in a run
 * without the hold).
 */
export async function assertKeyframeStart(browser: HlsBrowser, page: Page): Promise<void> {
  const tl = await browser.timeline(page);
  const level = tl.find((e) => e.ev === 'LEVEL_LOADED');
  const first = tl.find((e) => e.ev === 'FRAG_LOADING' && e.type === 'main');
  assert.ok(level && first, `timeline: ${JSON.stringify(tl.slice(0, 12))}`);
  const startAt = level.liveSyncPosition as number;
  const partStart = first.start as number;
  assert.equal(first.independent, true, `hls.js's first part (${JSON.stringify(first)}) is INDEPENDENT; start point ${startAt}`);
  assert.ok(startAt >= partStart - 1e-6 && startAt - partStart < (first.duration as number) + 0.1,
    `the start point ${startAt} is within one part (+ 0.1 s of playlist age) of that part [${partStart}, +${String(first.duration)}]`);
}
