import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { HlsAudience, hlsSessionIdleMs } from '../../../services/health/index.js';
import type { OnAirMetrics } from '../../../services/metrics/index.js';
import type { HlsServed } from '../playback/hls/hls-observer-hook.js';
import { hlsObserver } from './hls-observer.js';

const req = { socket: { remoteAddress: '10.0.0.7' }, headers: { 'user-agent': 'player/1' } } as unknown as IncomingMessage;
const served = (o: Partial<HlsServed>): HlsServed => ({
  kind: 'playlist', status: 200, bytes: 100, startedMs: 1000, nowMs: 1250, streamPath: 'live/abc', viewer: true, relayed: false, targetDuration: 0, req, ...o,
});

test('no observer at all when neither metrics nor health are on', () => {
  assert.equal(hlsObserver(undefined, undefined), undefined);
});

test('every answer goes to the histogram; 200s count bytes per stream; media playlists make sessions', () => {
  const seen: unknown[] = [];
  const metrics = { observeHlsRequest: (o: unknown) => seen.push(o) } as unknown as OnAirMetrics;
  const audience = new HlsAudience();
  const observer = hlsObserver(metrics, audience)!;
  observer.served(served({}));
  observer.served(served({ kind: 'part', bytes: 5000 }));
  observer.served(served({ kind: 'playlist_blocking', bytes: 300, req: { ...req, headers: { 'user-agent': 'other' } } as unknown as IncomingMessage }));
  observer.served(served({ kind: 'segment', status: 404, bytes: 80 }));
  observer.served(served({ kind: 'other', status: 404, bytes: 80, streamPath: undefined }));
  assert.deepEqual(seen[0], { kind: 'playlist', status: 200, seconds: 0.25, bytes: 100 });
  assert.equal(seen.length, 5, 'errors are in the histogram too');
  assert.equal(audience.bytesServed('live/abc'), 5400, 'only 200 answers count as bytes served');
  assert.equal(audience.viewers('live/abc', 1250), 2, 'two clients asked for media playlists');
  assert.deepEqual([...audience.paths()], ['live/abc'], 'an answer refused before authorisation makes no stream entry');
});

test('a sibling worker\'s request (for its copy, or forwarded) is no viewer and no HLS bytes; a relayed answer counts its viewer and bytes, not the histogram', () => {
  const seen: { bytes: number }[] = [];
  let relayedBytes = 0;
  const metrics = { observeHlsRequest: (o: { bytes: number }) => seen.push(o), countHlsBytes: (n: number) => (relayedBytes += n) } as unknown as OnAirMetrics;
  const audience = new HlsAudience();
  const observer = hlsObserver(metrics, audience)!;
  observer.served(served({ viewer: false }));
  observer.served(served({ kind: 'segment', bytes: 9000, viewer: false }));
  assert.equal(seen.length, 2, 'the server\'s own answers are in its histogram');
  assert.deepEqual(seen.map((o) => o.bytes), [0, 0], 'a sibling\'s request adds no HLS bytes: its viewer\'s are counted by that sibling');
  assert.equal(audience.viewers('live/abc', 1250), 0);
  assert.equal(audience.bytesServed('live/abc'), 0);
  observer.served(served({ relayed: true }));
  observer.served(served({ kind: 'segment', bytes: 9000, relayed: true }));
  assert.equal(seen.length, 2, 'a relayed answer is in the histogram of the worker that made it');
  assert.equal(relayedBytes, 9100, 'a relayed answer\'s bytes are counted where its viewer arrived');
  assert.equal(audience.viewers('live/abc', 1250), 1);
  assert.equal(audience.bytesServed('live/abc'), 9100);
});

test('a media playlist answer\'s target duration sets how long its session lasts', () => {
  const audience = new HlsAudience();
  const observer = hlsObserver(undefined, audience)!;
  observer.served(served({ targetDuration: 1 }));
  assert.equal(audience.viewers('live/abc', 1250 + hlsSessionIdleMs(1)), 1);
  assert.equal(audience.viewers('live/abc', 1251 + hlsSessionIdleMs(1)), 0, 'an LL-HLS stream\'s viewer is gone after its few missed reloads');
});
