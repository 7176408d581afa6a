import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../../support/onair.js';
import { ffmpegPublish, ffmpegRecord, ffprobeFrameCounts } from '../support/clients.js';
import { tmpFile } from '../support/media.js';
import { startTestPostgres } from '../support/postgres.js';
import { run, waitFor, type Proc } from '../support/proc.js';
import { serverApi, type ApiStream } from '../support/stream-api.js';

/**
 * Viewer policy is the edge's to apply: A and B share one PostgreSQL (stream keys, playback ids, the playback
 * secret), a signed API stream is published to A, and viewers on B need a playback token even though B's own
 * pull from A bypasses viewer auth with its cluster token.
 */
const SECRET = 'edge-policy-secret-0123456789abcdef';
let pg: Awaited<ReturnType<typeof startTestPostgres>>;
let a: TestServer;
let b: TestServer;
let pub: Proc;
let stream: ApiStream;

before(async () => {
  pg = await startTestPostgres();
  a = await startTestServer({ auth: 'keys', 'database-url': pg.url, 'cluster-secret': SECRET });
  b = await startTestServer({ auth: 'keys', 'database-url': pg.url, 'cluster-secret': SECRET, 'edge-origin': `rtmp://127.0.0.1:${a.ports.rtmp}`, 'edge-start-timeout-ms': 4000 });
  stream = await serverApi(a, 'POST', '/streams', { settings: { playbackPolicy: 'signed' } });
  pub = await ffmpegPublish(a.rtmpUrl(stream.streamKey));
  await waitFor('live on A', () => a.hub.stream(`live/${stream.playbackId}`)?.isActive, 20_000);
});
after(async () => {
  await pub?.kill('SIGKILL');
  await b?.close();
  await a?.close();
  await pg?.stop();
});

test('a signed stream pulled to an edge plays there only with a playback token', async () => {
  // B learns of the stream through the shared database (LISTEN/NOTIFY): until then its answer is "not found".
  await waitFor('B knows the stream', async () => (await fetch(b.httpUrl(`/hls/${stream.playbackId}/index.m3u8`))).status === 403, 20_000, 200);
  const refused = run('ffprobe', ['-v', 'error', '-rw_timeout', '10000000', b.rtmpUrl(stream.playbackId)], { timeoutMs: 30_000 });
  assert.notEqual(await refused.exited, 0);
  assert.ok(b.logs.every((l) => !l.includes('"edge pull starting"')), 'a refused viewer starts no pull');
  const { token } = await serverApi(b, 'POST', `/streams/${stream.id}/playback-token`, {});
  const out = tmpFile('edge-signed.flv');
  const viewer = ffmpegRecord(b.rtmpUrl(`${stream.playbackId}?token=${token}`), out, 2);
  assert.equal(await viewer.exited, 0, viewer.stderr());
  const frames = await ffprobeFrameCounts(out);
  assert.ok(frames.video >= 35, `frames ${JSON.stringify(frames)}`);
  assert.ok(b.logs.some((l) => l.includes('"edge pull live"')));
  for (const s of [a, b]) assert.ok(s.logs.every((l) => !l.includes(stream.streamKey)), 'no stream key in any log');
});
