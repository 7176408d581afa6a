import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mintPlaybackToken } from '../../src/services/auth/playback-token.js';
import { type TestServer } from '../../support/onair.js';
import { startSrtTestServer } from '../../support/srt-hub.js';
import { ffmpegPublish } from '../support/clients.js';
import { playingBeforeExpiry, viewersOf } from '../support/playback-viewers.js';
import { run, waitFor, type Proc } from '../support/proc.js';
import { srtUrl } from '../support/srt-clients.js';

/**
 * SRT players (m=request) are decided from the in-memory playback directory like every player, and watched
 * like RTMP and HTTP-FLV players: closed when their playback token expires or when their stream is disabled,
 * deleted or switched to signed, while a player whose authorisation still holds plays on.
 */
const SECRET = 'srt-play-watch-test-secret';
let server: TestServer;
let port: number;
const procs: Proc[] = [];
const track = (p: Proc): Proc => (procs.push(p), p);

before(async () => {
  server = await startSrtTestServer({ auth: 'keys', 'playback-secret': SECRET, 'log-level': 'info' });
  port = server.ports.srt!;
});
after(async () => {
  await Promise.all(procs.map((p) => p.kill('SIGKILL')));
  await server.close();
});

/** An API stream with an RTMP publisher looping the reference clip, live. */
async function liveStream(settings: Record<string, unknown> = {}): Promise<{ id: string; playbackId: string }> {
  const s = await server.streams.create({ settings });
  track(await ffmpegPublish(server.rtmpUrl(s.streamKey)));
  await waitFor('stream live', () => server.hub.stream(`live/${s.playbackId}`)?.isActive, 20_000);
  return s;
}

/** ffmpeg playing OnAir's SRT output into nothing until the session ends (or 120 s). */
function srtViewer(resource: string): Proc {
  return track(run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-i', srtUrl(port, `#!::r=${resource},m=request`), '-c', 'copy', '-f', 'null', '-'], { timeoutMs: 120_000 }));
}

/** Whether ffprobe can open an SRT play resource (false when OnAir refuses the caller). */
async function srtOpens(resource: string): Promise<boolean> {
  const p = run('ffprobe', ['-hide_banner', '-v', 'error', '-show_streams', '-of', 'json', srtUrl(port, `#!::r=${resource},m=request`)], { timeoutMs: 30_000 });
  return (await p.exited) === 0;
}

describe('SRT players and the playback directory', () => {
  test('a signed stream plays over SRT with ?token= in the stream id; a player closes at its token expiry, one with a later token plays on', async (t) => {
    const s = await liveStream({ playbackPolicy: 'signed' });
    assert.equal(await srtOpens(`live/${s.playbackId}`), false, 'no token: refused');
    const { exp, viewers: { expiring, stays } } = await playingBeforeExpiry(t, [6, 25], {
      start: (expiry) => ({
        expiring: srtViewer(`live/${s.playbackId}?token=${mintPlaybackToken(SECRET, s.playbackId, expiry)}`),
        stays: srtViewer(`live/${s.playbackId}?token=${mintPlaybackToken(SECRET, s.playbackId, expiry + 3600)}`),
      }),
      playing: () => viewersOf(server, s.playbackId, 'srt') === 2,
      stop: async (v) => {
        await Promise.all([v.expiring.kill('SIGKILL'), v.stays.kill('SIGKILL')]);
        await waitFor('the slow start\'s players gone', () => viewersOf(server, s.playbackId, 'srt') === 0, 20_000);
      },
    });
    await waitFor('one SRT player left', () => viewersOf(server, s.playbackId, 'srt') === 1, 30_000);
    const closedAt = Date.now();
    assert.ok(closedAt >= exp * 1000, `closed ${exp * 1000 - closedAt} ms before the expiry`);
    await expiring.exited;
    assert.ok(server.logs.some((l) => l.includes('play no longer authorised') && l.includes('"protocol":"srt"')), 'the watch closed it');
    assert.equal(stays.child.exitCode, null, 'the player with the later token plays on');
    t.diagnostic(`SRT player closed ${closedAt - exp * 1000} ms after exp (server side)`);
  });

  for (const [name, change] of Object.entries({
    disable: (id: string) => server.streams.disable(id),
    'policy to signed': (id: string) => server.streams.update(id, { settings: { playbackPolicy: 'signed' } }),
    delete: (id: string) => server.streams.delete(id),
  })) {
    test(`${name}: a connected SRT player is closed and a new one refused`, async () => {
      const s = await liveStream();
      const viewer = srtViewer(`live/${s.playbackId}`);
      await waitFor('SRT player', () => viewersOf(server, s.playbackId, 'srt') === 1, 20_000);
      await change(s.id);
      await waitFor('SRT player closed', () => viewersOf(server, s.playbackId, 'srt') === 0, 20_000);
      await viewer.exited;
      assert.equal(await srtOpens(`live/${s.playbackId}`), false, 'a new SRT player');
    });
  }
});
