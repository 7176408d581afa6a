import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRoute, hrefOf, type Route } from '../../src/web/dashboard/app/lib/routes.js';
import { formatBytes, formatDuration, formatKbps, maskSecret } from '../../src/web/dashboard/app/lib/format.js';
import { bodyOf, fieldsOf, newStreamFields } from '../../src/web/dashboard/app/lib/stream-form.js';
import { ffmpegCommand, playbackLinks, previewHlsPath, shellQuote } from '../../src/web/dashboard/app/lib/publish-info.js';
import { deliveriesOfStream, streamIdOfDelivery } from '../../src/web/dashboard/app/lib/deliveries.js';
import { appendSamples, chartColumns } from '../../src/web/dashboard/app/lib/health-series.js';
import { apiErrorOf } from '../../src/web/dashboard/app/api/api-error.js';
import { WEBHOOK_EVENTS } from '../../src/web/dashboard/app/lib/webhook-events.js';
import type { Static } from '@sinclair/typebox';
import type { HealthSample, HealthSummary, StreamHealth } from '../../src/web/dashboard/app/api/health-types.js';
import type { Delivery, PlaybackToken, Session, Stream, StreamListItem, WebhookEndpoint } from '../../src/web/dashboard/app/api/types.js';
import type { PlaybackTokenSchema, SessionSchema, StreamListItemSchema, StreamSchema } from '../../src/servers/http/api/schemas/stream-schemas.js';
import type { DeliverySchema, WebhookListItemSchema, WebhookSchema } from '../../src/servers/http/api/schemas/webhook-schemas.js';
import type { HealthListItemSchema, StreamHealthEventSchema, StreamHealthSchema } from '../../src/servers/http/api/schemas/health-schemas.js';
import { STREAM_EVENT_TYPES } from '../../src/services/streams/stream-events.js';

/** The dashboard's pure parts, run in Node; the pages themselves are tested in Chromium (dashboard.test.ts). */

test('routes: every page round-trips through its URL fragment; anything else is not found', () => {
  const routes: Route[] = [{ page: 'streams' }, { page: 'stream-new' }, { page: 'stream', id: 'str_abc-1' }, { page: 'stream-edit', id: 'str_abc' }, { page: 'webhooks' }];
  for (const r of routes) assert.deepEqual(parseRoute(hrefOf(r)), r);
  assert.deepEqual(parseRoute(''), { page: 'streams' });
  assert.deepEqual(parseRoute('#/'), { page: 'streams' });
  assert.deepEqual(parseRoute('#/streams/'), { page: 'streams' });
  for (const bad of ['#/streams/a%2Fb', '#/streams/<x>', '#/nope', '#/streams/abc/delete', '#/webhooks/1']) {
    assert.equal(parseRoute(bad).page, 'not-found', bad);
  }
});

test('format: bitrates, bytes, durations and masked secrets', () => {
  assert.equal(formatKbps(2510.4), '2510 kb/s');
  assert.equal(formatKbps(12_500), '12.5 Mb/s');
  assert.equal(formatKbps(null), '–');
  assert.equal(formatBytes(999), '999 B');
  assert.equal(formatBytes(1_234_567), '1.2 MB');
  assert.equal(formatDuration(3.25), '3.3 s');
  assert.equal(formatDuration(3725), '1 h 2 min 5 s');
  assert.equal(formatDuration(120), '2 min');
  assert.equal(formatDuration(null), '–');
  const key = 'sk_abcdefghijklmnopqrstuvwxyz0123456789';
  const masked = maskSecret(key);
  assert.ok(masked.startsWith('sk_') && !masked.includes('abc'), masked);
  assert.equal(maskSecret('abc'), '•••');
});

test('stream form: a new stream with defaults, then every field and a custom ladder', () => {
  const empty = bodyOf(newStreamFields(), true);
  // No latency mode chosen: the body leaves it out, so the server's --latency-mode applies (not a hard-coded 'low').
  assert.deepEqual(empty, { ok: true, body: { settings: { playbackPolicy: 'public', record: false, passthrough: null, ladder: 'passthrough' } } });
  const lowest = bodyOf({ ...newStreamFields(), latencyMode: 'lowest' }, true);
  assert.equal(lowest.ok && lowest.body.settings?.latencyMode, 'lowest');

  const full = bodyOf({
    ...newStreamFields(), name: ' Main cam ', latencyMode: 'standard', reconnectWindowSec: '30', playbackPolicy: 'signed', record: true,
    passthrough: 'app-42', ladderChoice: 'custom',
    rungs: [{ name: '', height: '720', videoBitrateKbps: '2500', audioBitrateKbps: '128', fps: '30' }, { name: 'low', height: '360', videoBitrateKbps: '600', audioBitrateKbps: '', fps: '' }],
  }, true);
  assert.deepEqual(full, { ok: true, body: { name: 'Main cam', settings: {
    latencyMode: 'standard', playbackPolicy: 'signed', record: true, reconnectWindowSec: 30, passthrough: 'app-42',
    ladder: [{ height: 720, videoBitrateKbps: 2500, audioBitrateKbps: 128, fps: 30 }, { name: 'low', height: 360, videoBitrateKbps: 600 }],
  } } });
});

