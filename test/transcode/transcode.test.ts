import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { parseMasterPlaylist, parseMediaPlaylist } from '../../src/formats/m3u8/index.js';
import type { MasterPlaylist, MediaPlaylist } from '../../src/formats/m3u8/types.js';
import { TEST_API_TOKEN } from '../../support/onair.js';
import { launchHlsBrowser, type HlsBrowser } from '../../support/hls-browser.js';
import { ffmpegRecord, ffprobeStreams } from '../support/clients.js';
import { tmpFile } from '../support/media.js';
import { run, sleep, waitFor, type Proc } from '../support/proc.js';
import { irregularGopClip } from '../support/irregular-clip.js';
import { KeyframeRecorder, alignedTo, isAlive, probeVideoPackets, startTranscodeServer, type TranscodeServer } from '../support/transcode-harness.js';

/**
 * ABR end to end on one transcoding server (one ladder "default" of a 720p30 source with irregular keyframes): the
 * transcoder's renditions as hub streams (RTMP, HTTP-FLV, keyframe alignment) and, through the app's own wiring
 * (startOnAir's TranscodeService feeds registerHls and the stream API), HLS: the master playlist, PDT/segment
 * alignment across renditions, hls.js level switching; then ffmpeg's crash and restart, and the end of the ladder.
 * (Two files, this one and abr-hls.test.ts, each transcoded the same ladder of the same clip in the serial phase.)
 */
let server: TranscodeServer;
let publisher: Proc;
let stream: { id: string; streamKey: string; playbackId: string };
let path: string;

function publish(file: string, url: string): Proc {
  return run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-re', '-stream_loop', '-1', '-i', file, '-c', 'copy', '-f', 'flv', url], { timeoutMs: 240_000 });
}

async function text(path: string): Promise<{ status: number; body: string }> {
  const res = await fetch(server.httpUrl(path));
  return { status: res.status, body: await res.text() };
}

async function masterWith(n: number): Promise<MasterPlaylist> {
  return waitFor(`master playlist with ${n} variants`, async () => {
    const r = await text(`/hls/${stream.playbackId}/index.m3u8`);
    if (r.status !== 200) return undefined;
    const m = parseMasterPlaylist(r.body);
    return m.variants.length >= n ? m : undefined;
  }, 40_000, 250);
}

async function media(uri: string): Promise<MediaPlaylist> {
  const r = await text(`/hls/${stream.playbackId}/${uri}`);
  // A rung missing here may have been dropped because the machine did not encode the ladder in real time (the
  // transcoder's own degrade, this file's premise): the status says so.
  assert.equal(r.status, 200, `${uri}: ${r.body}; transcode status ${JSON.stringify(server.transcode.status(`live/${stream.playbackId}`))}`);
  return parseMediaPlaylist(r.body);
}

before(async () => {
  server = await startTranscodeServer();
  stream = await server.createStream({ ladder: 'default' });
  path = `live/${stream.playbackId}`;
  publisher = publish(await irregularGopClip(), server.rtmpUrl(stream.streamKey));
  await waitFor('480p and 360p renditions', () => server.transcode.renditions(path).length === 3, 40_000, 100);
});

after(async () => {
  await publisher?.kill('SIGKILL');
  await server?.close();
});

test('ladder "default" on a 720p30 source: the source on top, then 480p and 360p, in the status', () => {
  const list = server.transcode.renditions(path);
  assert.deepEqual(list.map((r) => [r.name, r.path, r.width, r.height, r.fps, r.source]), [
    ['source', path, 1280, 720, 30, true],
    ['480p', `${path}/480p`, 854, 480, 30, false],
    ['360p', `${path}/360p`, 640, 360, 30, false],
  ]);
  assert.deepEqual(list.slice(1).map((r) => [r.videoBitrate, r.audioBitrate]), [[1_200_000, 96_000], [700_000, 96_000]]);
  const status = server.transcode.status(path)!;
  assert.equal(status.ladder, 'default');
  assert.equal(status.reason, null);
  assert.ok(['running', 'starting'].includes(status.state));
});

/**
 * Side by side: three readers of the running ladder (two ffmpeg recordings and the hub's own timelines), none of which
 * changes it or loads the machine much (stream copies); one after another they took ~20 s of the serial phase, where
 * this file runs alone. (With the HLS checks below among them, whose ffprobe decodes each variant, the transcoder
 * fell under real time on a loaded machine and dropped the 480p rung: they run after, one at a time.)
 */
