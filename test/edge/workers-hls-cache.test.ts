import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ffmpegPublish, ffmpegRecord, ffprobeFrameCounts } from '../support/clients.js';
import { tmpFile } from '../support/media.js';
import { startTestPostgres } from '../support/postgres.js';
import { run, waitFor, type Proc } from '../support/proc.js';
import { rawGet, type RawAnswer } from '../support/raw-http.js';
import { jsonLogLines, ownerAndOtherWorker } from '../support/json-log.js';

/**
 * `--workers 2`: HLS of a stream owned by one worker, asked of the other (on its own loopback port, so every request
 * lands on the worker that does not own the stream), is answered from that worker's copy of the owner's answers:
 * many viewers of one object cost the owner one request, blocking reloads answer with the part asked for, and each
 * viewer is still authorised by the worker it reached (a signed stream's cached media is refused without a token), and
 * a stream that moves to the other worker is answered with the new owner's numbering.
 * What the owner is asked is read from its own metrics: its lean front's internal requests and its HLS answers by kind.
 */
const API_TOKEN = 'workers-cache-token-0123456789';
let pg: Awaited<ReturnType<typeof startTestPostgres>>;
let server: Proc;
let pub: Proc | undefined;
let stream: { id: string; playbackId: string; streamKey: string };
let token = '';
/** Internal HTTP ports: of the worker owning the stream, of the other. */
let ownerPort = 0;
let otherPort = 0;
let httpBase = '';
const dataDir = mkdtempSync(join(tmpdir(), 'onair-workers-cache-'));

type LogLine = { msg?: string; worker?: number; rtmp?: string; http?: string; internal?: { http: number } };
const lines = (): LogLine[] => jsonLogLines<LogLine>(server.stdout());

async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${httpBase}/api/v1${path}`, {
    method, headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}),
  });
  const text = await res.text();
  assert.ok(res.status < 300, `${method} ${path}: ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

before(async () => {
  pg = await startTestPostgres();
  server = run(process.execPath, ['--import', 'tsx', 'src/main.ts', '--workers', '2', '--database-url', pg.url, '--host', '127.0.0.1',
    '--rtmp-port', '0', '--http-port', '0', '--srt-port', '0', '--auth', 'keys', '--log-level', 'info', '--data-dir', dataDir,
    '--api-token', API_TOKEN, '--hls-segment-ms', '500'], { timeoutMs: 240_000 });
  const running = await waitFor('the primary running', () => lines().find((l) => l.msg?.startsWith('OnAir is running') && l.rtmp), 120_000, 200);
  httpBase = running.http!.replace(/\/$/, '');
  stream = await api('POST', '/streams', { settings: { playbackPolicy: 'signed' } });
  ({ token } = await api<{ token: string }>('POST', `/streams/${stream.id}/playback-token`));
  pub = await ffmpegPublish(`${running.rtmp!.replace(/\/live$/, '')}/live/${stream.streamKey}`);
  const started = await waitFor('the publish', () => lines().find((l) => l.msg === 'publish started'), 30_000, 100);
  const workers = ownerAndOtherWorker(lines(), started.worker);
  ownerPort = workers.owner?.internal?.http ?? 0;
  otherPort = workers.other?.internal?.http ?? 0;
  assert.ok(ownerPort && otherPort, 'both workers\' internal ports logged');
  // The other worker learns of the signed stream from the shared database.
  await waitFor('the other worker serving the stream', async () => (await get(otherPort, `${hls('src/media.m3u8')}`)).status === 200, 30_000, 250);
});
after(async () => {
  await pub?.kill('SIGKILL');
  await server?.kill('SIGTERM');
  await pg?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** `/hls/<playbackId>/<tail>` with the viewer's token (`withToken` false: none). */
function hls(tail: string, withToken = true, query = ''): string {
  const q = [query, withToken ? `token=${encodeURIComponent(token)}` : ''].filter(Boolean).join('&');
  return `/hls/${stream.playbackId}/${tail}${q ? `?${q}` : ''}`;
}

/** One request on a connection of its own (HTTP/1.1, keep-alive, as players send them). */
const get = (port: number, path: string, extra = '', method = 'GET'): Promise<RawAnswer> => rawGet(port, path, extra, method);

const many = <T>(n: number, f: () => Promise<T>): Promise<T[]> => Promise.all(Array.from({ length: n }, f));

/** What a worker answered: its lean front's internal requests, and its HLS answers by kind (all statuses). */
async function counts(port: number): Promise<{ internal: number; kinds: Record<string, number> }> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const internal = Number(/^onair_http_lean_requests_total\{listener="internal"\} (\d+)$/m.exec(text)?.[1] ?? NaN);
  const kinds: Record<string, number> = {};
  for (const m of text.matchAll(/^onair_hls_request_duration_seconds_count\{([^}]*)\} (\d+)$/gm)) {
    const kind = /kind="([^"]+)"/.exec(m[1]!)?.[1] ?? '';
    kinds[kind] = (kinds[kind] ?? 0) + Number(m[2]);
  }
  return { internal, kinds };
}

