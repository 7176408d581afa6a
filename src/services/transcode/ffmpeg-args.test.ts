import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildFfmpegArgs, filterGraph } from './ffmpeg-args.js';
import { planLadder } from './ladder.js';

const rungs = planLadder('default', { width: 1920, height: 1080, fps: 60 });

test('one input on stdin, one output pipe per rung from fd 3, progress on stdout', () => {
  const args = buildFfmpegArgs({ sourceFps: 60, hasAudio: true, rungs, encoder: 'software' });
  assert.deepEqual(args.slice(args.indexOf('-i') - 2, args.indexOf('-i') + 2), ['-f', 'flv', '-i', 'pipe:0']);
  assert.equal(args[args.indexOf('-progress') + 1], 'pipe:1');
  assert.deepEqual(args.filter((a) => a.startsWith('pipe:') && a !== 'pipe:0' && a !== 'pipe:1'), ['pipe:3', 'pipe:4', 'pipe:5']);
  assert.equal(args.filter((a) => a === 'source').length, 3, 'every rung forces keyframes at the source keyframes');
  assert.equal(args.filter((a) => a === '0:a:0').length, 3);
  assert.ok(args.includes('-sc_threshold'));
  assert.ok(!args.some((a) => /[;&|`$]/.test(a) && !a.includes('split') && !a.includes('scale')), 'no shell syntax outside the filter graph');
});

test('video-only sources map no audio', () => {
  const args = buildFfmpegArgs({ sourceFps: 30, hasAudio: false, rungs: rungs.slice(2), encoder: 'software' });
  assert.ok(!args.includes('0:a:0'));
  assert.ok(!args.includes('aac'));
});

test('filter graph: split into N scaled chains; lower fps keeps source keyframes via select', () => {
  const g = filterGraph({ sourceFps: 60, hasAudio: true, rungs, encoder: 'software' });
  assert.equal(g, "[0:v]split=3[s0][s1][s2];[s0]scale=1280:720[v0];"
    + "[s1]select='key+isnan(prev_selected_t)+gte(floor(t*30)-floor(prev_selected_t*30),1)',scale=854:480[v1];"
    + "[s2]select='key+isnan(prev_selected_t)+gte(floor(t*30)-floor(prev_selected_t*30),1)',scale=640:360[v2]");
  assert.equal(filterGraph({ sourceFps: 30, hasAudio: true, rungs: rungs.slice(2).map((r) => ({ ...r, reduceFps: false })), encoder: 'software' }),
    '[0:v]scale=640:360[v0]');
});

test('hardware presets pick their encoder', () => {
  for (const [encoder, codec] of [['nvenc', 'h264_nvenc'], ['vaapi', 'h264_vaapi'], ['qsv', 'h264_qsv']] as const) {
    const args = buildFfmpegArgs({ sourceFps: 30, hasAudio: true, rungs, encoder });
    assert.ok(args.includes(codec), encoder);
    assert.ok(!args.includes('libx264'));
  }
});