describe('the running ladder, read three ways', { concurrency: true }, () => {
  test('every rendition plays over RTMP as H.264 + AAC 48 kHz at its size and frame rate, keyframes where the source has them', async () => {
    const names = ['', '/480p', '/360p'];
    const files = names.map((n) => tmpFile(`rend${n.replace('/', '-')}.flv`));
    // Recorded at once, so every file starts at the same source keyframe (the GOP cache's).
    const recs = names.map((n, i) => ffmpegRecord(`rtmp://127.0.0.1:${server.ports.rtmp}/live/${stream.playbackId}${n}`, files[i]!, 9));
    const codes = await Promise.all(recs.map((r) => r.exited));
    assert.deepEqual(codes, [0, 0, 0], recs.map((r) => r.stderr()).join('\n'));
    const expected = [[1280, 720], [854, 480], [640, 360]];
    const source = await probeVideoPackets(files[0]!);
    for (const [i, file] of files.entries()) {
      const streams = await ffprobeStreams(file);
      const v = streams.find((s) => s.codec_type === 'video')!;
      const a = streams.find((s) => s.codec_type === 'audio')!;
      assert.deepEqual([v.codec_name, v.width, v.height], ['h264', ...expected[i]!], file);
      assert.deepEqual([a.codec_name, a.sample_rate], ['aac', '48000'], file);
      if (i > 0) assert.ok(['High', 'Main'].includes(v.profile ?? ''), v.profile);
      const p = await probeVideoPackets(file);
      const fps = (p.packets - 1) / (p.last - p.first);
      assert.ok(fps > 27 && fps < 33, `${file}: ${fps} fps`);
      // Keyframe interval follows the irregular source GOP (1.3 s, 0.7 s, 1.7 s, ...), not a fixed GOP.
      assert.ok(p.keyframes.length >= 3, `${file}: keyframes ${p.keyframes}`);
      // 10 ms: ms-rounded FLV stamps on both recordings plus the source's B-frame cts (6 ms seen after a loop
      // of the clip); source keyframes are >= 700 ms apart, so this still pins every keyframe to its source one.
      if (i > 0) assert.ok(alignedTo(source.keyframes.map((t) => t * 1000), p.keyframes.map((t) => t * 1000), 10), `${file}: ${p.keyframes} vs source ${source.keyframes}`);
    }
  });

  test('a rendition plays over HTTP-FLV at /live/<playbackId>/<name>.flv; a malformed or unknown rendition URL is a 404', async () => {
    const file = tmpFile('rend-http-480p.flv');
    const rec = ffmpegRecord(server.httpUrl(`/live/${stream.playbackId}/480p.flv`), file, 4);
    assert.equal(await rec.exited, 0, rec.stderr());
    const v = (await ffprobeStreams(file)).find((s) => s.codec_type === 'video')!;
    assert.deepEqual([v.codec_name, v.width, v.height], ['h264', 854, 480]);
    for (const bad of [`/live/${stream.playbackId}/1080p.flv`, `/live/${stream.playbackId}/480P.flv`, `/live/${stream.playbackId}/480p.ts`, '/live/nope/480p.flv']) {
      const res = await fetch(server.httpUrl(bad));
      assert.equal(res.status, 404, bad);
      await res.body?.cancel();
    }
  });

  test('keyframe times are identical across renditions and on the source keyframes (hub timelines)', async () => {
    const recorders = ['', '/480p', '/360p'].map((n) => KeyframeRecorder.attach(server.hub, `${path}${n}`));
    await waitFor('5 keyframes on every rendition', () => recorders.every((r) => r.keyframes.length >= 5), 30_000, 100);
    const [src, r480, r360] = recorders.map((r) => r.keyframes);
    const n = Math.min(r480!.length, r360!.length);
    const shift = r480![0]! - r360![0]!;
    for (let i = 0; i < n; i++) assert.ok(Math.abs(r480![i]! - r360![i]! - shift) <= 2, `480p ${r480} vs 360p ${r360}`);
    // ffmpeg -stream_loop starts each 10 s loop of the clip 6 ms late (10.006 s: the audio's duration), so the source's
    // keyframes jump 6 ms at every loop while a rendition's stay on its frame grid: a window of keyframes that spans a
    // loop (it depends on when this test starts) is aligned within 10 ms, as the probed keyframes above are.
    assert.ok(alignedTo(src!, r480!, 10), `480p ${r480} vs source ${src}`);
    assert.ok(alignedTo(src!, r360!, 10), `360p ${r360} vs source ${src}`);
    // A regular GOP would not fit: the source intervals are irregular.
    const gaps = new Set(src!.slice(1).map((t, i) => Math.round((t - src![i]!) / 100)));
    assert.ok(gaps.size >= 3, `source keyframe gaps ${[...gaps]}`);
  });
});

