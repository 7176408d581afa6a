import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../../support/onair.js';
import { ffmpegPublish, ffprobeStreams } from '../support/clients.js';
import type { ClipName } from '../support/media.js';
import { runOk, waitFor, type Proc } from '../support/proc.js';
import { tmpFile } from '../support/media.js';
import { checkReloads, mediaPlaylist } from '../support/hls-http.js';

let server: TestServer;
before(async () => {
  server = await startTestServer({ 'log-level': 'info' });
});
after(async () => {
  await server.close();
});

async function publish(id: string, clip: ClipName): Promise<Proc> {
  const pub = await ffmpegPublish(server.rtmpUrl(id), clip);
  await waitFor(`${id} active`, () => server.hub.stream(`live/${id}`)?.isActive, 20_000);
  return pub;
}

/** ffmpeg reads `seconds` of the HLS URL into a file; ffprobe counts what came out. */
async function recordAndProbe(url: string, seconds: number): Promise<{ codec_name: string; width?: number; height?: number; nb_read_frames?: string; duration?: string }[]> {
  const out = tmpFile('hls.mkv');
  await runOk('ffmpeg', ['-hide_banner', '-v', 'error', '-y', '-rw_timeout', '10000000', '-i', url, '-t', String(seconds), '-c', 'copy', out], 60_000);
  const json = await runOk('ffprobe', ['-v', 'error', '-count_frames', '-show_streams', '-of', 'json', out], 30_000);
  return (JSON.parse(json) as { streams: { codec_name: string }[] }).streams;
}

/**
 * Each test publishes its own stream ids (the last one on its own server) and waits on real-time stream copies and
 * playlist reloads, not on the CPU: they run side by side.
 */
