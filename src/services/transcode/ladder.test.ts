import { test } from 'node:test';
import assert from 'node:assert/strict';
import { admit, dropOrder, ladderCost } from './admission.js';
import { ladderKind, planLadder } from './ladder.js';

const src1080 = { width: 1920, height: 1080, fps: 60 };
const src720 = { width: 1280, height: 720, fps: 30 };

test('default ladder: the source is the top rung; rungs below it only, never above its fps', () => {
  const r = planLadder('default', src1080);
  assert.deepEqual(r.map((x) => [x.name, x.width, x.height, x.fps, x.reduceFps, x.profile]), [
    ['720p', 1280, 720, 60, false, 'high'],
    ['480p', 854, 480, 30, true, 'main'],
    ['360p', 640, 360, 30, true, 'main'],
  ]);
  assert.equal(r[0]!.videoBitrateKbps, 3750, '720p60 gets 1.5x the 30 fps bitrate');
  assert.deepEqual(planLadder('default', src720).map((x) => x.name), ['480p', '360p'], 'no 720p copy of a 720p source');
  assert.deepEqual(planLadder('default', { width: 640, height: 360, fps: 25 }), []);
  assert.equal(planLadder('default', { width: 1280, height: 720, fps: 25 })[0]!.fps, 25, 'never above source fps');
});

test('custom ladder: names, equal-height rung allowed, taller rung and duplicate names left out', () => {
  const r = planLadder([
    { height: 1080, videoBitrateKbps: 4000 },
    { name: 'hq', height: 720, videoBitrateKbps: 1500, fps: 60 },
    { height: 241, videoBitrateKbps: 300, audioBitrateKbps: 48 },
    { name: 'hq', height: 480, videoBitrateKbps: 800 },
  ], src720);
  assert.deepEqual(r.map((x) => [x.name, x.width, x.height, x.fps, x.audioBitrateKbps]), [
    ['hq', 1280, 720, 30, 128],
    ['242p', 430, 242, 30, 48],
  ]);
});

test('passthrough and the empty list mean source only', () => {
  assert.equal(ladderKind('passthrough'), 'passthrough');
  assert.equal(ladderKind([]), 'passthrough');
  assert.equal(ladderKind('default'), 'default');
  assert.deepEqual(planLadder([], src720), []);
  assert.deepEqual(planLadder('passthrough', src720), []);
});

test('admission drops the costliest rung first and keeps the lowest', () => {
  const rungs = planLadder('default', src1080);
  assert.deepEqual(dropOrder(rungs).map((r) => r.name), ['720p', '480p', '360p']);
  const all = ladderCost(src1080, rungs);
  assert.deepEqual(admit(src1080, rungs, all), { kept: rungs, dropped: [] });
  const partial = admit(src1080, rungs, all - 1);
  assert.deepEqual(partial.dropped, ['720p']);
  assert.deepEqual(partial.kept.map((r) => r.name), ['480p', '360p']);
  assert.deepEqual(admit(src1080, rungs, 0).kept, []);
});