test('master playlist: the source and every rendition, by bandwidth, with RESOLUTION, CODECS from the SPS, FRAME-RATE', async () => {
  const m = await masterWith(3);
  assert.deepEqual(m.variants.map((v) => v.uri.split('/')[0]), ['src', '480p', '360p']);
  assert.deepEqual(m.variants.map((v) => v.resolution), [{ width: 1280, height: 720 }, { width: 854, height: 480 }, { width: 640, height: 360 }]);
  for (const v of m.variants) {
    // avc1.PPCCLL from the encoded SPS, plus AAC-LC; the profile is the one ffprobe reads in the media itself.
    const m = /^avc1\.([0-9a-f]{2})[0-9a-f]{4},mp4a\.40\.2$/.exec(v.codecs ?? '');
    assert.ok(m, v.codecs);
    const probed = await ffprobeStreams(server.httpUrl(`/hls/${stream.playbackId}/${v.uri}`));
    const profile = probed.find((x) => x.codec_type === 'video')?.profile;
    assert.equal({ '4d': 'Main', '64': 'High', '42': 'Constrained Baseline' }[m[1]!], profile, `${v.uri}: ${v.codecs} vs ${profile}`);
    assert.ok(v.frameRate !== undefined && Math.abs(v.frameRate - 30) < 0.5, `frame rate ${v.frameRate}`);
    assert.ok(v.averageBandwidth !== undefined && v.averageBandwidth > 0 && v.averageBandwidth <= v.bandwidth, JSON.stringify(v));
  }
  const bw = m.variants.map((v) => v.bandwidth);
  assert.deepEqual([...bw].sort((a, b) => b - a), bw);
  // Each variant is served from its own packager: playlists, init and segments resolve.
  for (const v of m.variants) {
    const pl = await media(v.uri);
    assert.ok(pl.map, v.uri);
    const dir = v.uri.split('/')[0]!;
    const init = await fetch(server.httpUrl(`/hls/${stream.playbackId}/${dir}/${pl.map!.uri}`));
    assert.equal(init.status, 200, `${dir} init`);
    const seg = await fetch(server.httpUrl(`/hls/${stream.playbackId}/${dir}/${pl.segments[0]!.uri}`));
    assert.equal(seg.status, 200, `${dir} segment`);
    assert.ok((await seg.arrayBuffer()).byteLength > 0);
  }
  // LL-HLS: each media playlist reports the other renditions' last part: where that rendition's own playlist is,
  // read just before and just after (how far a rendition trails the source is the transcode delay, which a loaded
  // machine stretches; MSN alignment itself is the next test's). A playlist may list its open segment, the report
  // names it: one below the playlist's end is the report's.
  const ownEnd = async (id: string): Promise<number> => {
    const pl = await media(`${id}/media.m3u8`);
    return pl.mediaSequence + pl.segments.length;
  };
  const endsBefore = [await ownEnd('480p'), await ownEnd('360p')];
  const src = await media('src/media.m3u8');
  const endsAfter = [await ownEnd('480p'), await ownEnd('360p')];
  assert.ok(src.partTarget !== undefined, 'LL-HLS is on by default');
  const reports = src.renditionReports ?? [];
  assert.deepEqual(reports.map((r) => r.uri), ['../480p/media.m3u8', '../360p/media.m3u8']);
  reports.forEach((r, i) => assert.ok(r.lastMsn !== undefined && r.lastMsn >= endsBefore[i]! - 1 && r.lastMsn <= endsAfter[i]! && r.lastPart !== undefined,
    `${JSON.stringify(r)}: its playlist ended at ${endsBefore[i]} before, ${endsAfter[i]} after`));
  assert.deepEqual((await media('360p/media.m3u8')).renditionReports?.map((r) => r.uri), ['../src/media.m3u8', '../480p/media.m3u8']);
  const ts = await text(`/hls/${stream.playbackId}/index.m3u8?format=ts`);
  assert.deepEqual(parseMasterPlaylist(ts.body).variants.map((v) => v.uri.split('/')[1]), ['ts.m3u8', 'ts.m3u8', 'ts.m3u8']);
  assert.equal((await text(`/hls/${stream.playbackId}/720p/media.m3u8`)).status, 404);
});