describe('HLS with real clients', { concurrency: true }, () => {
  test('fMP4 (LL-HLS) and MPEG-TS: ffprobe finds H.264 640x360 + AAC; playlists pass the spec checks over reloads', async () => {
    const pub = await publish('av', 'av.flv');
    try {
      const master = await fetch(server.httpUrl('/hls/av/index.m3u8'));
      assert.equal(master.status, 200);
      const text = await master.text();
      assert.match(text, /CODECS="avc1\.[0-9a-f]{6},mp4a\.40\.2"/);
      assert.match(text, /RESOLUTION=640x360/);
      for (const q of ['', '?format=ts']) {
        const url = server.httpUrl(`/hls/av/index.m3u8${q}`);
        const streams = await ffprobeStreams(url);
        assert.deepEqual(streams.map((s) => s.codec_name).sort(), ['aac', 'h264'], q);
        const v = streams.find((s) => s.codec_type === 'video')!;
        assert.equal(`${v.width}x${v.height}`, '640x360');
        const rec = await recordAndProbe(url, 3);
        const frames = Number(rec.find((s) => s.codec_name === 'h264')?.nb_read_frames);
        assert.ok(frames >= 70 && frames <= 80, `${q || 'fmp4'}: ${frames} video frames in 3 s at 25 fps`);
      }
      const ll = await checkReloads(server, 'av', 'media.m3u8', 8, 250);
      const last = ll[ll.length - 1]!;
      assert.equal(last.partTarget, 0.21); // 200 ms parts at 25 fps: fitted to the cadence (part-target.ts)
      for (const s of last.segments) {
        for (const part of (s.parts ?? []).slice(0, -1)) {
          assert.ok(part.duration >= 0.85 * last.partTarget! && part.duration <= last.partTarget!, `non-final part ${part.uri} ${part.duration} s vs PART-TARGET`);
        }
      }
      assert.ok(last.serverControl?.canBlockReload && last.serverControl.partHoldBack! >= 0.6);
      assert.ok(last.segments.every((s) => s.programDateTime !== undefined), 'PROGRAM-DATE-TIME on every segment');
      assert.ok(last.mediaSequence >= 1);
      await checkReloads(server, 'av', 'ts.m3u8', 4, 500);
      const delta = await mediaPlaylist(server, 'av', 'media.m3u8', '?_HLS_skip=YES');
      assert.deepEqual((await import('../../src/formats/m3u8/index.js')).checkMediaPlaylist(delta), []);
    } finally {
      await pub.kill();
    }
  });

  test('audio-only, video-only and a B-frame clip all package and read back', async () => {
    const cases: [ClipName, string[], string | undefined][] = [
      ['audio-only.flv', ['aac'], undefined],
      ['video-only.flv', ['h264'], '320x240'],
      ['bframes.flv', ['aac', 'h264'], '1280x720'],
    ];
    // Side by side, each on its own stream (stream copies: what each case waits on is its own packager's segments).
    await Promise.all(cases.map(async ([clip, codecs, size]) => {
      const id = clip.replace(/[^a-z]/g, '');
      const pub = await publish(id, clip);
      try {
        const streams = await ffprobeStreams(server.httpUrl(`/hls/${id}/index.m3u8`));
        assert.deepEqual(streams.map((s) => s.codec_name).sort(), codecs, clip);
        const v = streams.find((s) => s.codec_type === 'video');
        if (size) assert.equal(`${v?.width}x${v?.height}`, size);
        const p = await mediaPlaylist(server, id);
        const init = await fetch(server.httpUrl(`/hls/${id}/src/${p.map!.uri}`));
        assert.equal(init.headers.get('content-type'), size ? 'video/mp4' : 'audio/mp4');
        if (clip === 'bframes.flv') {
          const rec = await recordAndProbe(server.httpUrl(`/hls/${id}/index.m3u8`), 3);
          const frames = Number(rec.find((s) => s.codec_name === 'h264')?.nb_read_frames);
          assert.ok(frames >= 85 && frames <= 95, `B-frames: ${frames} frames in 3 s at 30 fps`);
          assert.equal(p.targetDuration, 2, 'the 2 s GOP sets TARGETDURATION');
        }
        await checkReloads(server, id, 'media.m3u8', 3, 300);
      } finally {
        await pub.kill();
      }
    }));
  });

  test('HTTP: blocking reload, 400 past the edge, ranges, CORS, 404s', async () => {
    const pub = await publish('http', 'av.flv');
    try {
      const p = await mediaPlaylist(server, 'http');
      const hint = /part-([a-z0-9]+)-(\d+)-(\d+)\.m4s/.exec(p.preloadHints![0]!.uri)!;
      const [inst, msn, part] = [hint[1]!, Number(hint[2]), Number(hint[3])];
      const blocked = await mediaPlaylist(server, 'http', 'media.m3u8', `?_HLS_msn=${msn}&_HLS_part=${part}`);
      const uris = [...blocked.segments.flatMap((s) => s.parts ?? []), ...(blocked.partialSegment?.parts ?? [])].map((x) => x.uri);
      assert.ok(uris.includes(`part-${inst}-${msn}-${part}.m4s`) || blocked.mediaSequence + blocked.segments.length > msn,
        'the blocked reply holds the asked part (or its segment is complete)');
      // An _HLS_msn 4 past the last complete segment (the limit is 2) of a playlist fetched just before: 400. Counted from
      // the earlier hint instead, two segments had completed by the request on a loaded machine and it blocked (200).
      const fresh = await mediaPlaylist(server, 'http');
      const bad = await fetch(server.httpUrl(`/hls/http/src/media.m3u8?_HLS_msn=${fresh.mediaSequence + fresh.segments.length - 1 + 4}`));
      assert.equal(bad.status, 400);
      // The preload-hinted part is held until it is complete, then served (never 404), over several hints.
      for (let i = 0; i < 8; i++) {
        const now = await mediaPlaylist(server, 'http');
        const next = await fetch(server.httpUrl(`/hls/http/src/${now.preloadHints![0]!.uri}`));
        assert.equal(next.status, 200, `hinted part ${now.preloadHints![0]!.uri}: ${next.status}`);
        assert.ok((await next.arrayBuffer()).byteLength > 0);
      }
      const now = await mediaPlaylist(server, 'http');

      const segUri = now.segments[now.segments.length - 1]!.uri;
      const full = Buffer.from(await (await fetch(server.httpUrl(`/hls/http/src/${segUri}`))).arrayBuffer());
      const ranged = await fetch(server.httpUrl(`/hls/http/src/${segUri}`), { headers: { range: 'bytes=100-299' } });
      assert.equal(ranged.status, 206);
      assert.equal(ranged.headers.get('content-range'), `bytes 100-299/${full.length}`);
      assert.deepEqual(Buffer.from(await ranged.arrayBuffer()), full.subarray(100, 300));
      assert.equal((await fetch(server.httpUrl(`/hls/http/src/${segUri}`), { headers: { range: `bytes=${full.length}-` } })).status, 416);
      const seg = await fetch(server.httpUrl(`/hls/http/src/${segUri}`));
      assert.equal(seg.headers.get('access-control-allow-origin'), '*');
      assert.match(seg.headers.get('cache-control') ?? '', /immutable/);
      const pre = await fetch(server.httpUrl('/hls/http/src/media.m3u8'), { method: 'OPTIONS', headers: { origin: 'http://x', 'access-control-request-method': 'GET', 'access-control-request-headers': 'range' } });
      assert.equal(pre.status, 204);
      assert.equal(pre.headers.get('access-control-allow-origin'), 'http://x', 'the one playback CORS policy echoes an Origin');
      for (const path of ['/hls/nope/index.m3u8', '/hls/http/src/seg-zz-1.m4s', `/hls/http/src/seg-${inst}-0.m4s`, '/hls/http/../../etc/passwd',
        '/hls/http/src/..%2f..%2fetc%2fpasswd', '/hls/%2e%2e/index.m3u8', `/hls/http/src/part-${inst}-999999-0.m4s`]) {
        assert.equal((await fetch(server.httpUrl(path))).status, 404, path);
      }
      const tokened = await fetch(server.httpUrl('/hls/http/index.m3u8?token=abc%20d'));
      assert.match(await tokened.text(), /src\/media\.m3u8\?token=abc%20d/);
      const tp = await mediaPlaylist(server, 'http', 'media.m3u8', '?token=t1');
      assert.ok(tp.segments.every((s) => s.uri.endsWith('?token=t1')) && tp.map!.uri.endsWith('?token=t1'), 'token carried onto every URI');
    } finally {
      await pub.kill();
    }
  });

  test('publisher reconnect inside the window: DISCONTINUITY and rising MSN; after the window: ENDLIST', async () => {
    const short = await startTestServer({ 'log-level': 'info', 'reconnect-window-sec': 3 });
    try {
      const url = short.rtmpUrl('rc');
      let pub = await ffmpegPublish(url, 'av.flv');
      await waitFor('live', () => short.hub.stream('live/rc')?.isActive, 20_000);
      const before = await waitFor('a segment before the reconnect', async () => {
        const p = await mediaPlaylist(short, 'rc');
        return p.segments.length > 0 ? p : undefined;
      }, 20_000, 250);
      await pub.kill();
      await waitFor('publisher gone', () => !short.hub.stream('live/rc')?.publisher, 10_000);
      pub = await ffmpegPublish(url, 'av.flv');
      await waitFor('live again', () => short.hub.stream('live/rc')?.isActive, 20_000);
      // Waits for a segment of the second session: the first playlist after the reconnect that lists one.
      const lastMsn = (p: typeof before) => p.mediaSequence + p.segments.length - 1;
      const afterRc = await waitFor('a segment after the reconnect', async () => {
        const p = await mediaPlaylist(short, 'rc');
        return p.segments.some((s) => s.discontinuity) && lastMsn(p) > lastMsn(before) ? p : undefined;
      }, 20_000, 250).catch(async (err: Error) => {
        throw new Error(`${err.message}: ${JSON.stringify(await mediaPlaylist(short, 'rc'))}`);
      });
      assert.ok(afterRc.segments.some((s) => s.discontinuity), 'EXT-X-DISCONTINUITY at the reconnect');
      assert.ok(lastMsn(afterRc) > lastMsn(before), 'MSN keeps rising');
      assert.ok(afterRc.endList !== true);
      await pub.kill();
      const ended = await waitFor('ENDLIST', async () => {
        const p = await mediaPlaylist(short, 'rc');
        return p.endList ? p : undefined;
      }, 15_000, 250);
      assert.equal(ended.preloadHints, undefined);
      const { checkMediaPlaylist } = await import('../../src/formats/m3u8/index.js');
      assert.deepEqual(checkMediaPlaylist(ended), []);
    } finally {
      await short.close();
    }
  });
});
