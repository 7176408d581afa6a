import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hlsSettings, ingestToleranceMs } from './hls-settings.js';

const server = { latencyMode: 'low' as const, hlsSegmentMs: 0, hlsPartMs: 0, hlsFitPartTarget: true, hlsPartHoldBackParts: 3, hlsKeyframeStartMs: 0, hlsViewerReadsAtOnce: true, hlsWindowSegments: 0, reconnectWindowSec: 60 };

test('hlsSettings: the server config alone', () => {
  const s = hlsSettings(server);
  assert.equal(s.segmentMs, 1_000);
  assert.equal(s.partMs, 200);
  assert.equal(s.reconnectWindowMs, 60_000);
  assert.equal(s.partHoldBackParts, 3);
  assert.equal(hlsSettings({ ...server, hlsPartHoldBackParts: 2 }).partHoldBackParts, 2);
  const std = hlsSettings({ ...server, latencyMode: 'standard' });
  assert.equal(std.partMs, undefined);
  assert.equal(std.segmentMs, 4_000);
});

test("hlsSettings: a stream's latency mode and reconnect window win over the server's, 0 included", () => {
  const s = hlsSettings(server, { latencyMode: 'standard', reconnectWindowSec: 0 });
  assert.equal(s.partMs, undefined);
  assert.equal(s.segmentMs, 4_000);
  assert.equal(s.reconnectWindowMs, 0);
  const low = hlsSettings({ ...server, latencyMode: 'standard' }, { latencyMode: 'low' });
  assert.equal(low.partMs, 200);
  assert.equal(low.reconnectWindowMs, 60_000, 'unset preferences keep the server value');
});

test('hlsSettings: explicit segment and part flags still apply to a stream that sets its mode', () => {
  const s = hlsSettings({ ...server, hlsSegmentMs: 2_000, hlsPartMs: 500 }, { latencyMode: 'low' });
  assert.equal(s.segmentMs, 2_000);
  assert.equal(s.partMs, 500);
});

test('ingest tolerance: half a part with LL-HLS, a twentieth of a segment without parts', () => {
  assert.equal(ingestToleranceMs(hlsSettings(server)), 100);
  assert.equal(ingestToleranceMs(hlsSettings({ ...server, hlsPartMs: 333 })), 166);
  assert.equal(ingestToleranceMs(hlsSettings({ ...server, latencyMode: 'standard' })), 200);
  assert.equal(ingestToleranceMs(hlsSettings({ ...server, latencyMode: 'standard', hlsSegmentMs: 6000 })), 300);
});

test('hlsSettings: a part target whose whole-frame parts would break the 85 % rule at a common frame rate is raised', () => {
  // 100 ms: 25 fps parts would be 80 ms under PART-TARGET 0.101 s (79 %); 118 ms is the least that fits 24-60 fps.
  assert.equal(hlsSettings({ ...server, hlsPartMs: 100 }).partMs, 118);
  // 150 ms: at 30 fps a 5th frame ends right at half a frame past the target, so ms stamps may cut 133 ms parts (79 %).
  assert.equal(hlsSettings({ ...server, hlsPartMs: 150 }).partMs, 152);
  for (const kept of [120, 200, 333, 500]) assert.equal(hlsSettings({ ...server, hlsPartMs: kept }).partMs, kept);
});

test("hlsSettings: 'lowest' = the shortest part target that fits 24-60 fps and PART-HOLD-BACK at 2 part targets, per stream", () => {
  const lowest = hlsSettings(server, { latencyMode: 'lowest' });
  assert.equal(lowest.partMs, 118, 'commonRatePartMs(100): cut as 120 ms is at 24-60 fps');
  assert.equal(lowest.partHoldBackParts, 2);
  assert.equal(lowest.segmentMs, 1_000);
  assert.equal(lowest.windowSegments, 12);
  assert.equal(ingestToleranceMs(lowest), 59);
  // The server-wide part flags tune 'low' and leave 'lowest' alone, in both directions.
  const tuned = { ...server, hlsPartMs: 500, hlsPartHoldBackParts: 5 };
  assert.deepEqual([hlsSettings(tuned).partMs, hlsSettings(tuned).partHoldBackParts], [500, 5]);
  assert.deepEqual([hlsSettings(tuned, { latencyMode: 'lowest' }).partMs, hlsSettings(tuned, { latencyMode: 'lowest' }).partHoldBackParts], [118, 2]);
  // As the server's mode (--latency-mode lowest), and a stream's own mode over it.
  assert.equal(hlsSettings({ ...server, latencyMode: 'lowest' }).partMs, 118);
  assert.equal(hlsSettings({ ...server, latencyMode: 'lowest' }, { latencyMode: 'low' }).partMs, 200);
  assert.equal(hlsSettings({ ...server, latencyMode: 'lowest' }, { latencyMode: 'low' }).partHoldBackParts, 3);
  // Segment length and window flags apply as to 'low'.
  assert.equal(hlsSettings({ ...server, hlsSegmentMs: 2_000 }, { latencyMode: 'lowest' }).segmentMs, 2_000);
  // 'lowest' starts new viewers on a keyframe (first playlist held up to 2.5 s, longer if the flag says so); 'low'
  // only with --hls-keyframe-start-ms, 'standard' never.
  assert.equal(lowest.keyframeStartMaxMs, 2_500);
  assert.equal(hlsSettings({ ...server, hlsKeyframeStartMs: 4_000 }, { latencyMode: 'lowest' }).keyframeStartMaxMs, 4_000);
  assert.equal(hlsSettings(server).keyframeStartMaxMs, undefined);
  assert.equal(hlsSettings({ ...server, hlsKeyframeStartMs: 1_500 }).keyframeStartMaxMs, 1_500);
  assert.equal(hlsSettings({ ...server, hlsKeyframeStartMs: 1_500 }, { latencyMode: 'standard' }).keyframeStartMaxMs, undefined);
});
