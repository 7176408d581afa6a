/**
 * The /hls/ front on the wire: one keep-alive HTTP/1.1 connection written and read by hand (no HTTP client in
 * between), strict framing (status line, CRLF headers, exactly Content-Length body bytes, nothing in between
 * answers), pipelined requests answered in order, HEAD, Range, 304 and errors, against a stream ffmpeg publishes.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { parseMediaPlaylist } from '../../src/formats/m3u8/index.js';
import { startTestServer, type TestServer } from '../../support/onair.js';
import { ffmpegPublish } from '../support/clients.js';
import { waitFor, type Proc } from '../support/proc.js';

interface WireResponse {
  readonly status: number;
  readonly headers: Map<string, string>;
  readonly body: Buffer;
}

/** A raw HTTP/1.1 connection: requests written as text, responses framed strictly from the byte stream. */
class RawConnection {
  private buffered = Buffer.alloc(0);
  private wake: (() => void) | undefined;
  private closed = false;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (d: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, d]);
      this.wake?.();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake?.();
    });
  }

  static open(port: number): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => resolve(new RawConnection(s)));
      s.once('error', reject);
    });
  }

  send(...requests: string[]): void {
    this.socket.write(requests.join(''));
  }

  /** The next response; `head`: the request was HEAD (headers only, whatever Content-Length says). */
  async read(head = false): Promise<WireResponse> {
    const end = await this.until(() => this.buffered.indexOf('\r\n\r\n'));
    const lines = this.buffered.subarray(0, end).toString('latin1').split('\r\n');
    const status = /^HTTP\/1\.1 (\d{3}) [^\r\n]*$/.exec(lines[0]!);
    assert.ok(status, `status line: ${JSON.stringify(lines[0])}`);
    const headers = new Map<string, string>();
    for (const line of lines.slice(1)) {
      const m = /^([A-Za-z0-9-]+): ?(.*)$/.exec(line);
      assert.ok(m, `header line: ${JSON.stringify(line)}`);
      assert.ok(!headers.has(m[1]!.toLowerCase()), `${m[1]} once`);
      headers.set(m[1]!.toLowerCase(), m[2]!);
    }
    assert.ok(!headers.has('transfer-encoding'), 'Content-Length framing, never chunked');
    const length = Number(headers.get('content-length') ?? 0);
    const code = Number(status[1]);
    const bodyLength = head || code === 304 || code === 204 ? 0 : length;
    await this.until(() => (this.buffered.length >= end + 4 + bodyLength ? 0 : -1));
    const body = Buffer.from(this.buffered.subarray(end + 4, end + 4 + bodyLength));
    this.buffered = this.buffered.subarray(end + 4 + bodyLength);
    return { status: code, headers, body };
  }

  /** Nothing more arrived after the last answer (no stray body bytes, no extra response). */
  get pending(): number {
    return this.buffered.length;
  }

  close(): void {
    this.socket.destroy();
  }

  /** Waits for `found` to see what it looks for; fails (never hangs) when the connection closes or after 20 s. */
  private async until(found: () => number): Promise<number> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const at = found();
      if (at >= 0) return at;
      assert.ok(!this.closed, 'the server closed a keep-alive connection');
      assert.ok(Date.now() < deadline, `an answer is incomplete after 20 s (${this.buffered.length} bytes buffered)`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 1000);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }
}

const get = (path: string, extra = '', method = 'GET'): string => `${method} ${path} HTTP/1.1\r\nHost: onair\r\n${extra}\r\n`;

let server: TestServer;
let pub: Proc;
let port: number;
before(async () => {
  server = await startTestServer({});
  port = Number(new URL(server.httpUrl('/')).port);
  pub = await ffmpegPublish(server.rtmpUrl('wire'), 'av.flv');
  await waitFor('a playable media playlist', async () => (await fetch(server.httpUrl('/hls/wire/src/media.m3u8'))).status === 200, 30_000, 200);
});
after(async () => {
  pub?.kill();
  await server?.close();
});

