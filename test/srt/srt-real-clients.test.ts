import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { type TestServer } from '../../support/onair.js';
import { ffmpegPublish, ffprobeFrameCounts, ffprobeStreams } from '../support/clients.js';
import { clip, tmpFile } from '../support/media.js';
import { run, runOk, sleep, waitFor, type Proc } from '../support/proc.js';
import { writeFileSync } from 'node:fs';
import { ffmpegSrtPublish, srtUrl, udpCollector } from '../support/srt-clients.js';
import { freeUdpPort, hubFrameCounter, startSrtTestServer } from '../../support/srt-hub.js';

/**
 * The clip published whole and counted (av-4s.flv: 4 s, 25 fps H.264 + AAC, a keyframe a second) as ffprobe counts
 * it; four GOPs show every frame arriving and a player's keyframe-aligned join as well as ten, in less real time.
 */
const CLIP = 'av-4s.flv';
let source: { video: number; audio: number };
/** The 10 s clip, for the key refresh test: its packets make several refreshes at 256 packets each. */
let longSource: { video: number; audio: number };
before(async () => {
  source = await ffprobeFrameCounts(await clip(CLIP));
  longSource = await ffprobeFrameCounts(await clip('av.flv'));
});

/** Decode-order indices of the video keyframes in a media file, as ffprobe reads its packets. */
async function videoKeyframeIndices(file: string): Promise<number[]> {
  const out = await runOk('ffprobe', ['-hide_banner', '-v', 'error', '-select_streams', 'v', '-show_entries', 'packet=flags', '-of', 'csv=p=0', file], 30_000);
  return out.split('\n').filter((l) => l.trim() !== '').flatMap((flags, i) => (flags.includes('K') ? [i] : []));
}

/**
 * ffprobe on a live SRT stream reads a second of it: its default (5 s of MPEG-TS, about 4.6 s here per probe) adds
 * nothing the checks read (codecs, sizes, sample rates are in the first keyframe and audio frame; a fast-start burst
 * lost at the handshake is dropped, and logged, in the session's first moments).
 */
const LIVE_PROBE = ['-analyzeduration', '1000000'];

const refusedFor = (server: TestServer, reason: string) => () => server.logs.some((l) => l.includes('srt caller refused') && l.includes(`"reason":"${reason}"`));

/**
 * The two servers' suites side by side: both mostly wait on clips published in real time and players reading them, and
 * one after the other they took ~67 s of the suite. Within each the tests run one after another (a suite inherits its
 * parent's concurrency: all at once, libsrt dropped packets of the SRT player and srt-live-transmit's relay timed out).
 */