test('stream form: each invalid field gets its own message, keyed like its input', () => {
  const r = bodyOf({
    ...newStreamFields(), reconnectWindowSec: '3601', ladderChoice: 'custom',
    rungs: [
      { name: 'Bad Name', height: '100', videoBitrateKbps: '50', audioBitrateKbps: '8', fps: '0' },
      { name: '', height: '720', videoBitrateKbps: '2000', audioBitrateKbps: '', fps: '' },
      { name: '720p', height: '480', videoBitrateKbps: '1000', audioBitrateKbps: '', fps: '' },
    ],
  }, false);
  assert.equal(r.ok, false);
  if (r.ok) return;
  assert.deepEqual(Object.keys(r.errors).sort(), [
    'name', 'reconnectWindowSec', 'rungs.0.audioBitrateKbps', 'rungs.0.fps', 'rungs.0.height', 'rungs.0.name', 'rungs.0.videoBitrateKbps', 'rungs.2.name',
  ]);
  assert.match(r.errors['rungs.2.name']!, /Two renditions are named "720p"/);
  const none = bodyOf({ ...newStreamFields(), ladderChoice: 'custom', rungs: [] }, true);
  assert.ok(!none.ok && /at least one rendition/.test(none.errors.ladder!));
});

test('stream form: an existing stream fills the form and saves back unchanged', () => {
  const stream = {
    id: 'str_1', name: 'Cam', status: 'idle', playbackId: 'p1', createdAt: '', updatedAt: '', streamKey: 'sk_x',
    ingest: { rtmp: 'rtmp://h:1935/live' }, playback: { hls: 'http://h:8080/hls/p1/index.m3u8', rtmp: 'rtmp://h:1935/live/p1' },
    settings: { latencyMode: 'low', reconnectWindowSec: 60, ladder: [{ height: 480, videoBitrateKbps: 1200, fps: 25 }], record: false, playbackPolicy: 'public', passthrough: null },
  } satisfies Stream;
  const r = bodyOf(fieldsOf(stream), false);
  assert.deepEqual(r, { ok: true, body: { name: 'Cam', settings: { ...stream.settings } } });
  assert.equal(fieldsOf({ ...stream, settings: { ...stream.settings, ladder: [] } }).ladderChoice, 'passthrough');
});

test('publish info: the ffmpeg command targets Server + Stream Key and survives a shell', () => {
  const cmd = ffmpegCommand('rtmp://live.example.com:1935/live/', 'sk_AbC-1_x');
  assert.ok(cmd.startsWith('ffmpeg -re '));
  assert.ok(cmd.endsWith(' rtmp://live.example.com:1935/live/sk_AbC-1_x'), cmd);
  assert.match(cmd, /-force_key_frames 'expr:gte\(t,n_forced\*2\)'/);
  assert.equal(shellQuote("it's"), `'it'\\''s'`);
  assert.equal(shellQuote('a b'), "'a b'");
  const links = playbackLinks({ playbackId: 'p1', playback: { hls: 'https://cdn.example.com:8443/hls/p1/index.m3u8', rtmp: 'rtmp://cdn.example.com/live/p1' } }, 'ey.J', 'http://dash.example');
  assert.deepEqual(links, {
    hls: 'https://cdn.example.com:8443/hls/p1/index.m3u8?token=ey.J', rtmp: 'rtmp://cdn.example.com/live/p1?token=ey.J',
    httpFlv: 'https://cdn.example.com:8443/live/p1.flv?token=ey.J', watch: 'https://cdn.example.com:8443/watch/p1?token=ey.J',
  });
  // HLS off on the server: no HLS URL in the API's answer; the rest on the dashboard's origin, the watch page on HTTP-FLV.
  assert.deepEqual(playbackLinks({ playbackId: 'p1', playback: { rtmp: 'rtmp://h/live/p1' } }, 'ey.J', 'http://h:8080'), {
    rtmp: 'rtmp://h/live/p1?token=ey.J', httpFlv: 'http://h:8080/live/p1.flv?token=ey.J', watch: 'http://h:8080/watch/p1?player=flv&token=ey.J',
  });
  assert.equal(playbackLinks({ playbackId: 'p1', playback: { rtmp: 'rtmp://h/live/p1' } }, undefined, 'http://h:8080').watch, 'http://h:8080/watch/p1?player=flv');
  assert.equal(previewHlsPath('p1'), '/hls/p1/index.m3u8');
});

