import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, sleep, waitFor, type Proc } from '../support/proc.js';
import { irregularGopClip } from '../support/irregular-clip.js';
import { startTranscodeServer, type TranscodeServer } from '../support/transcode-harness.js';

/**
 * An ABR rendition whose transcoder takes longer than the 10 s start window to produce its first output (a slow
 * ffmpeg start: here a wrapper that buffers its input for 35 s before it runs the real ffmpeg on all of it; at 20 s
 * a loaded machine's slow first playlist left the checks below racing ffmpeg's start). While
 * the transcoder is still starting the rung (TranscodeService.renditionPending), a request for the rendition is held
 * (bounded) and then answered 503 with Retry-After, not 404 (hls.js drops a level on a 404 playlist at once); a rung
 * the ladder does not have is 404; once ffmpeg's output comes the rendition plays.
 */
const DELAY_S = 35;
let dir: string;
let server: TranscodeServer;
let publisher: Proc | undefined;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'onair-slow-ffmpeg-'));
  const wrapper = join(dir, 'ffmpeg');
  // Discovery's `-version` probe answers at once; a transcode keeps its stdin (and output pipes) for the real ffmpeg.
  writeFileSync(wrapper, `#!/bin/sh
for a in "$@"; do [ "$a" = "-version" ] && exec ffmpeg "$@"; done
buffered="${dir}/input-$$.flv"
timeout ${DELAY_S} cat > "$buffered"
{ cat "$buffered"; cat; } | ffmpeg "$@"
`);
  chmodSync(wrapper, 0o755);
  server = await startTranscodeServer({ flags: { 'ffmpeg-path': wrapper } });
});

after(async () => {
  await publisher?.kill('SIGKILL');
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('a rendition whose transcoder is still starting past the 10 s window: 503 + Retry-After (not 404); a rung the ladder lacks: 404; then it plays', async () => {
  const stream = await server.createStream({ ladder: 'default' });
  const path = `live/${stream.playbackId}`;
  publisher = run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-re', '-stream_loop', '-1', '-i', await irregularGopClip(), '-c', 'copy', '-f', 'flv', server.rtmpUrl(stream.streamKey)], { timeoutMs: 120_000 });
  const get = (file: string): Promise<Response> => fetch(server.httpUrl(`/hls/${stream.playbackId}/${file}`));
  await waitFor('the source playlist', async () => (await get('src/media.m3u8')).status === 200, 30_000, 100);
  await waitFor('the ladder planned', () => server.transcode.renditionPending(path, '360p') === true, 10_000, 50);
  // Past the start window (the source's packager started before its first playlist answered).
  await sleep(10_500);
  const held = await get('360p/media.m3u8');
  const body = await held.text();
  assert.equal(server.transcode.renditionPending(path, '360p'), true, 'premise: the transcoder has still no output for 360p');
  assert.equal(held.status, 503, body);
  assert.equal(held.headers.get('retry-after'), '1');
  assert.equal((JSON.parse(body) as { error: { code: string } }).error.code, 'stream_not_ready');
  assert.equal((await get('999p/media.m3u8')).status, 404, 'a rung the ladder does not have');
  // ffmpeg runs: the rendition plays.
  await waitFor('the 360p rendition', async () => (await get('360p/media.m3u8')).status === 200, 60_000, 250);
});

test('a rendition whose transcoder failed (ffmpeg keeps exiting: crash_loop) is 404, not held', async () => {
  const failing = join(dir, 'ffmpeg-failing');
  writeFileSync(failing, `#!/bin/sh
for a in "$@"; do [ "$a" = "-version" ] && exec ffmpeg "$@"; done
exit 1
`);
  chmodSync(failing, 0o755);
  const bad = await startTranscodeServer({ flags: { 'ffmpeg-path': failing } });
  let p: Proc | undefined;
  try {
    const stream = await bad.createStream({ ladder: 'default' });
    const path = `live/${stream.playbackId}`;
    p = run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-re', '-stream_loop', '-1', '-i', await irregularGopClip(), '-c', 'copy', '-f', 'flv', bad.rtmpUrl(stream.streamKey)], { timeoutMs: 120_000 });
    // Restarted with backoff (1, 2, 4, 8 s): a crash loop after the fourth.
    await waitFor('the transcoder to be in a crash loop', () => bad.transcode.status(path)?.reason === 'crash_loop', 60_000, 100);
    assert.equal(bad.transcode.renditionPending(path, '360p'), false);
    const res = await fetch(bad.httpUrl(`/hls/${stream.playbackId}/360p/media.m3u8`));
    assert.equal(res.status, 404, await res.text());
  } finally {
    await p?.kill('SIGKILL');
    await bad.close();
  }
});
