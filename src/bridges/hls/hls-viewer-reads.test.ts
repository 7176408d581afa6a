import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { HlsStreamPackager } from './hls-stream-packager.js';
import { hlsSettings } from './hls-settings.js';

/** Merged reads vs LL-HLS viewers: the packager's input tolerance drops to 0 while an LL-HLS playlist is asked. */
const server = { latencyMode: 'low' as const, hlsSegmentMs: 0, hlsPartMs: 0, hlsFitPartTarget: true, hlsPartHoldBackParts: 3, hlsKeyframeStartMs: 0, hlsViewerReadsAtOnce: true, hlsWindowSegments: 0, reconnectWindowSec: 60 };
const log = pino({ level: 'silent' });

function packager(config: typeof server | (Omit<typeof server, 'latencyMode'> & { latencyMode: 'standard' }), clock: { now: number }): HlsStreamPackager {
  return new HlsStreamPackager('live/x', { instance: 'a', settings: hlsSettings(config), log, now: () => clock.now, onClosed: () => {} });
}

test('LL-HLS: half a part with no viewer, 0 while a viewer asks for media playlists, half a part again 10 s after the last', () => {
  const clock = { now: 1_000_000 };
  const p = packager(server, clock);
  assert.equal(p.latencyToleranceMs, 100);
  p.source.checkPlaylist('fmp4', {});
  assert.equal(p.latencyToleranceMs, 0);
  clock.now += 9_000;
  assert.equal(p.latencyToleranceMs, 0);
  clock.now += 1_001;
  assert.equal(p.latencyToleranceMs, 100, 'no request for 10 s: the viewer is gone');
});

test('--no-hls-viewer-reads-at-once keeps half a part; standard HLS (no parts) keeps a twentieth of a segment', () => {
  const clock = { now: 1_000_000 };
  const off = packager({ ...server, hlsViewerReadsAtOnce: false }, clock);
  off.source.checkPlaylist('fmp4', {});
  assert.equal(off.latencyToleranceMs, 100);
  const standard = packager({ ...server, latencyMode: 'standard' }, clock);
  standard.source.checkPlaylist('fmp4', {});
  assert.equal(standard.latencyToleranceMs, 200);
});
