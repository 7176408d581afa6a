import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RtmpClient } from '../../src/servers/rtmp/rtmp-client.js';
import { startTestServer, TEST_API_TOKEN, type TestServer } from '../../support/onair.js';
import { serverApi } from '../support/stream-api.js';
import { run, sleep, waitFor, type Proc } from '../support/proc.js';
import { parsePrometheusText, type PromScrape } from '../support/prometheus-text.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- API responses are checked field by field */

const METRICS_TOKEN = 'metrics-token-0123456789';

interface Publisher { readonly gop?: number; readonly audioOnly?: boolean; readonly readrate?: number }

/**
 * ffmpeg encoding a test pattern live with a known truth: 320x240 at 30 fps, a keyframe every `gop` frames exactly
 * (no scene-cut keyframes), 300 kb/s video (VBV-capped) + 64 kb/s AAC 48 kHz mono; `readrate` < 1 reads the source
 * slower than real time (an encoder whose clock runs slow).
 */
function ffmpegLive(url: string, p: Publisher): Proc {
  const pace = p.readrate ? ['-readrate', String(p.readrate)] : ['-re'];
  const video = p.audioOnly ? [] : [...pace, '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=30'];
  const audio = [...pace, '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000'];
  const videoOut = p.audioOnly ? [] : ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-g', String(p.gop ?? 60),
    '-keyint_min', String(p.gop ?? 60), '-sc_threshold', '0', '-b:v', '300k', '-maxrate', '300k', '-bufsize', '300k'];
  return run('ffmpeg', ['-hide_banner', '-loglevel', 'error', ...video, ...audio, ...videoOut, '-c:a', 'aac', '-b:a', '64k', '-f', 'flv', url], { timeoutMs: 180_000 });
}

const api = serverApi;