describe('SRT with real clients', { concurrency: true }, () => {
  describe('SRT with stream keys (--auth keys)', { concurrency: false }, () => {
    let server: TestServer;
    let port: number;
    before(async () => {
      server = await startSrtTestServer({ auth: 'keys', 'srt-latency-ms': 300 });
      port = server.ports.srt!;
    });
    after(async () => {
      await server.close();
    });

    test('ffmpeg publishes with #!::r=live/<key>,m=publish: every frame reaches the hub, and HLS and RTMP players count the same frames', async () => {
      // Reconnect window 0: when the publisher leaves, the playlist ends (ENDLIST) and ffmpeg reads it whole.
      const stream = await server.streams.create({ settings: { reconnectWindowSec: 0 } });
      const path = `live/${stream.playbackId}`;
      const counter = hubFrameCounter(server, path);
      // linger: libsrt's live mode drops what is still unsent when the caller closes unless it lingers.
      const pub = await ffmpegSrtPublish(srtUrl(port, `#!::r=live/${stream.streamKey},m=publish`, { linger: 2 }), { clipName: CLIP });
      let rtmpPlayer: Proc | undefined;
      try {
        await waitFor('stream active', () => server.hub.stream(path)?.isActive, 20_000);
        const rtmpOut = tmpFile('srt-as-rtmp.flv');
        rtmpPlayer = run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-rw_timeout', '10000000', '-i', server.rtmpUrl(stream.playbackId), '-c', 'copy', '-f', 'flv', rtmpOut], { timeoutMs: 60_000 });
        const stats = server.srt!.publisherStats(path);
        assert.equal(stats?.role, 'receiver');
        assert.equal(stats?.latencyMs, 300);
        assert.equal(await pub.exited, 0, pub.stderr());
        await waitFor('publisher gone', () => !server.hub.stream(path)?.publisher);
        assert.deepEqual(counter.ingested(), source, 'every frame of the source reached the hub');
        assert.equal(counter.video, source.video, 'a player subscribed before the publish got every video frame');
        await rtmpPlayer.exited;
        const rtmp = await ffprobeFrameCounts(rtmpOut);
        assert.ok(rtmp.video >= source.video - 50 && rtmp.video <= source.video, `RTMP player from its join (at most 2 GOPs in): ${rtmp.video}`);
        // From its join on, nothing lost: the RTMP output is the source from one of its keyframes to the end.
        const sourceKeys = await videoKeyframeIndices(await clip(CLIP));
        const rtmpKeys = await videoKeyframeIndices(rtmpOut);
        const joinedAt = source.video - rtmp.video;
        assert.equal(rtmpKeys[0], 0, 'the RTMP player starts at a keyframe');
        assert.ok(sourceKeys.includes(joinedAt), `the RTMP output is a keyframe-aligned tail of the source (missing ${joinedAt}; keyframes at ${sourceKeys.join(',')})`);
        assert.deepEqual(rtmpKeys, sourceKeys.filter((k) => k >= joinedAt).map((k) => k - joinedAt), 'keyframes where the source has them');
        const hlsUrl = server.httpUrl(`/hls/${stream.playbackId}/index.m3u8`);
        await waitFor('HLS ENDLIST', async () => (await (await fetch(server.httpUrl(`/hls/${stream.playbackId}/src/media.m3u8`))).text()).includes('#EXT-X-ENDLIST'));
        const hlsOut = tmpFile('srt-as-hls.mkv');
        await runOk('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-i', hlsUrl, '-c', 'copy', hlsOut], 60_000);
        const hls = await ffprobeFrameCounts(hlsOut);
        assert.deepEqual(hls, source, 'HLS carries every frame of the SRT source');
        const probed = await ffprobeStreams(hlsOut);
        assert.ok(probed.some((s) => s.codec_name === 'h264' && s.width === 640 && s.height === 360));
        const sessions = await server.streams.listSessions(stream.id, 10);
        assert.equal(sessions?.items[0]?.protocol, 'srt');
        assert.ok(!server.logs.some((l) => l.includes(stream.streamKey)), 'the key never appears in a log line');
      } finally {
        counter.close();
        await pub.kill();
        await rtmpPlayer?.kill();
      }
    });

    test('a plain stream id (live/<key>) publishes too; an unknown key is refused as unauthorized (1401)', async () => {
      const stream = await server.streams.create();
      const path = `live/${stream.playbackId}`;
      const pub = await ffmpegSrtPublish(srtUrl(port, `live/${stream.streamKey}`), { seconds: 2 });
      await waitFor('plain stream id active', () => server.hub.stream(path)?.isActive, 20_000);
      assert.equal(await pub.exited, 0, pub.stderr());
      const bad = await ffmpegSrtPublish(srtUrl(port, '#!::r=live/not-a-key,m=publish'), { seconds: 2 });
      assert.notEqual(await bad.exited, 0);
      await waitFor('refusal logged', refusedFor(server, 'unauthorized'));
    });

    test('per-stream passphrase: AES-128 and AES-256 publish every frame; wrong and missing passphrases are refused', async () => {
      const passphrase = 'a-stream-passphrase-0123';
      // Two streams with the same passphrase, published at once: each key length on its own stream, in one clip's time.
      const publishWith = async (pbkeylen: number) => {
        const stream = await server.streams.create({ settings: { srtPassphrase: passphrase } });
        const path = `live/${stream.playbackId}`;
        const counter = hubFrameCounter(server, path);
        const pub = await ffmpegSrtPublish(srtUrl(port, `#!::r=live/${stream.streamKey},m=publish`, { passphrase, pbkeylen, linger: 2 }), { clipName: CLIP });
        try {
          assert.equal(await pub.exited, 0, pub.stderr());
          await waitFor('publisher gone', () => !server.hub.stream(path)?.publisher);
          assert.equal(counter.video, source.video, `AES-${pbkeylen * 8}: video frames`);
          assert.deepEqual(counter.ingested(), source, `AES-${pbkeylen * 8}: every frame reached the hub`);
        } finally {
          counter.close();
        }
        assert.ok(server.logs.some((l) => l.includes('srt session started') && l.includes(path) && l.includes(`"keyBits":${pbkeylen * 8}`)));
        return stream;
      };
      const [stream] = await Promise.all([publishWith(16), publishWith(32)]);
      const [wrong, missing] = await Promise.all([
        ffmpegSrtPublish(srtUrl(port, `#!::r=live/${stream.streamKey},m=publish`, { passphrase: 'not-the-passphrase' }), { seconds: 2 }),
        ffmpegSrtPublish(srtUrl(port, `#!::r=live/${stream.streamKey},m=publish`), { seconds: 2 }),
      ]);
      assert.notEqual(await wrong.exited, 0);
      assert.notEqual(await missing.exited, 0);
      await waitFor('wrong passphrase refused', refusedFor(server, 'badSecret'));
      await waitFor('missing passphrase refused', refusedFor(server, 'unsecure'));
      assert.ok(!server.logs.some((l) => l.includes(passphrase)), 'the passphrase never appears in a log line');
    });

    test('SRT playback: ffprobe and ffmpeg read the stream as MPEG-TS with m=request', async () => {
      const stream = await server.streams.create();
      const pub = await ffmpegPublish(server.rtmpUrl(stream.streamKey));
      try {
        const path = `live/${stream.playbackId}`;
        await waitFor('stream active', () => server.hub.stream(path)?.isActive, 20_000);
        const url = srtUrl(port, `#!::r=live/${stream.playbackId},m=request`);
        const probed = await ffprobeStreams(url, LIVE_PROBE);
        assert.deepEqual(probed.map((s) => s.codec_name).sort(), ['aac', 'h264']);
        const out = tmpFile('srt-play.ts');
        await runOk('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-i', url, '-t', '3', '-c', 'copy', '-f', 'mpegts', out], 30_000);
        const frames = await ffprobeFrameCounts(out);
        assert.ok(frames.video >= 60, `video frames ${frames.video}`);
        assert.ok(frames.audio >= 100, `audio frames ${frames.audio}`);
        const notFound = run('ffprobe', ['-v', 'error', srtUrl(port, '#!::r=live/nosuchstream,m=request')], { timeoutMs: 20_000 });
        assert.notEqual(await notFound.exited, 0);
        await waitFor('unknown playback id refused', refusedFor(server, 'notFound'));
      } finally {
        await pub.kill();
      }
    });

    test('SRT playback starts with the conclusion answer: libsrt sees no media before it, so the fast-start burst is not lost', async () => {
      // The stream is live with a GOP in the cache, so a new player is sent a burst at once. A data packet that
      // reaches libsrt before our conclusion answer is thrown away ("received DATA while HANDSHAKE expected"),
      // and the burst's start (its keyframe) is then dropped as too late: the player waits for the next keyframe.
      const stream = await server.streams.create();
      const pub = await ffmpegPublish(server.rtmpUrl(stream.streamKey));
      try {
        await waitFor('stream active', () => server.hub.stream(`live/${stream.playbackId}`)?.isActive, 20_000);
        await sleep(1500);
        for (let round = 0; round < 3; round++) {
          const probe = run('ffprobe', ['-v', 'warning', ...LIVE_PROBE, '-show_entries', 'stream=codec_name', '-of', 'csv=p=0',
            srtUrl(port, `#!::r=live/${stream.playbackId},m=request`)], { timeoutMs: 30_000 });
          assert.equal(await probe.exited, 0, probe.stderr().slice(-1000));
          assert.doesNotMatch(probe.stderr(), /DATA while HANDSHAKE expected|PACKET NOT HANDSHAKE/, `round ${round}`);
          assert.doesNotMatch(probe.stderr(), /RCV-DROPPED/, `round ${round}`);
        }
      } finally {
        await pub.kill();
      }
    });
  });

  describe('SRT with libsrt tools and a server passphrase (--auth open --srt-passphrase)', { concurrency: false }, () => {
    let server: TestServer;
    let port: number;
    const passphrase = 'server-wide-passphrase';
    before(async () => {
      server = await startSrtTestServer({ 'srt-passphrase': passphrase });
      port = server.ports.srt!;
    });
    after(async () => {
      await server.close();
    });

    test('srt-live-transmit relays UDP MPEG-TS into OnAir as a caller (AES-192)', async () => {
      const udp = await freeUdpPort();
      const counter = hubFrameCounter(server, 'live/slt');
      const relay = run('srt-live-transmit', ['-q', `udp://127.0.0.1:${udp}`, `${srtUrl(port, '#!::r=live/slt,m=publish', { passphrase, pbkeylen: 24 })}`], { timeoutMs: 60_000 });
      try {
        // It binds its UDP input, then connects its SRT side (at its start, not at the first datagram), and drops what
        // arrives before that is open: 40-100 ms after its start here, 120-270 ms beside two busy loops, so a fixed wait
        // is a guess on a loaded machine. The clip starts once OnAir has the session (a loss at the start, up to a GOP,
        // is still allowed for below).
        await waitFor('srt-live-transmit\'s session in OnAir', () => server.logs.some((l) => l.includes('srt session started') && l.includes('"path":"live/slt"')), 30_000);
        const file = await clip(CLIP);
        await runOk('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-re', '-i', file, '-c', 'copy', '-f', 'mpegts', `udp://127.0.0.1:${udp}?pkt_size=1316`], 60_000);
        await waitFor('frames through srt-live-transmit', () => counter.video >= source.video - 25, 10_000);
        assert.ok(server.logs.some((l) => l.includes('srt session started') && l.includes('"keyBits":192')));
        const hls = await ffprobeStreams(server.httpUrl('/hls/slt/index.m3u8'));
        assert.ok(hls.some((s) => s.codec_name === 'h264'));
      } finally {
        counter.close();
        await relay.kill('SIGINT');
      }
    });

    test('ffmpeg refreshing its key every 256 packets (even/odd switch): every frame arrives', async () => {
      const counter = hubFrameCounter(server, 'live/rekey');
      try {
        const pub = await ffmpegSrtPublish(srtUrl(port, '#!::r=live/rekey,m=publish', { passphrase, linger: 2, kmrefreshrate: 256, kmpreannounce: 64 }));
        assert.equal(await pub.exited, 0, pub.stderr());
        await waitFor('publisher gone', () => !server.hub.stream('live/rekey')?.publisher);
        assert.deepEqual(counter.ingested(), longSource);
        const ended = JSON.parse(server.logs.find((l) => l.includes('srt session ended') && l.includes('live/rekey'))!) as { keyRefreshes: number; receive: { undecryptable: number } };
        assert.ok(ended.keyRefreshes >= 4, `key refreshes ${ended.keyRefreshes}`);
        assert.equal(ended.receive.undecryptable, 0);
      } finally {
        counter.close();
      }
    });

    test('srt-live-transmit and ffmpeg play over SRT with the server passphrase; without it they are refused', async () => {
      const pub = await ffmpegSrtPublish(srtUrl(port, '#!::r=live/enc,m=publish', { passphrase }), { loop: true });
      try {
        await waitFor('stream active', () => server.hub.stream('live/enc')?.isActive, 20_000);
        const out = tmpFile('slt-play.ts');
        const collector = await udpCollector();
        const player = run('srt-live-transmit', ['-q', srtUrl(port, '#!::r=live/enc,m=request', { passphrase }), `udp://127.0.0.1:${collector.port}`], { timeoutMs: 30_000 });
        // About 3 s of the stream (~70 video frames): well over the 25 checked.
        await waitFor('srt-live-transmit receives', () => collector.bytes().length > 250 * 1316, 20_000);
        await player.kill('SIGINT');
        collector.close();
        writeFileSync(out, collector.bytes());
        const frames = await ffprobeFrameCounts(out);
        assert.ok(frames.video >= 25, `srt-live-transmit wrote ${frames.video} video frames`);
        const probed = await ffprobeStreams(srtUrl(port, '#!::r=live/enc,m=request', { passphrase, pbkeylen: 16 }), LIVE_PROBE);
        assert.ok(probed.some((s) => s.codec_name === 'h264'));
        const refused = run('ffprobe', ['-v', 'error', srtUrl(port, '#!::r=live/enc,m=request')], { timeoutMs: 20_000 });
        assert.notEqual(await refused.exited, 0);
        await waitFor('player without passphrase refused', refusedFor(server, 'unsecure'));
      } finally {
        await pub.kill();
      }
    });
  });
});
