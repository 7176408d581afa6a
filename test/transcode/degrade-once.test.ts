import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, waitFor, type Proc } from '../support/proc.js';
import { irregularGopClip } from '../support/irregular-clip.js';
import { startTranscodeServer, type TranscodeServer } from '../support/transcode-harness.js';

/**
 * An encoder slower than real time loses one rung per slowness verdict, not its whole ladder. The transcoder is a
 * stand-in that reads its input and reports `-progress` at half real time (a real ffmpeg on a machine too busy for
 * it), and ignores SIGTERM, so the run being stopped after a rung is dropped goes on reporting its old slowness until
 * the SIGKILL, as a real ffmpeg flushing its encoders does. On a loaded CI machine a real ffmpeg was seen dropping
 * 480p and then 360p 0.4 s apart, from reports of the same run, and giving up to passthrough.
 * Nothing is encoded: this file runs with the other integration files, two at a time.
 */
let dir: string;
let server: TranscodeServer;
let publisher: Proc | undefined;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'onair-slow-encoder-'));
  const fake = join(dir, 'ffmpeg');
  // Reports stop with it: a write to a closed stdout kills the shell (SIGPIPE) if the server is gone.
  writeFileSync(fake, `#!/bin/sh
for a in "$@"; do [ "$a" = "-version" ] && exec ffmpeg "$@"; done
trap '' TERM
cat > /dev/null &
t=0
while :; do
  t=$((t + 100000))
  printf 'out_time_us=%s\\nprogress=continue\\n' $t
  sleep 0.2
done
`);
  chmodSync(fake, 0o755);
  server = await startTranscodeServer({ flags: { 'ffmpeg-path': fake } });
});

after(async () => {
  await publisher?.kill('SIGKILL');
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('a transcoder too slow for its ladder drops one rung and restarts with the rest (not every rung at once)', async () => {
  const stream = await server.createStream({ ladder: 'default' });
  const path = `live/${stream.playbackId}`;
  publisher = run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-re', '-stream_loop', '-1', '-i', await irregularGopClip(), '-c', 'copy', '-f', 'flv', server.rtmpUrl(stream.streamKey)], { timeoutMs: 180_000 });
  const first = await waitFor('the transcoder started', () => server.transcode.pidOf(path), 30_000, 50);
  assert.deepEqual(server.transcode.status(path)?.droppedRungs, []);
  // The speed verdict needs a warm-up and a full window (limits.ts: 5 s + 10 s) of reports.
  await waitFor('a rung dropped for speed', () => (server.transcode.status(path)?.droppedRungs.length ?? 0) > 0, 90_000, 50);
  // The stopped run reports for 4 s more (stdin EOF grace, then SIGTERM ignored, then SIGKILL); then the next run
  // starts with the rungs left, or, if each of those reports was judged again, the stream has given up.
  await waitFor('a restart with the remaining rungs, or passthrough', () => {
    const pid = server.transcode.pidOf(path);
    return (pid !== undefined && pid !== first) || server.transcode.status(path)?.state === 'passthrough';
  }, 60_000, 50);
  const status = server.transcode.status(path)!;
  assert.deepEqual(status.droppedRungs, ['480p'], JSON.stringify(status));
  assert.notEqual(status.state, 'passthrough');
  assert.equal(status.reason, 'too_slow');
  assert.equal(server.transcode.renditionPending(path, '360p'), true, 'the lowest rung is still encoded');
});
