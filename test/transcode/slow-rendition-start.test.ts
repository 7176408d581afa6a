import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, sleep, waitFor, type Proc } from '../support/proc.js';
import { irregularGopClip } from '../support/irregular-clip.js';
import { startTranscodeServer, type TranscodeServer } from '../support/transcode-harness.js';

/**
 * An ABR rendition whose transcoder takes longer than the 10 s start window to produce its first output (a slow
 * ffmpeg start: here a wrapper that buffers its input until the test has made its checks and releases it, then runs
 * the real ffmpeg on all of it; a fixed 20 s delay left the checks below racing ffmpeg's start on a loaded machine,
 * and the fixed 35 s that followed made the test wait out the rest of it after the checks). While
 * the transcoder is still starting the rung (TranscodeService.renditionPending), a request for the rendition is held
 * (bounded) and then answered 503 with Retry-After, not 404 (hls.js drops a level on a 404 playlist at once); a rung
 * the ladder does not have is 404; once ffmpeg's output comes the rendition plays.
 */
/**
 * The wrapper's bound, not an expectation: it holds its input until the test releases it, this long at most. Above
 * the sum of the test's own bounds before the release (source playlist, ladder, start window, the held request), so on
 * a loaded machine the wrapper never lets ffmpeg run before the checks are made.
 */
const MAX_DELAY_S = 180;
let dir: string;
let server: TranscodeServer;
let publisher: Proc | undefined;

const releaseFile = (): string => join(dir, 'release');

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'onair-slow-ffmpeg-'));
  const wrapper = join(dir, 'ffmpeg');
  // Discovery's `-version` probe answers at once; a transcode keeps its stdin (and output pipes) for the real ffmpeg.
  // Its input is read meanwhile (into a file, by a background cat on a copy of stdin in fd 9: an asynchronous command's
  // own stdin is /dev/null, and fds 3 and up are the transcode's output pipes), so the server's writes to it never back
  // up; the release file ends the wait.
  writeFileSync(wrapper, `#!/bin/sh
for a in "$@"; do [ "$a" = "-version" ] && exec ffmpeg "$@"; done
buffered="${dir}/input-$$.flv"
exec 9<&0
cat <&9 > "$buffered" &
reader=$!
i=0
while [ ! -e "${releaseFile()}" ] && [ $i -lt ${MAX_DELAY_S * 10} ]; do sleep 0.1; i=$((i + 1)); done
kill $reader
wait $reader 2>/dev/null
{ cat "$buffered"; cat <&9; } | ffmpeg "$@" 9<&-
`);
  chmodSync(wrapper, 0o755);
  server = await startTranscodeServer({ flags: { 'ffmpeg-path': wrapper } });
  // Premise: the server transcodes with the wrapper. (A busy machine once made its version probe miss a 5 s bound,
  // and the server fell back to PATH's ffmpeg, which produced 360p before the checks below.)
  const found = server.logs.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { msg?: string; ffmpeg?: string; from?: string }).find((l) => l.msg === 'ffmpeg for transcoding');
  assert.deepEqual([found?.ffmpeg, found?.from], [wrapper, 'config'], `premise: the server uses the slow wrapper (${JSON.stringify(found)})`);
});

after(async () => {
  await publisher?.kill('SIGKILL');
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * The two tests side by side: each mostly waits (on the start window and the hold; on the restart backoff of 1, 2, 4
 * and 8 s), each on its own server; only the first transcodes, once it has released its wrapper.
 */
describe('ABR renditions that are slow to start or never start', { concurrency: 2 }, () => {
  test('a rendition whose transcoder is still starting past the 10 s window: 503 + Retry-After (not 404); a rung the ladder lacks: 404; then it plays', async () => {
    const stream = await server.createStream({ ladder: 'default' });
    const path = `live/${stream.playbackId}`;
    publisher = run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-re', '-stream_loop', '-1', '-i', await irregularGopClip(), '-c', 'copy', '-f', 'flv', server.rtmpUrl(stream.streamKey)], { timeoutMs: 240_000 });
    const get = (file: string): Promise<Response> => fetch(server.httpUrl(`/hls/${stream.playbackId}/${file}`));
    await waitFor('the source playlist', async () => (await get('src/media.m3u8')).status === 200, 30_000, 100);
    await waitFor('the ladder planned', () => server.transcode.renditionPending(path, '360p') === true, 30_000, 50).catch((err: Error) => {
      throw new Error(`${err.message}: transcode status ${JSON.stringify(server.transcode.status(path))}`);
    });
    // Past the start window (the source's packager started before its first playlist answered).
    await sleep(10_500);
    const held = await get('360p/media.m3u8');
    const body = await held.text();
    assert.equal(server.transcode.renditionPending(path, '360p'), true, `premise: the transcoder has still no output for 360p (${JSON.stringify(server.transcode.status(path))})`);
    assert.equal(held.status, 503, body);
    assert.equal(held.headers.get('retry-after'), '1');
    assert.equal((JSON.parse(body) as { error: { code: string } }).error.code, 'stream_not_ready');
    assert.equal((await get('999p/media.m3u8')).status, 404, 'a rung the ladder does not have');
    // ffmpeg runs: the rendition plays.
    writeFileSync(releaseFile(), '');
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
});