function delta(a: Record<string, number>, b: Record<string, number>, kind: string): number {
  return (b[kind] ?? 0) - (a[kind] ?? 0);
}

describe('--workers 2: HLS from the other worker\'s copy', () => {
  test('N concurrent viewers of one object on the non-owning worker: one request at the owner, the owner\'s bytes, HEAD and Range', async () => {
    const playlist = (await get(otherPort, hls('src/media.m3u8'))).body.toString();
    const init = /#EXT-X-MAP:URI="([^"?]+)/.exec(playlist)?.[1];
    const segments = [...playlist.matchAll(/^(seg-[a-z0-9]+-\d+\.m4s)\?token=/gm)].map((m) => m[1]!);
    assert.ok(init && segments.length >= 2, `an init and segments, with the viewer's token on their URIs:\n${playlist}`);
    // The newest segment: nobody asked for it yet.
    const segment = segments[segments.length - 1]!;
    const before = await counts(ownerPort);
    const answers = await many(20, () => get(otherPort, hls(`src/${segment}`)));
    const heads = await many(10, () => get(otherPort, hls(`src/${segment}`), '', 'HEAD'));
    const ranges = await many(10, () => get(otherPort, hls(`src/${segment}`), 'Range: bytes=10-99\r\n'));
    const inits = await many(20, () => get(otherPort, hls(`src/${init}`)));
    const after = await counts(ownerPort);
    const own = await get(ownerPort, hls(`src/${segment}`));
    assert.equal(own.status, 200);
    for (const a of answers) {
      assert.equal(a.status, 200, a.headers);
      assert.ok(a.body.equals(own.body), 'the owner\'s bytes');
    }
    for (const h of heads) {
      assert.equal(h.status, 200, h.headers);
      assert.match(h.headers, new RegExp(`\\r\\ncontent-length: ${own.body.length}\\r\\n`, 'i'));
    }
    for (const r of ranges) {
      assert.equal(r.status, 206, r.headers);
      assert.match(r.headers, new RegExp(`\\r\\ncontent-range: bytes 10-99/${own.body.length}\\r\\n`, 'i'));
      assert.ok(r.body.equals(own.body.subarray(10, 100)));
    }
    for (const i of inits) assert.equal(i.status, 200, i.headers);
    // 60 viewer requests for two objects: the owner answered each object once (the init may have been asked before).
    assert.equal(delta(before.kinds, after.kinds, 'segment'), 1, `segment requests at the owner: ${JSON.stringify([before, after])}`);
    assert.ok(delta(before.kinds, after.kinds, 'init') <= 1, `init requests at the owner: ${JSON.stringify([before, after])}`);
    assert.ok(after.internal - before.internal <= 2, `requests on the owner's internal port: ${before.internal} -> ${after.internal}`);
  });

  test('blocking reloads and the held preload-hint part through the non-owning worker: the part asked for, one request at the owner', async () => {
    const playlist = (await get(otherPort, hls('src/media.m3u8'))).body.toString();
    const segments = [...playlist.matchAll(/^seg-([a-z0-9]+)-(\d+)\.m4s/gm)];
    const [, inst, last] = segments[segments.length - 1]!;
    const ahead = Number(last) + 2;
    const before = await counts(ownerPort);
    const reloads = await many(10, () => get(otherPort, hls('src/media.m3u8', true, `_HLS_msn=${ahead}&_HLS_part=1`)));
    const mid = await counts(ownerPort);
    const texts = reloads.map((r) => r.body.toString());
    for (const r of reloads) assert.equal(r.status, 200, r.headers);
    for (const t of texts) {
      assert.ok(t.includes(`part-${inst}-${ahead}-1.m4s?token=`), `the awaited part listed:\n${t}`);
      assert.equal(t, texts[0], 'one answer shared');
    }
    assert.equal(delta(before.kinds, mid.kinds, 'playlist_blocking'), 1, `blocking reloads at the owner: ${JSON.stringify([before, mid])}`);
    // The part after it, hinted and not out yet: held at the owner until complete, once for every viewer.
    const hint = /#EXT-X-PRELOAD-HINT:TYPE=PART,URI="([^"?]+)/.exec(texts[0]!)?.[1];
    assert.ok(hint, `a preload hint:\n${texts[0]}`);
    const parts = await many(10, () => get(otherPort, hls(`src/${hint}`)));
    const end = await counts(ownerPort);
    const own = await get(ownerPort, hls(`src/${hint}`));
    for (const p of parts) {
      assert.equal(p.status, 200, p.headers);
      assert.ok(p.body.length > 0 && p.body.equals(own.body), 'the owner\'s part');
    }
    assert.equal(delta(mid.kinds, end.kinds, 'part'), 1, `part requests at the owner: ${JSON.stringify([mid, end])}`);
  });

  test('ffmpeg players on the non-owning worker: six cost the owner about what one does', async () => {
    const url = `http://127.0.0.1:${otherPort}${hls('index.m3u8')}`;
    const media = (c: { kinds: Record<string, number> }): number => (c.kinds.segment ?? 0) + (c.kinds.part ?? 0) + (c.kinds.init ?? 0);
    const watch = async (players: number): Promise<number> => {
      const before = await counts(ownerPort);
      const frames = await Promise.all(Array.from({ length: players }, async () => {
        const out = tmpFile('workers-cache.flv');
        const p = ffmpegRecord(url, out, 3);
        assert.equal(await p.exited, 0, p.stderr());
        return ffprobeFrameCounts(out);
      }));
      for (const f of frames) assert.ok(f.video >= 50, `frames ${JSON.stringify(f)}`);
      return media(await counts(ownerPort)) - media(before);
    };
    const one = await watch(1);
    const six = await watch(6);
    assert.ok(one > 0, 'the owner was asked for media');
    // Without the copy every player's request reaches the owner (six ~ 6x one).
    assert.ok(six <= 2 * one + 2, `media requests at the owner: one player ${one}, six players ${six}`);
  });

  test('a signed stream: a viewer without a valid token is refused on the non-owning worker, although the object is cached there', async () => {
    const playlist = (await get(otherPort, hls('src/media.m3u8'))).body.toString();
    const segment = /^(seg-[a-z0-9]+-\d+\.m4s)\?token=/m.exec(playlist)?.[1];
    assert.ok(segment, playlist);
    assert.equal((await get(otherPort, hls(`src/${segment}`))).status, 200, 'cached for a viewer with a token');
    for (const path of [hls(`src/${segment}`, false), hls(`src/${segment}`, false, 'token=not-a-token'), hls('src/media.m3u8', false), hls('index.m3u8', false)]) {
      for (const method of ['GET', 'HEAD']) assert.equal((await get(otherPort, path, '', method)).status, 403, `${method} ${path}`);
    }
    // Another viewer's token: its own token on every URI of the same shared playlist.
    const { token: second } = await api<{ token: string }>('POST', `/streams/${stream.id}/playback-token`);
    const theirs = (await get(otherPort, `/hls/${stream.playbackId}/src/media.m3u8?token=${encodeURIComponent(second)}`)).body.toString();
    assert.ok(theirs.includes(`?token=${encodeURIComponent(second)}`) && !theirs.includes(encodeURIComponent(token)), theirs);
  });

  test('the stream moves to the other worker: the worker that owned it answers with the new owner\'s playlist and numbering', async () => {
    const before = (await get(otherPort, hls('src/media.m3u8'))).body.toString();
    const oldInst = /^seg-([a-z0-9]+)-\d+\.m4s/m.exec(before)?.[1];
    const oldSegment = /^(seg-[a-z0-9]+-\d+\.m4s)/m.exec(before)?.[1];
    assert.ok(oldInst && oldSegment, before);
    assert.equal((await get(otherPort, hls(`src/${oldSegment}`))).status, 200, 'in the copy');
    const ownerIndex = lines().filter((l) => l.msg === 'publish started').at(-1)!.worker;
    // Published again until the publish lands on the other worker (connections are handed out round-robin).
    let moved = false;
    for (let i = 0; i < 4 && !moved; i++) {
      const starts = lines().filter((l) => l.msg === 'publish started').length;
      await pub!.kill('SIGKILL');
      pub = await ffmpegPublish(`${lines().find((l) => l.rtmp)!.rtmp!.replace(/\/live$/, '')}/live/${stream.streamKey}`);
      await waitFor('the new publish', () => lines().filter((l) => l.msg === 'publish started').length > starts, 30_000, 100);
      moved = lines().filter((l) => l.msg === 'publish started').at(-1)!.worker !== ownerIndex;
    }
    assert.ok(moved, 'a publish landed on the other worker');
    // The old owner (now asking the new one) lists the new packager's segments once the primary's answer is renewed (1 s).
    const text = await waitFor('the new owner\'s playlist through the old owner', async () => {
      const a = await get(ownerPort, hls('src/media.m3u8'));
      const t = a.body.toString();
      return a.status === 200 && /^seg-[a-z0-9]+-\d+\.m4s/m.test(t) && !t.includes(`seg-${oldInst}-`) ? t : undefined;
    }, 20_000, 200);
    const newInst = /^seg-([a-z0-9]+)-\d+\.m4s/m.exec(text)![1];
    assert.notEqual(newInst, oldInst);
    // The old owner still holds its packager (the reconnect window) but answers as the new owner does: not its name.
    assert.equal((await get(ownerPort, hls(`src/${oldSegment}`))).status, 404, 'the old numbering is not served under the new owner');
  });
});