test('renditions are segment-aligned with the source: MSN N has the same PROGRAM-DATE-TIME and duration everywhere', async () => {
  await masterWith(3);
  // The renditions trail the source by the transcode delay: wait for enough overlap. A rendition's first
  // segment may start inside a source segment (its first keyframe): it is left out.
  type Seg = { pdt: number | undefined; duration: number };
  const lists = await waitFor('3 common segments', async () => {
    const pls = await Promise.all(['src', '480p', '360p'].map((id) => media(`${id}/media.m3u8`)));
    const byMsn = pls.map((pl) => new Map<number, Seg>(pl.segments.map((s, i) => [pl.mediaSequence + i, { pdt: s.programDateTime, duration: s.duration }])));
    const common = [...byMsn[0]!.keys()].filter((msn) => byMsn.slice(1).every((m, i) => m.has(msn) && msn > pls[i + 1]!.mediaSequence));
    return common.length >= 3 ? { byMsn, common } : undefined;
  }, 40_000, 500);
  for (const msn of lists.common) {
    const [src, r480, r360] = lists.byMsn.map((m) => m.get(msn)!) as [Seg, Seg, Seg];
    assert.ok(src.pdt !== undefined);
    assert.deepEqual([r480.pdt, r360.pdt], [src.pdt, src.pdt], `PDT of MSN ${msn}`);
    assert.ok(Math.abs(src.duration - r480.duration) <= 0.05 && Math.abs(src.duration - r360.duration) <= 0.05,
      `durations of MSN ${msn}: ${src.duration} ${r480.duration} ${r360.duration}`);
  }
});

test('the stream API shows the transcode status', async () => {
  const res = await fetch(server.httpUrl(`/api/v1/streams/${stream.id}`), { headers: { authorization: `Bearer ${TEST_API_TOKEN}` } });
  const body = (await res.json()) as { transcode?: { state: string; reason: string | null; renditions: { name: string }[]; droppedRungs: string[]; speed: number | null } };
  assert.ok(body.transcode, JSON.stringify(body));
  assert.ok(['running', 'starting', 'restarting'].includes(body.transcode.state), body.transcode.state);
  assert.equal(body.transcode.reason, null);
  assert.deepEqual(body.transcode.renditions.map((r) => r.name), ['source', '480p', '360p']);
  assert.deepEqual(body.transcode.droppedRungs, []);
});

const skipBrowser = existsSync('/usr/bin/chromium') ? false : 'Debian chromium not installed';

test('hls.js plays the master and, capped to the lowest level, switches down and keeps playing', { skip: skipBrowser }, async () => {
  await masterWith(3);
  let browser: HlsBrowser | undefined;
  try {
    browser = await launchHlsBrowser();
    const page = await browser.open(server.httpUrl(`/hls/${stream.playbackId}/index.m3u8`), false);
    await page.evaluate(() => {
      const w = globalThis as unknown as { __hls: { on(e: string, f: (e: string, d: { level: number }) => void): void }; __switched: number[] };
      w.__switched = [];
      w.__hls.on('hlsLevelSwitched', (_e, d) => w.__switched.push(d.level));
    });
    const levels = await waitFor('manifest levels', () => page.evaluate(() => {
      const h = (globalThis as unknown as { __hls: { levels: { height: number }[] } }).__hls;
      return h.levels.length > 0 ? h.levels.map((l) => l.height) : undefined;
    }), 20_000, 200);
    assert.deepEqual([...levels].sort((a, b) => a - b), [360, 480, 720]);
    let t = await playingPast(browser, page, 0);
    const lowest = levels.indexOf(Math.min(...levels));
    const top = levels.indexOf(Math.max(...levels));
    const current = await page.evaluate(() => (globalThis as unknown as { __hls: { currentLevel: number } }).__hls.currentLevel);
    // The bandwidth cap: autoLevelCapping forbids every level above the target; nextLevel makes it switch now.
    // Down to the lowest level, unless hls.js started there: then up first, so both switches happen.
    for (const target of current === lowest ? [top, lowest] : [lowest, top]) {
      const seen = await page.evaluate(() => (globalThis as unknown as { __switched: number[] }).__switched.length);
      await page.evaluate((l) => {
        const h = (globalThis as unknown as { __hls: { autoLevelCapping: number; nextLevel: number } }).__hls;
        h.autoLevelCapping = l;
        h.nextLevel = l;
      }, target);
      await waitFor(`LEVEL_SWITCHED to level ${target}`, () => page.evaluate(([l, n]) =>
        (globalThis as unknown as { __switched: number[] }).__switched.slice(n).includes(l), [target, seen] as const), 30_000, 200);
      t = await playingPast(browser, page, t + 3);
    }
    const switched = await page.evaluate(() => (globalThis as unknown as { __switched: number[] }).__switched);
    assert.ok(switched.includes(lowest) && switched.includes(top), `switches ${switched}`);
  } finally {
    await browser?.close();
  }
});