test('keep-alive connection: playlist, part, segment, HEAD, Range, 304 and errors each arrive as one well-framed HTTP/1.1 answer', async () => {
  const c = await RawConnection.open(port);
  try {
    c.send(get('/hls/wire/src/media.m3u8'));
    const pl = await c.read();
    assert.equal(pl.status, 200);
    assert.equal(pl.headers.get('content-type'), 'application/vnd.apple.mpegurl');
    assert.equal(pl.headers.get('connection'), 'keep-alive');
    assert.equal(pl.headers.get('access-control-allow-origin'), '*');
    assert.equal(pl.headers.get('vary'), 'Origin');
    assert.match(pl.headers.get('etag')!, /^"[^"]+"$/);
    assert.ok(pl.headers.get('date'), 'Date is sent');
    assert.equal(pl.body.length, Number(pl.headers.get('content-length')));
    const playlist = parseMediaPlaylist(pl.body.toString());
    const segUri = playlist.segments.find((s) => !s.gap)!.uri;
    const partUri = playlist.segments.flatMap((s) => s.parts ?? [])[0]!.uri;

    // Two requests in one write (pipelined): both answered, in order, framed by their Content-Length.
    c.send(get(`/hls/wire/src/${partUri}`), get(`/hls/wire/src/${segUri}`));
    const part = await c.read();
    const seg = await c.read();
    assert.equal(part.status, 200);
    assert.equal(part.headers.get('content-type'), 'video/mp4');
    assert.equal(part.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal(part.body.subarray(4, 8).toString('latin1'), 'moof', 'a part starts with its moof');
    assert.equal(seg.status, 200);
    assert.equal(seg.headers.get('accept-ranges'), 'bytes');
    assert.equal(seg.body.subarray(4, 8).toString('latin1'), 'moof');
    const viaFetch = Buffer.from(await (await fetch(server.httpUrl(`/hls/wire/src/${segUri}`))).arrayBuffer());
    assert.ok(seg.body.equals(viaFetch), 'the same bytes as any client gets');

    c.send(`HEAD /hls/wire/src/${segUri} HTTP/1.1\r\nHost: onair\r\n\r\n`);
    const head = await c.read(true);
    assert.equal(head.status, 200);
    assert.equal(Number(head.headers.get('content-length')), seg.body.length, 'HEAD: the length of the GET body');
    assert.equal(head.headers.get('etag'), seg.headers.get('etag'));

    c.send(get(`/hls/wire/src/${segUri}`, 'Range: bytes=10-99\r\nOrigin: https://player.example\r\n'));
    const ranged = await c.read();
    assert.equal(ranged.status, 206);
    assert.equal(ranged.headers.get('content-range'), `bytes 10-99/${seg.body.length}`);
    assert.ok(ranged.body.equals(seg.body.subarray(10, 100)));
    assert.equal(ranged.headers.get('access-control-allow-origin'), 'https://player.example');
    assert.equal(ranged.headers.get('access-control-allow-credentials'), 'true');

    c.send(get(`/hls/wire/src/${segUri}`, `If-None-Match: ${seg.headers.get('etag')}\r\n`));
    const cached = await c.read();
    assert.equal(cached.status, 304);
    assert.equal(cached.headers.get('etag'), seg.headers.get('etag'));

    c.send(get(`/hls/wire/src/${segUri}`, `Range: bytes=${seg.body.length}-\r\n`));
    const unsatisfiable = await c.read();
    assert.equal(unsatisfiable.status, 416);
    assert.equal(unsatisfiable.headers.get('content-range'), `bytes */${seg.body.length}`);

    c.send(get('/hls/nosuchstream/src/media.m3u8'));
    const missing = await c.read();
    assert.equal(missing.status, 404);
    assert.equal(missing.headers.get('cache-control'), 'no-store');
    assert.equal((JSON.parse(missing.body.toString()) as { error: { code: string } }).error.code, 'stream_not_live');

    // Still the same connection after every kind of answer, and nothing stray between answers.
    c.send(get(`/hls/wire/src/${partUri}`));
    const again = await c.read();
    assert.ok(again.body.equals(part.body), 'a part is the same bytes for every request');
    assert.equal(c.pending, 0, 'no bytes beyond the answers');
  } finally {
    c.close();
  }
});

test('a blocking reload and a held hinted part answer on the same keep-alive connection when the part exists', async () => {
  const c = await RawConnection.open(port);
  try {
    c.send(get('/hls/wire/src/media.m3u8'));
    const playlist = parseMediaPlaylist((await c.read()).body.toString());
    const hint = playlist.preloadHints!.find((h) => h.type === 'PART')!;
    const [, msn, index] = /part-[a-z0-9]+-(\d+)-(\d+)\.m4s/.exec(hint.uri)!;
    // Pipelined: the hinted part (held until produced), then a blocking reload for it.
    c.send(get(`/hls/wire/src/${hint.uri}`), get(`/hls/wire/src/media.m3u8?_HLS_msn=${msn}&_HLS_part=${index}`));
    const part = await c.read();
    assert.equal(part.status, 200, 'the hinted part is held, then sent');
    assert.equal(part.body.length, Number(part.headers.get('content-length')));
    const reload = await c.read();
    assert.equal(reload.status, 200);
    assert.ok(reload.body.toString().includes(hint.uri), 'the blocking answer lists the part it waited for');
    assert.equal(c.pending, 0);
  } finally {
    c.close();
  }
});

test('the lean HTTP/1.1 front answers byte for byte what node:http answers (media, HEAD, Range, 304, errors, CORS)', async () => {
  // A connection whose first request is not for /hls/ is Node's from then on (servers/http/lean hands it over).
  const viaNode = await RawConnection.open(port);
  const viaLean = await RawConnection.open(port);
  try {
    viaNode.send(get('/healthz'));
    assert.equal((await viaNode.read()).status, 200);
    viaLean.send(get('/hls/wire/src/media.m3u8'));
    const playlist = parseMediaPlaylist((await viaLean.read()).body.toString());
    const seg = playlist.segments.find((s) => !s.gap)!.uri;
    const part = playlist.segments.flatMap((s) => s.parts ?? [])[0]!.uri;
    const init = playlist.map!.uri;
    const segEtag = await (async () => {
      viaLean.send(get(`/hls/wire/src/${seg}`, '', 'HEAD'));
      return (await viaLean.read(true)).headers.get('etag')!;
    })();
    const asks: [string, boolean][] = [
      [get(`/hls/wire/src/${seg}`), false],
      [get(`/hls/wire/src/${part}`, 'Origin: https://player.example\r\n'), false],
      [get(`/hls/wire/src/${init}`), false],
      [get(`/hls/wire/src/${seg}`, '', 'HEAD'), true],
      [get(`/hls/wire/src/${seg}`, 'Range: bytes=100-199\r\n'), false],
      [get(`/hls/wire/src/${seg}`, 'Range: bytes=999999999-\r\n'), false],
      [get(`/hls/wire/src/${seg}`, `If-None-Match: ${segEtag}\r\n`), false],
      [get('/hls/wire/src/seg-nope-1.m4s'), false],
      [get('/hls/nobody/src/media.m3u8'), false],
      [get('/hls/wire/src/media.m3u8?_HLS_msn=x'), false],
    ];
    for (const [ask, head] of asks) {
      viaNode.send(ask);
      viaLean.send(ask);
      const a = await viaNode.read(head);
      const b = await viaLean.read(head);
      a.headers.delete('date');
      b.headers.delete('date');
      assert.equal(b.status, a.status, ask);
      assert.deepEqual([...b.headers], [...a.headers], ask);
      assert.ok(b.body.equals(a.body), ask);
    }
    assert.equal(viaLean.pending, 0);
    assert.equal(viaNode.pending, 0);
  } finally {
    viaNode.close();
    viaLean.close();
  }
});