async function webhookReceiver(): Promise<{ url: string; bodies: any[]; close(): Promise<void> }> {
  const bodies: any[] = [];
  const server: Server = createServer((req, res) => {
    let text = '';
    req.on('data', (b) => (text += b));
    req.on('end', () => {
      bodies.push(JSON.parse(text));
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, bodies, close: () => new Promise((r) => server.close(() => r())) };
}

describe('ingest health against publishers whose truth is known (real ffmpeg)', () => {
  let server: TestServer;
  let hooks: Awaited<ReturnType<typeof webhookReceiver>>;
  const streams: Record<string, any> = {};
  const pubs: Record<string, Proc> = {};
  const health = (name: string): Promise<any> => api(server, 'GET', `/streams/${streams[name].id}/health`);
  const scrape = async (): Promise<PromScrape> => {
    const res = await fetch(server.httpUrl('/metrics'), { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    return parsePrometheusText(await res.text());
  };
  const healthChanges = (name: string) => hooks.bodies
    .filter((b) => b.type === 'stream.health.changed' && b.data.stream.id === streams[name].id)
    .map((b) => `${b.data.health.previousState}->${b.data.health.state}`);

  before(async () => {
    server = await startTestServer({ auth: 'keys', 'webhook-allow-networks': '127.0.0.1/32', 'health-hysteresis-sec': 2, 'metrics-token': METRICS_TOKEN, 'log-level': 'info' });
    hooks = await webhookReceiver();
    await api(server, 'POST', '/webhooks', { url: hooks.url, events: ['stream.health.changed'] });
    const specs: Record<string, Publisher & { settings?: unknown }> = {
      // gop4s also transcodes one small rung, so the transcoder's metrics exist for the dashboard check
      gop4s: { gop: 120, settings: { ladder: [{ name: 'low', height: 144, videoBitrateKbps: 100 }] } },
      gop5s: { gop: 150 },
      stalling: { gop: 30 },
      slowClock: { gop: 30, readrate: 0.8 },
      audioOnly: { audioOnly: true },
      // LL-HLS with a keyframe a second: its playlists keep the 1 s target duration of `low`
      llViewers: { gop: 30, settings: { latencyMode: 'low' } },
    };
    for (const [name, spec] of Object.entries(specs)) {
      streams[name] = await api(server, 'POST', '/streams', { name, ...(spec.settings ? { settings: spec.settings } : {}) });
      pubs[name] = ffmpegLive(`${streams[name].ingest.rtmp}/${streams[name].streamKey}`, spec);
    }
  });
  after(async () => {
    for (const p of Object.values(pubs)) {
      p.child.kill('SIGCONT');
      await p.kill('SIGKILL');
    }
    await server.close();
    await hooks.close();
  });

  /**
   * Side by side: each of these mostly waits on its own stream's clock (10 s of gop4s measured; a stall and its
   * recovery; a player's reloads and its end; a feed read for seconds), and none touches another's stream. One after
   * another they took ~35 s of the serial phase, where this file runs alone.
   */
  describe('streams measured side by side', { concurrency: true }, () => {
    test('-g 120 at 30 fps: keyframes every 4.0 s, 30 fps, about the set bitrate, H.264 320x240, AAC 48 kHz mono: healthy', async () => {
      const h = await waitFor('10 s of gop4s measured', async () => {
        const r = await health('gop4s');
        return r.history.filter((s: any) => s.state !== 'offline').length >= 12 && r.video?.keyframeIntervalMs !== null ? r : undefined;
      }, 40_000, 500);
      assert.equal(h.state, 'healthy', JSON.stringify(h.reasons));
      assert.equal(h.video.keyframeIntervalMs, 4000);
      assert.equal(h.video.keyframeIntervalMaxMs, 4000);
      assert.ok(Math.abs(h.video.windows['10s'].fps - 30) <= 0.5, `fps ${h.video.windows['10s'].fps}`);
      const kbps = h.video.windows['10s'].bitrateKbps;
      assert.ok(kbps > 150 && kbps <= 360, `video ${kbps} kbps for -b:v 300k -maxrate 300k`);
      assert.ok(Math.abs(h.audio.windows['10s'].bitrateKbps - 64) <= 16, `audio ${h.audio.windows['10s'].bitrateKbps} kbps for -b:a 64k`);
      assert.deepEqual([h.video.codec, h.video.width, h.video.height], ['h264', 320, 240]);
      assert.ok(h.video.profile && h.video.level, 'profile and level from the SPS');
      assert.deepEqual([h.audio.codec, h.audio.sampleRate, h.audio.channels], ['aac', 48000, 1]);
      assert.equal(h.video.metadataFps, 30);
      assert.match(h.encoder.name, /^Lavf/);
      assert.equal(h.ingest.protocol, 'rtmp');
      assert.equal(h.ingest.stalls, 0);
      assert.ok(Math.abs(h.ingest.mediaRate - 1) < 0.1, `media rate ${h.ingest.mediaRate}`);
      const sample = h.history[h.history.length - 1];
      assert.equal(typeof sample.t, 'number');
      assert.equal(sample.keyframeIntervalMs, 4000);
    });

    test('a publisher stopped with SIGSTOP is stalled (critical), and healthy again after SIGCONT', async () => {
      // Healthy with a whole media second measured: right after the start a stall has no last second to report as empty.
      await waitFor('stalling healthy', async () => {
        const r = await health('stalling');
        return r.state === 'healthy' && r.video?.bitrateKbps > 0;
      }, 30_000, 500);
      pubs.stalling!.child.kill('SIGSTOP');
      const stalled = await waitFor('stalled', async () => {
        const r = await health('stalling');
        return r.state === 'critical' ? r : undefined;
      }, 15_000, 250);
      assert.deepEqual(stalled.reasons.map((r: any) => r.code), ['stalled']);
      assert.equal(stalled.video.bitrateKbps, 0, 'nothing arrives: the last second is empty');
      await waitFor('healthy->critical announced', () => healthChanges('stalling').includes('healthy->critical'), 15_000);
      pubs.stalling!.child.kill('SIGCONT');
      const back = await waitFor('healthy again', async () => {
        const r = await health('stalling');
        return r.state === 'healthy' ? r : undefined;
      }, 20_000, 250);
      assert.equal(back.ingest.stalls, 1);
      assert.ok(back.ingest.lateFrames > 0, 'what the stopped encoder sent after SIGCONT arrived late');
      await waitFor('critical->healthy announced', () => healthChanges('stalling').includes('critical->healthy'), 15_000);
    });

    test('an HLS viewer ends with its stream\'s cadence: ffmpeg playing a `low` (LL-HLS) stream is counted, and not a few seconds after it stops', async (t) => {
      const id = streams.llViewers.id;
      // Healthy and a whole GOP in (a keyframe interval measured): the first 1 s segment is cut, so the player's first
      // playlist is not a 503 (ffmpeg's HLS demuxer gives up on one). Asking the playlist here would be a viewer itself.
      await waitFor('llViewers live', async () => {
        const r = await health('llViewers');
        return r.state === 'healthy' && r.video?.keyframeIntervalMs !== null;
      }, 30_000, 500);
      // A real player: ffmpeg's HLS demuxer, which reloads the source's media playlist about once a target duration.
      const player = run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-rw_timeout', '10000000', '-i',
        server.httpUrl(`/hls/${streams.llViewers.playbackId}/index.m3u8`), '-c', 'copy', '-f', 'null', '-'], { timeoutMs: 60_000 });
      let stopped: number;
      try {
        await waitFor('the ffmpeg player counted', async () => (await health('llViewers')).viewers.hls === 1, 20_000, 250);
        // Playing on: each reload keeps its session.
        await sleep(3000);
        assert.equal(player.child.exitCode, null, player.stderr());
        assert.equal((await health('llViewers')).viewers.hls, 1, 'still counted while it plays');
        assert.equal((await scrape()).value('onair_stream_viewers', { stream: id, protocol: 'hls' }), 1);
      } finally {
        await player.kill('SIGKILL');
        stopped = performance.now();
      }
      await waitFor('the stopped player no longer counted', async () => (await health('llViewers')).viewers.hls === 0, 19_000, 250);
      const seconds = (performance.now() - stopped) / 1000;
      // A few of the stream's 1 s reloads (6 s, the floor) plus a health round; the same for every stream was 20 s.
      t.diagnostic(`the stopped player was counted ${seconds.toFixed(1)} s more`);
      assert.ok(seconds < 12, `counted ${seconds.toFixed(1)} s after it stopped`);
      assert.equal((await scrape()).value('onair_stream_viewers', { stream: id, protocol: 'hls' }), 0);
    });

    test('SSE feed read by curl: ?token= and the cookie work, a wrong token is refused, the query token works on this route only', async () => {
      await waitFor('gop4s on air', async () => (await health('gop4s')).state !== 'offline', 30_000, 250);
      const url = server.httpUrl(`/api/v1/streams/${streams.gop4s.id}/health/events`);
      const events = (out: string) => out.split('\n\n').filter((e) => e.startsWith('event: health\n')).map((e) => JSON.parse(e.split('\ndata: ')[1]!));
      // curl reads the feed until --max-time ends it (exit 28): what it printed by then is the feed
      const feed = async (args: string[]) => {
        const p = run('curl', ['-sN', ...args]);
        await p.exited;
        return events(p.stdout());
      };
      const byQuery = await feed(['--max-time', '3.5', `${url}?token=${TEST_API_TOKEN}`]);
      assert.ok(byQuery.length >= 3, `${byQuery.length} events in 3.5 s (one at once, then one a second)`);
      assert.equal(byQuery[0].streamId, streams.gop4s.id);
      assert.ok(byQuery.every((e) => e.sample && typeof e.sample.t === 'number' && !('history' in e)));
      assert.ok(byQuery[byQuery.length - 1].sample.t > byQuery[1].sample.t, 'every event is a new evaluation');
      assert.ok((await feed(['--max-time', '1.5', '-b', `onair_token=${TEST_API_TOKEN}`, url])).length >= 1, 'the cookie');
      const code = async (args: string[]) => {
        const p = run('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', '--max-time', '3', ...args]);
        await p.exited;
        return p.stdout();
      };
      assert.equal(await code([`${url}?token=wrong`]), '401');
      assert.equal(await code([url]), '401');
      assert.equal(await code([server.httpUrl(`/api/v1/streams/${streams.gop4s.id}/health?token=${TEST_API_TOKEN}`)]), '401', 'other routes want the header');
      assert.equal(await code([`${server.httpUrl('/api/v1/streams/str_nope/health/events')}?token=${TEST_API_TOKEN}`]), '404');
    });
  });

  test('-g 150: keyframe_interval_high (warning) at 5.0 s, announced once by stream.health.changed after the hold', async () => {
    const h = await waitFor('gop5s warning', async () => {
      const r = await health('gop5s');
      return r.state === 'warning' && r.video.keyframeIntervalMs === 5000 ? r : undefined;
    }, 30_000, 500);
    assert.deepEqual(h.reasons.map((r: any) => r.code), ['keyframe_interval_high']);
    // The message names the last closed interval (5.0 s) or, while the next keyframe is already over the 4 s limit
    // late, the open one ("no keyframe for 4.4 s"): which depends on the moment the figures are read.
    assert.match(h.reasons[0].message, /5\.0 s|no keyframe for (4\.[1-9]|5\.0) s/);
    await waitFor('stream.health.changed for gop5s', () => healthChanges('gop5s').includes('healthy->warning'), 20_000);
    // Once, and nothing else but a slow first frame's recovery (see below).
    assert.deepEqual(healthChanges('gop5s').filter((c) => c !== 'critical->healthy'), ['healthy->warning']);
    // A healthy stream announces no trouble. Its first evaluation is the baseline and is not announced; on a starved
    // machine ffmpeg can take over --health-stall-ms to send its first frame, so that baseline may be `critical`
    // (stalled) and its recovery `critical->healthy` is then announced: correct, and no sign of trouble in the stream.
    assert.deepEqual(healthChanges('gop4s').filter((c) => !c.endsWith('->healthy')), [], 'a healthy stream announces no trouble');
  });

  test('-readrate 0.8 (a clock 20 % slow): timestamp_drift, media rate about 0.8', async () => {
    const h = await waitFor('slowClock drift', async () => {
      const r = await health('slowClock');
      return r.reasons.some((x: any) => x.code === 'timestamp_drift') ? r : undefined;
    }, 30_000, 500);
    assert.equal(h.state, 'warning');
    assert.ok(Math.abs(h.ingest.mediaRate - 0.8) < 0.1, `media rate ${h.ingest.mediaRate}`);
    assert.ok(h.ingest.driftMs > 1000, `drift ${h.ingest.driftMs}`);
    assert.match(h.reasons.find((x: any) => x.code === 'timestamp_drift').message, /falls behind/);
  });

  test('audio only: audio figures, no video, healthy', async () => {
    const h = await waitFor('audioOnly measured', async () => {
      const r = await health('audioOnly');
      return r.audio?.windows['10s'].bitrateKbps ? r : undefined;
    }, 30_000, 500);
    assert.equal(h.state, 'healthy', JSON.stringify(h.reasons));
    assert.equal(h.video, null);
    assert.deepEqual([h.audio.codec, h.audio.sampleRate], ['aac', 48000]);
    assert.ok(Math.abs(h.audio.windows['10s'].bitrateKbps - 64) <= 16, `audio ${h.audio.windows['10s'].bitrateKbps}`);
  });

  test('viewers: an RTMP player and an HLS client are counted, bytes out grow; the list summary has every live stream', async () => {
    const player = await RtmpClient.connect(streams.gop4s.playback.rtmp);
    await player.play();
    const hlsClient = setInterval(() => void fetch(server.httpUrl(`/hls/${streams.gop4s.playbackId}/src/media.m3u8`), { headers: { 'user-agent': 'test-hls' } }).then((r) => r.arrayBuffer()).catch(() => {}), 300);
    try {
      const h = await waitFor('rtmp and hls viewers', async () => {
        const r = await health('gop4s');
        return r.viewers.rtmp === 1 && r.viewers.hls === 1 ? r : undefined;
      }, 15_000, 250);
      assert.equal(h.viewers.total, 2);
      assert.equal(h.viewers.flv, 0);
      assert.ok(h.bytesOut > 0);
      const list = await api(server, 'GET', '/health');
      const mine = list.data.find((x: any) => x.streamId === streams.gop4s.id);
      assert.equal(mine.viewers, 2);
      assert.ok(mine.bitrateKbps > 0);
      for (const name of ['gop5s', 'slowClock', 'audioOnly']) assert.ok(list.data.some((x: any) => x.streamId === streams[name].id), name);
      const m = await scrape();
      assert.equal(m.value('onair_stream_viewers', { stream: streams.gop4s.id, protocol: 'rtmp' }), 1);
      assert.ok((m.value('onair_connections', { protocol: 'rtmp' }) ?? 0) >= 6, 'five publishers and a player');
    } finally {
      clearInterval(hlsClient);
      player.destroy();
    }
  });

  test('Prometheus: the scrape parses; per-stream series match the health API and go when the publisher leaves; the token is required', async () => {
    const refused = await fetch(server.httpUrl('/metrics'));
    assert.equal(refused.status, 401);
    assert.equal(refused.headers.get('www-authenticate'), 'Bearer');
    assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'unauthorized', 'the one HTTP error shape');
    const m = await scrape();
    const id = streams.gop4s.id;
    assert.equal(m.types.get('onair_hls_request_duration_seconds'), 'histogram');
    assert.equal(m.value('onair_stream_keyframe_interval_seconds', { stream: id }), 4);
    assert.ok(Math.abs(m.value('onair_stream_ingest_fps', { stream: id })! - 30) <= 0.5);
    assert.ok(m.value('onair_stream_ingest_bits_per_second', { stream: id, track: 'video' })! > 150_000);
    assert.equal(m.value('onair_stream_health_state', { stream: id }), 0);
    assert.equal(m.value('onair_stream_health_state', { stream: streams.gop5s.id }), 1);
    assert.ok(m.value('onair_received_bytes_total')! > 0);
    assert.ok(m.value('onair_sent_bytes_total', { protocol: 'rtmp' })! > 0, 'the RTMP player of the previous test');
    assert.ok(m.find('onair_process_cpu_seconds_total').length === 1, 'process metrics');
    assert.ok(!m.samples.some((s) => Object.values(s.labels).some((v) => v.includes(streams.gop4s.streamKey))), 'never a key');
    await pubs.audioOnly!.kill();
    await waitFor('audioOnly series gone', async () => (await scrape()).find('onair_stream_health_state', { stream: streams.audioOnly.id }).length === 0, 10_000, 250);
    const after = await scrape();
    assert.ok(after.value('onair_streams', { state: 'offline' })! >= 1, 'the HLS packager holds it in its reconnect window');
  });

  test('the example Grafana dashboard queries only metrics a real scrape has', async () => {
    const dashboard = readFileSync(new URL('../../docs/grafana/onair.json', import.meta.url), 'utf8');
    const queried = new Set([...dashboard.matchAll(/"(?:expr|query|definition)": "[^"]*"/g)].flatMap((m) => [...m[0].matchAll(/\bonair_[a-z0-9_]+/g)].map((x) => x[0])));
    assert.ok(queried.size >= 15, `${queried.size} metrics queried`);
    // the transcoder reports its speed once it has measured a window
    const m = await waitFor('transcoder speed measured', async () => {
      const s = await scrape();
      return s.find('onair_transcode_speed').length > 0 ? s : undefined;
    }, 30_000, 500);
    const present = new Set(m.samples.map((s) => s.name));
    const missing = [...queried].filter((name) => !present.has(name));
    assert.deepEqual(missing, [], 'every metric the dashboard queries exists');
  });
});