/** Waits until currentTime passes `t` with no fatal hls.js error; returns the currentTime seen. */
async function playingPast(browser: HlsBrowser, page: Page, t: number): Promise<number> {
  const s = await waitFor(`currentTime > ${t}`, async () => {
    const st = await browser.state(page);
    assert.deepEqual(st.fatal, [], `fatal hls.js errors: ${st.fatal.join(', ')}`);
    return st.currentTime > t ? st : undefined;
  }, 40_000, 250);
  return s.currentTime;
}

test('after an ffmpeg crash the renditions come back, numbered and dated like the source', async () => {
  const path = `live/${stream.playbackId}`;
  const pid = server.transcode.pidOf(path);
  assert.ok(pid);
  server.transcode.killForTest(path);
  await waitFor('ffmpeg restarted', () => { const p = server.transcode.pidOf(path); return p !== undefined && p !== pid; }, 30_000, 100);
  const src = await media('src/media.m3u8');
  const after = src.mediaSequence + src.segments.length + 1; // segments cut after the restart
  type Seg = { pdt: number | undefined; duration: number };
  const lists = await waitFor('2 common segments after the restart', async () => {
    const pls = await Promise.all(['src', '480p', '360p'].map((id) => media(`${id}/media.m3u8`)));
    const byMsn = pls.map((pl) => new Map<number, Seg>(pl.segments.map((s, i) => [pl.mediaSequence + i, { pdt: s.programDateTime, duration: s.duration }])));
    const common = [...byMsn[0]!.keys()].filter((msn) => msn > after && byMsn.every((m) => m.has(msn)));
    return common.length >= 2 ? { byMsn, common } : undefined;
  }, 60_000, 500);
  for (const msn of lists.common) {
    const [s0, r480, r360] = lists.byMsn.map((m) => m.get(msn)!) as [Seg, Seg, Seg];
    assert.deepEqual([r480.pdt, r360.pdt], [s0.pdt, s0.pdt], `PDT of MSN ${msn}`);
    assert.ok(Math.abs(s0.duration - r480.duration) <= 0.05 && Math.abs(s0.duration - r360.duration) <= 0.05, `MSN ${msn}`);
  }
});

test('killing ffmpeg mid-stream: it restarts and the renditions keep going', async () => {
  const pid = server.transcode.pidOf(path)!;
  assert.ok(isAlive(pid));
  const rec = KeyframeRecorder.attach(server.hub, `${path}/360p`);
  server.transcode.killForTest(path);
  await waitFor('a restart', () => server.transcode.status(path)!.restarts >= 1, 15_000, 50);
  await waitFor('a new ffmpeg', () => { const p = server.transcode.pidOf(path); return p !== undefined && p !== pid; }, 15_000, 50);
  const before = rec.frames;
  await waitFor('frames from the new ffmpeg', () => rec.frames > before + 30, 30_000, 100);
  assert.equal(isAlive(pid), false);
  assert.equal(server.transcode.renditions(path).length, 3);
});

test('unpublish stops ffmpeg and clears the renditions', async () => {
  const pid = server.transcode.pidOf(path)!;
  await publisher.kill('SIGKILL');
  await waitFor('ffmpeg gone', () => !isAlive(pid), 15_000, 50);
  await waitFor('status cleared', () => server.transcode.status(path) === undefined, 5_000, 50);
  assert.deepEqual(server.transcode.renditions(path), []);
  await sleep(200);
  assert.equal(server.hub.stream(`${path}/480p`)?.publisher, undefined);
});
