import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../../support/onair.js';
import { ffmpegPublish } from '../support/clients.js';
import { run, waitFor, type Proc } from '../support/proc.js';
import { mediaPlaylist } from '../support/hls-http.js';
import type { MediaPlaylist } from '../../src/formats/m3u8/index.js';
import { MAX_BLOCKED_REQUESTS } from '../../src/protocols/hls/limits.js';

/**
 * A rendition parks at most MAX_BLOCKED_REQUESTS blocking requests; past that a blocking reload is refused (503). A
 * burst of raw clients fills every slot with a blocking reload 2 segments ahead and leaves at once (the process that
 * holds their sockets is killed: the kernel sends each a FIN). Their slots are freed when their connections close, so
 * an honest blocking reload for the next part, sent right after, is parked and answered, long before the burst's
 * segment exists (which would have freed the slots anyway, at worst at the deadline, 3 target durations). Before,
 * the slots were held until then and every blocking reload meanwhile was refused.
 *
 * The burst's sockets live in a child process: 10 000 of them on both ends would pass this process's file limit.
 * Segments of ~6 s leave the burst parked for nearly 18 s, its deadline too.
 */
const SEGMENT_MS = 6000;

/**
 * Opens `n` connections to `port` in batches and sends `request` on each; prints "refused <count>" for each 503 and
 * "answered <status>" for anything else (the burst asks far ahead: nothing else is expected); keeps them until killed.
 */
const BURST = `
import { connect } from 'node:net';
const [port, n, request] = [Number(process.argv[1]), Number(process.argv[2]), process.argv[3]];
let refused = 0;
for (let i = 0; i < n; i += 100) {
  // Paced so the server's accept queue never overflows (a dropped handshake is retried only a second or more later).
  await new Promise((resolve) => setTimeout(resolve, 10));
  await Promise.all(Array.from({ length: Math.min(100, n - i) }, () => new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => { s.write(request); resolve(); });
    s.on('error', reject);
    s.on('data', (d) => {
      const status = d.toString().slice(9, 12);
      process.stdout.write(status === '503' ? 'refused ' + ++refused + '\\n' : 'answered ' + status + '\\n');
    });
  })));
}
setInterval(() => {}, 60_000);
`;

/** How many more than the slots the burst sends: once that many are refused, every slot holds one of the burst's. */
const EXTRA = 20;

function burst(server: TestServer, n: number, path: string): Proc {
  const port = new URL(server.httpUrl('/')).port;
  return run(process.execPath, ['--input-type=module', '-e', BURST, port, String(n), `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`], { timeoutMs: 120_000 });
}

/** The preload-hinted part: its segment's MSN and its index. */
function hintOf(p: MediaPlaylist): [number, number] {
  return /-(\d+)-(\d+)\.m4s/.exec(p.preloadHints![0]!.uri)!.slice(1).map(Number) as [number, number];
}

let lean: TestServer;
let nodeHttp: TestServer;
before(async () => {
  [lean, nodeHttp] = await Promise.all([
    startTestServer({ 'log-level': 'warn', 'hls-segment-ms': SEGMENT_MS }),
    startTestServer({ 'log-level': 'warn', 'hls-segment-ms': SEGMENT_MS, 'hls-lean-http': 'false' }),
  ]);
});
after(async () => {
  await Promise.all([lean?.close(), nodeHttp?.close()]);
});

describe('blocking-reload slots of clients that left are free at once', { concurrency: false }, () => {
  for (const [front, server] of [['lean front', () => lean], ['node:http', () => nodeHttp]] as const) {
    test(`${front}: ${MAX_BLOCKED_REQUESTS} parked blocking reloads whose clients close; the next honest one is answered, not refused`, async (t) => {
      const s = server();
      const id = front === 'lean front' ? 'slots-lean' : 'slots-node';
      const pub = await ffmpegPublish(s.rtmpUrl(id), 'av.flv');
      let flood: Proc | undefined;
      try {
        // A segment just begun: the burst's segment is then nearly 3 segments (18 s) away, the time to fill the slots.
        const open = await waitFor('a segment just begun', async () => {
          if ((await fetch(s.httpUrl(`/hls/${id}/src/media.m3u8`))).status !== 200) return undefined;
          const [msn, part] = hintOf(await mediaPlaylist(s, id));
          return part <= 3 ? msn : undefined;
        }, 60_000, 100);
        const far = open + 2; // the furthest a blocking reload may ask (rfc8216bis §6.2.5.2)
        const sentAt = Date.now();
        flood = burst(s, MAX_BLOCKED_REQUESTS + EXTRA, `/hls/${id}/src/media.m3u8?_HLS_msn=${far}`);
        await waitFor('the burst past the slots: its extra requests refused', () => flood!.stdout().includes(`refused ${EXTRA}\n`), 20_000, 50);
        const honest = async (): Promise<number> => {
          const [msn, part] = hintOf(await mediaPlaylist(s, id));
          return (await fetch(s.httpUrl(`/hls/${id}/src/media.m3u8?_HLS_msn=${msn}&_HLS_part=${part}`))).status;
        };
        assert.equal(await honest(), 503, 'every slot taken: an honest blocking reload is refused');
        const killedAt = Date.now();
        t.diagnostic(`${front}: slots full ${killedAt - sentAt} ms after the burst started`);
        await flood.kill('SIGKILL');
        const status = await waitFor('an honest blocking reload answered', async () => {
          const st = await honest();
          return st === 200 ? st : undefined;
        }, 6000, 100);
        const after = await mediaPlaylist(s, id);
        const lastComplete = after.mediaSequence + after.segments.length - 1;
        t.diagnostic(`${front}: answered ${Date.now() - killedAt} ms after the burst left; segment ${far} ${lastComplete >= far ? 'complete' : 'not complete yet'}`);
        assert.equal(status, 200);
        assert.ok(lastComplete < far, `segment ${far} is not complete yet (the burst's wait would have ended by itself): last ${lastComplete}`);
        const answers = flood.stdout().trim().split('\n');
        assert.deepEqual([answers.length, answers.filter((l) => l.startsWith('answered'))], [EXTRA, []], 'the burst: its extra requests refused, the rest parked till it left');
      } finally {
        await flood?.kill('SIGKILL');
        await pub.kill();
      }
    });
  }
});
