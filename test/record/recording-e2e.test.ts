/**
 * Recording end to end: ffmpeg publishes to a stream with `settings.record`, and what was recorded is checked
 * with the programs users use: ffprobe on the MP4, hls.js in Chromium on the VOD playlist, HTTP range
 * requests against the file on disk, the webhooks a receiver gets.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseMediaPlaylist, checkMediaPlaylist } from '../../src/formats/m3u8/index.js';
import { startTestServer, TEST_API_TOKEN, type TestServer } from '../../support/onair.js';
import { ffprobeFrameCounts } from '../support/clients.js';
import { tmpFile } from '../support/media.js';
import { waitFor } from '../support/proc.js';
import { queryLog } from '../support/counting-database.js';
import { launchHlsBrowser } from '../../support/hls-browser.js';
import { apiClient, probeMp4, publishOnce, publishOnceHeld, publishOnceTee, waitAsset, webhookReceiver } from '../support/record-api.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- API responses are checked field by field */

/** The harness page's document, typed here without the DOM library (page.evaluate runs its function in the browser). */
type PageGlobals = { document: { getElementById(id: string): { playbackRate: number; ended: boolean } } };

const chromium = existsSync('/usr/bin/chromium') ? false : 'Debian chromium not installed';

describe('recording (settings.record)', () => {
  let server: TestServer;
  let api: ReturnType<typeof apiClient>;
  let receiver: Awaited<ReturnType<typeof webhookReceiver>>;
  /** The asset of the first test, reused by the playback, range and delete tests. */
  let recorded: { stream: any; asset: any; file: string; session: any };
  const queries = queryLog();

  before(async () => {
    server = await startTestServer({ auth: 'keys', 'log-level': 'info', 'webhook-allow-networks': '127.0.0.1/32' }, { wrapDatabase: queries.wrap });
    api = apiClient(server.httpUrl(''), TEST_API_TOKEN);
    receiver = await webhookReceiver();
    await api('POST', '/webhooks', { url: receiver.url, events: ['asset.created', 'asset.ready', 'asset.failed', 'asset.deleted'] });
  });
  after(async () => {
    await server?.close();
    await receiver?.close();
  });

  test('ffmpeg publishes 6 s: the MP4 lasts the session (within 1 s), A/V in sync, every frame published', async () => {
    const stream = await api('POST', '/streams', { name: 'rec', settings: { record: true, reconnectWindowSec: 0 } });
    const published = tmpFile('published.flv');
    const pub = await publishOnceTee(`${stream.ingest.rtmp}/${stream.streamKey}`, published, 'av.flv', 6);
    const live = await waitAsset(api, stream.id, (a) => a.status === 'recording' && a.sizeBytes > 0, 'recording in progress');
    assert.ok(live.tracks.length === 2, 'tracks known while recording');
    const event = await waitFor('a segment in the EVENT playlist', async () => {
      const p = parseMediaPlaylist(await (await fetch(live.playback.hls)).text());
      return p.segments.length > 0 ? p : undefined;
    }, 20_000, 200);
    assert.equal(event.playlistType, 'EVENT');
    assert.ok(!event.endList);
    assert.deepEqual(checkMediaPlaylist(event), []);
    assert.equal(await pub.exited, 0, pub.stderr());
    const source = await ffprobeFrameCounts(published);
    const asset = await waitAsset(api, stream.id, (a) => a.status === 'ready', 'asset ready');
    const session = (await api('GET', `/streams/${stream.id}/sessions`)).data[0];
    assert.deepEqual(asset.sessionIds, [session.id]);
    assert.equal(asset.endReason, 'publisher_left');
    const file = join(server.config.dataDir, 'recordings', asset.id, 'recording.mp4');
    recorded = { stream, asset, file, session };

    const mp4 = await probeMp4(file);
    assert.ok(Math.abs(mp4.durationSec - session.durationSec) < 1, `MP4 ${mp4.durationSec} s vs session ${session.durationSec} s`);
    assert.ok(Math.abs(mp4.durationSec - 6) < 1, `MP4 ${mp4.durationSec} s vs the 6 s published`);
    assert.ok(Math.abs(asset.durationSec - mp4.durationSec) < 0.2, `API ${asset.durationSec} s`);
    assert.equal(asset.sizeBytes, readFileSync(file).length);
    assert.ok(Math.abs(mp4.video.start - mp4.audio.start) < 0.1, `first pts: video ${mp4.video.start}, audio ${mp4.audio.start}`);
    assert.ok(Math.abs(mp4.video.duration - mp4.audio.duration) < 0.2, `durations: video ${mp4.video.duration}, audio ${mp4.audio.duration}`);
    assert.ok(Math.abs(mp4.video.packets - source.video) <= source.video * 0.01, `video frames ${mp4.video.packets} of ${source.video}`);
    assert.ok(Math.abs(mp4.audio.packets - source.audio) <= source.audio * 0.01, `audio frames ${mp4.audio.packets} of ${source.audio}`);
    assert.deepEqual(asset.tracks.map((t: any) => [t.kind, t.codec, t.width ?? t.sampleRate]), [['video', 'avc1', 640], ['audio', 'mp4a', 48000]]);

    await waitFor('asset.created and asset.ready webhooks', () => ['asset.created', 'asset.ready'].every((t) => receiver.hooks.some((h) => h.type === t && h.body.data.asset.id === asset.id)));
    const ready = receiver.hooks.find((h) => h.type === 'asset.ready')!.body.data;
    assert.equal(ready.stream.id, stream.id);
    assert.equal(ready.stream.streamKey, undefined, 'no key in webhooks');
  });

  test('the VOD playlist (byte ranges of the MP4) passes the spec checks and plays to the end in hls.js', { skip: chromium }, async () => {
    const { asset } = recorded;
    const res = await fetch(asset.playback.hls);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/vnd.apple.mpegurl');
    const pl = parseMediaPlaylist(await res.text());
    assert.deepEqual(checkMediaPlaylist(pl), []);
    assert.equal(pl.playlistType, 'VOD');
    assert.ok(pl.endList);
    const total = pl.segments.reduce((n, s) => n + s.duration, 0);
    assert.ok(Math.abs(total - asset.durationSec) < 0.05, `playlist ${total} s`);

    const browser = await launchHlsBrowser();
    try {
      const page = await browser.open(asset.playback.hls, false);
      await page.evaluate(() => {
        (globalThis as unknown as PageGlobals).document.getElementById('v').playbackRate = 4; // 6 s of media in ~2 s
      });
      const end = await waitFor('playback reaches the end', async () => {
        const s = await browser.state(page);
        assert.deepEqual(s.fatal, [], `fatal hls.js errors: ${s.fatal.join(', ')}`);
        const ended = await page.evaluate(() => (globalThis as unknown as PageGlobals).document.getElementById('v').ended);
        return ended ? s : undefined;
      }, 40_000, 200);
      assert.ok(end.currentTime >= total - 0.5, `ended at ${end.currentTime} of ${total} s`);
      assert.ok(end.decoded >= 140, `${end.decoded} video frames decoded`);
    } finally {
      await browser.close();
    }
  });

  test('download: whole file and byte ranges byte-exact, HEAD, 206/416 and Content-Type/Length; bearer required', async () => {
    const { asset, file } = recorded;
    const bytes = readFileSync(file);
    const auth = { authorization: `Bearer ${TEST_API_TOKEN}` };
    const whole = await fetch(asset.download, { headers: auth });
    assert.equal(whole.status, 200);
    assert.equal(whole.headers.get('content-type'), 'video/mp4');
    assert.equal(whole.headers.get('content-length'), String(bytes.length));
    assert.equal(whole.headers.get('accept-ranges'), 'bytes');
    assert.match(whole.headers.get('content-disposition') ?? '', new RegExp(`attachment; filename="${asset.id}.mp4"`));
    assert.ok(Buffer.from(await whole.arrayBuffer()).equals(bytes), 'whole download is the file');
    const size = bytes.length;
    for (const [range, start, end] of [['bytes=0-0', 0, 0], ['bytes=100-99999', 100, 99_999], [`bytes=${size - 10}-`, size - 10, size - 1], ['bytes=-500', size - 500, size - 1], [`bytes=5-${size + 100}`, 5, size - 1]] as const) {
      const r = await fetch(asset.download, { headers: { ...auth, range } });
      assert.equal(r.status, 206, range);
      assert.equal(r.headers.get('content-range'), `bytes ${start}-${end}/${size}`, range);
      assert.equal(r.headers.get('content-length'), String(end - start + 1), range);
      assert.ok(Buffer.from(await r.arrayBuffer()).equals(bytes.subarray(start, end + 1)), `${range} byte-exact`);
    }
    const past = await fetch(asset.download, { headers: { ...auth, range: `bytes=${size}-` } });
    assert.equal(past.status, 416);
    assert.equal(past.headers.get('content-range'), `bytes */${size}`);
    assert.equal((await past.json() as any).error.code, 'range_not_satisfiable');
    const head = await fetch(asset.download, { method: 'HEAD', headers: auth });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-length'), String(size));
    assert.equal((await head.arrayBuffer()).byteLength, 0);
    assert.equal((await fetch(asset.download)).status, 401, 'the download needs the admin token');
    // The VOD media URL serves the same bytes (hls.js reads it by ranges).
    const vodMedia = asset.playback.hls.replace('index.m3u8', 'recording.mp4');
    const vod = await fetch(vodMedia, { headers: { range: 'bytes=1000-1999', origin: 'https://player.example' } });
    assert.equal(vod.status, 206);
    assert.equal(vod.headers.get('access-control-allow-origin'), 'https://player.example', 'the playback CORS policy');
    assert.ok(Buffer.from(await vod.arrayBuffer()).equals(bytes.subarray(1000, 2000)));
    const vodPast = await fetch(vodMedia, { headers: { range: `bytes=${size}-`, origin: 'https://player.example' } });
    assert.equal(vodPast.status, 416);
    assert.equal(vodPast.headers.get('content-range'), `bytes */${size}`);
    assert.equal(vodPast.headers.get('access-control-allow-origin'), 'https://player.example');
    assert.equal((await vodPast.json() as any).error.code, 'range_not_satisfiable');
    const preflight = await fetch(vodMedia, { method: 'OPTIONS', headers: { origin: 'https://player.example', 'access-control-request-headers': 'range' } });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-headers'), 'range');
    // The playback front's id rule and error shape: a malformed id or file is 404 not_found before any lookup.
    for (const path of [`/vod/${asset.id}/other.mp4`, '/vod/not%20an%20id/index.m3u8', `/vod/${asset.id.replace('ast_', 'str_')}/index.m3u8`]) {
      const r = await fetch(server.httpUrl(path));
      assert.equal(r.status, 404, path);
      assert.match((await r.json() as any).error.code, /^(not_found|asset_not_found)$/, path);
    }
  });

  test('a publisher back within the reconnect window continues the same asset (one asset, two sessions, a discontinuity)', async () => {
    // The second encoder is started before the first ends and publishes when released, so the gap between the
    // sessions does not include an ffmpeg start (over 3 s at load 30, past a 3 s window then): a 5 s window is
    // ample, and the asset is finished 5 s after the second session instead of the 12 s this window was before.
    const stream = await api('POST', '/streams', { name: 'reconnect', settings: { record: true, reconnectWindowSec: 5 } });
    const url = `${stream.ingest.rtmp}/${stream.streamKey}`;
    const second = await publishOnceHeld(url, 'av.flv', 3);
    let first: any;
    try {
      assert.equal(await (await publishOnce(url, 'av.flv', 3)).exited, 0);
      first = await waitAsset(api, stream.id, (a) => a.status === 'recording', 'recording');
      second.release();
      assert.equal(await second.proc.exited, 0, second.proc.stderr());
    } finally {
      await second.proc.kill(); // still waiting for its input if the first session failed
    }
    const asset = await waitAsset(api, stream.id, (a) => a.status === 'ready', 'ready after the window', 60_000);
    assert.equal(asset.id, first.id);
    const all = await api('GET', `/assets?streamId=${stream.id}`);
    assert.equal(all.items.length, 1, 'one asset for both sessions');
    assert.equal(asset.sessionIds.length, 2);
    assert.ok(Math.abs(asset.durationSec - 6) < 1, `two 3 s sessions: ${asset.durationSec} s`);
    const pl = parseMediaPlaylist(await (await fetch(asset.playback.hls)).text());
    assert.equal(pl.segments.filter((s) => s.discontinuity).length, 1);
    const mp4 = await probeMp4(join(server.config.dataDir, 'recordings', asset.id, 'recording.mp4'));
    assert.ok(Math.abs(mp4.durationSec - asset.durationSec) < 0.3, `MP4 ${mp4.durationSec} s`);
  });

  test('signed streams: the asset plays only with a playback token, which the playlist carries onto its media URIs', async () => {
    const stream = await api('POST', '/streams', { settings: { record: true, reconnectWindowSec: 0, playbackPolicy: 'signed' } });
    assert.equal(await (await publishOnce(`${stream.ingest.rtmp}/${stream.streamKey}`, 'av.flv', 2)).exited, 0);
    const asset = await waitAsset(api, stream.id, (a) => a.status === 'ready', 'ready');
    const refused = await fetch(asset.playback.hls);
    assert.equal(refused.status, 403);
    assert.deepEqual(((await refused.json()) as any).error.code, 'forbidden');
    assert.equal((await fetch(asset.playback.hls.replace('index.m3u8', 'recording.mp4'))).status, 403);
    const { token } = await api('POST', `/streams/${stream.id}/playback-token`, {});
    const res = await fetch(`${asset.playback.hls}?token=${token}`);
    assert.equal(res.status, 200);
    const pl = parseMediaPlaylist(await res.text());
    assert.ok([pl.map!.uri, ...pl.segments.map((s) => s.uri)].every((u) => u === `recording.mp4?token=${token}`));
    const media = new URL(pl.segments[0]!.uri, asset.playback.hls);
    assert.equal((await fetch(media, { headers: { range: 'bytes=0-99' } })).status, 206);

    // Decided from memory like live playback: once the asset was read, its playlist and ranges (and refusals)
    // read neither the assets nor the streams table.
    const from = queries.statements.length;
    for (let i = 0; i < 20; i++) {
      assert.equal((await fetch(`${asset.playback.hls}?token=${token}`)).status, 200);
      assert.equal((await fetch(media, { headers: { range: `bytes=${i * 100}-${i * 100 + 99}` } })).status, 206);
      assert.equal((await fetch(asset.playback.hls)).status, 403);
    }
    const reads = queries.statements.slice(from).filter((sql) => /\bFROM\s+(assets|streams)\b/i.test(sql));
    assert.deepEqual(reads, [], 'no assets/streams read per VOD request');

    // The stream's current entry decides, as for live: disabled -> 404, enabled again -> plays; public -> no token.
    await api('POST', `/streams/${stream.id}/disable`, {});
    const disabled = await fetch(`${asset.playback.hls}?token=${token}`);
    assert.equal(disabled.status, 404);
    assert.equal(((await disabled.json()) as any).error.code, 'asset_not_found');
    await api('POST', `/streams/${stream.id}/enable`, {});
    assert.equal((await fetch(`${asset.playback.hls}?token=${token}`)).status, 200);
    await api('PATCH', `/streams/${stream.id}`, { settings: { playbackPolicy: 'public' } });
    assert.equal((await fetch(asset.playback.hls)).status, 200, 'switched to public: the asset plays without a token');
    await api('PATCH', `/streams/${stream.id}`, { settings: { playbackPolicy: 'signed' } });
    assert.equal((await fetch(asset.playback.hls)).status, 403, 'signed again');
    // Once the stream is deleted, the policy it had when recorded (signed) still applies.
    await api('DELETE', `/streams/${stream.id}`);
    assert.equal((await fetch(asset.playback.hls)).status, 403, 'deleted stream: recorded policy');
    assert.equal((await fetch(`${asset.playback.hls}?token=${token}`)).status, 200, 'deleted stream: a token for its playback id');
  });

  test('list: newest first, keyset pages, filters; get; delete removes the files and answers 404 after', async () => {
    const page1 = await api('GET', '/assets?limit=2');
    assert.equal(page1.items.length, 2);
    assert.ok(page1.nextCursor);
    const page2 = await api('GET', `/assets?limit=2&cursor=${page1.nextCursor}`);
    const ids = [...page1.items, ...page2.items].map((a: any) => a.id);
    assert.equal(new Set(ids).size, ids.length, 'no asset twice across pages');
    assert.ok(ids.includes(recorded.asset.id));
    assert.deepEqual((await api('GET', `/assets?streamId=${recorded.stream.id}`)).items.map((a: any) => a.id), [recorded.asset.id]);
    assert.equal((await api('GET', '/assets?status=deleted')).items.length, 0);
    await assert.rejects(api('GET', '/assets?cursor=bm90LWEtY3Vyc29y'), /400/);
    await assert.rejects(api('GET', '/assets/ast_aaaaaaaaaaaaaaaaaaaa'), /404.*asset_not_found/);

    const { asset, file } = recorded;
    assert.equal((await api('GET', `/assets/${asset.id}`)).status, 'ready');
    await api('DELETE', `/assets/${asset.id}`);
    assert.equal(existsSync(file), false, 'files removed');
    const gone = await api('GET', `/assets/${asset.id}`);
    assert.equal(gone.status, 'deleted');
    assert.equal(gone.sizeBytes, 0);
    await api('DELETE', `/assets/${asset.id}`); // idempotent
    const dl = await fetch(asset.download, { headers: { authorization: `Bearer ${TEST_API_TOKEN}` } });
    assert.equal(dl.status, 404);
    assert.equal((await dl.json() as any).error.code, 'asset_not_found');
    assert.equal((await fetch(asset.playback.hls)).status, 404);
    await waitFor('asset.deleted webhook', () => receiver.hooks.some((h) => h.type === 'asset.deleted' && h.body.data.asset.id === asset.id));
  });

  test('deleting a stream keeps its recordings (stream_id set to null)', async () => {
    const stream = await api('POST', '/streams', { settings: { record: true, reconnectWindowSec: 0 } });
    assert.equal(await (await publishOnce(`${stream.ingest.rtmp}/${stream.streamKey}`, 'av.flv', 2)).exited, 0);
    const asset = await waitAsset(api, stream.id, (a) => a.status === 'ready', 'ready');
    await api('DELETE', `/streams/${stream.id}`);
    const kept = await api('GET', `/assets/${asset.id}`);
    assert.equal(kept.streamId, null);
    assert.equal(kept.status, 'ready');
    assert.equal((await fetch(kept.playback.hls)).status, 200, 'still playable under the policy it was recorded with');
  });
});