test('deliveries: filtered by the stream id inside each payload; a bad payload belongs to no stream', () => {
  const d = (payload: string) => ({ payload }) as Delivery;
  const mine = d(JSON.stringify({ id: 'evt', type: 'stream.created', data: { stream: { id: 'str_1' } } }));
  const other = d(JSON.stringify({ data: { stream: { id: 'str_2' } } }));
  assert.equal(streamIdOfDelivery(mine), 'str_1');
  assert.equal(streamIdOfDelivery(d('not json')), null);
  assert.equal(streamIdOfDelivery(d('{"data":{"stream":{"id":7}}}')), null);
  assert.deepEqual(deliveriesOfStream([mine, other, d('')], 'str_1'), [mine]);
});

test('health series: appended in time order, repeats dropped, capped, and laid out as chart columns', () => {
  const s = (t: number, fps: number | null = 25): HealthSample => ({ t, videoKbps: 800, audioKbps: 96, fps, keyframeIntervalMs: 2000, viewers: 1, state: 'healthy' });
  let series = appendSamples([], [s(1000), s(2000)]);
  series = appendSamples(series, [s(2000), s(1500), s(3000, null)]);
  assert.deepEqual(series.map((x) => x.t), [1000, 2000, 3000]);
  assert.equal(appendSamples(series, [s(4000), s(5000)], 3).length, 3);
  const cols = chartColumns(series);
  assert.deepEqual(cols.fps, [[1, 2, 3], [25, 25, null]]);
  assert.deepEqual(cols.keyframeInterval[1], [2, 2, 2]);
  assert.deepEqual(cols.bitrate.length, 3);
});

test('API errors: the server code and message, with plain words for a refused token', () => {
  const e = apiErrorOf(401, JSON.stringify({ error: { code: 'unauthorized', message: 'invalid bearer token' } }));
  assert.equal(e.code, 'unauthorized');
  assert.match(e.message, /refused this API token/);
  const v = apiErrorOf(400, JSON.stringify({ error: { code: 'validation_failed', message: 'body/name must be string' } }));
  assert.equal(v.message, 'body/name must be string');
  const raw = apiErrorOf(502, '<html>Bad gateway</html>');
  assert.equal(raw.code, 'http_502');
});

test("the webhook event list offered in the form is the server's", () => {
  assert.deepEqual([...WEBHOOK_EVENTS].sort(), [...STREAM_EVENT_TYPES].sort());
});

/**
 * Compile-time: every response the server's schemas allow is a value the dashboard's hand-written types
 * accept (the browser bundle cannot import the schemas). `npm run typecheck` fails when a field the
 * dashboard reads is renamed, removed or changes type. Literal unions are compared as strings: several
 * schemas build theirs with `.map(Type.Literal)`, which TypeScript widens to string.
 */
type Widen<T> = T extends string ? string : T extends readonly (infer U)[] ? Widen<U>[] : T extends object ? { [K in keyof T]: Widen<T[K]> } : T;
type Assignable<From, To> = [From] extends [Widen<To>] ? true : false;
export const responsesFitTheDashboardTypes: [
  Assignable<Static<typeof StreamSchema>, Stream>,
  Assignable<Static<typeof StreamListItemSchema>, StreamListItem>,
  Assignable<Static<typeof SessionSchema>, Session>,
  Assignable<Static<typeof PlaybackTokenSchema>, PlaybackToken>,
  Assignable<Static<typeof WebhookSchema>, WebhookEndpoint>,
  Assignable<Static<typeof WebhookListItemSchema>, WebhookEndpoint>,
  Assignable<Static<typeof DeliverySchema>, Delivery>,
  Assignable<Static<typeof StreamHealthSchema>, StreamHealth>,
  Assignable<Static<typeof StreamHealthEventSchema>, StreamHealth>,
  Assignable<Static<typeof HealthListItemSchema>, HealthSummary>,
] = [true, true, true, true, true, true, true, true, true, true];
