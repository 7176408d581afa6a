/**
 * The bare-Node floor of bench/hls-viewers.ts (segments mode): a minimal node:http server, no OnAir code, that
 * serves the very bytes OnAir serves (its master, media playlist, init and 2 s segments, same paths, same sizes)
 * from memory, one Buffer per answer written with `res.end(buffer)`, keep-alive. It mirrors an upstream OnAir
 * (running on the load core, not measured): the media playlist is polled every MIRROR_POLL_MS and each new object
 * fetched once; a playlist is published only once every object it lists is held, so no viewer gets a 404.
 * Its CPU is Node's own cost of serving those requests: what OnAir's /hls/ front could at best get down to.
 * It has no ingest or packaging (OnAir's and nginx-rtmp's figures include theirs, a few % of a core for one stream).
 *
 *   node --import tsx bench/lib/bare-node-hls.ts --upstream 127.0.0.1:23011 --port 23021 --playlist /hls/bench/src/media.m3u8
 */
import { createServer } from 'node:http';
import { createServer as createNetServer, type Socket } from 'node:net';
import { parseArgs } from 'node:util';

/** Half a segment duration: a new segment is served at most ~0.5 s after OnAir lists it; polling costs the floor CPU too (1.4 % of a core idle at 250 ms). */
const MIRROR_POLL_MS = 500;
/** Objects no longer listed are dropped after this long (a viewer may still be fetching one just removed). */
const KEEP_UNLISTED_MS = 30_000;

const { values: args } = parseArgs({ options: { upstream: { type: 'string' }, port: { type: 'string' }, playlist: { type: 'string' }, lean: { type: 'boolean', default: false } } });
const upstream = `http://${args.upstream!}`;
const playlistPath = args.playlist!;
const master = playlistPath.slice(0, playlistPath.indexOf('/', '/hls/'.length)) + '/index.m3u8';
const dir = playlistPath.slice(0, playlistPath.lastIndexOf('/') + 1);

interface Held {
  readonly body: Buffer;
  /** --lean: status line and headers rendered once per object. */
  readonly head: Buffer;
  readonly type: string;
  readonly cacheControl: string;
  lastListedAt: number;
}
const held = new Map<string, Held>();

const typeOf = (path: string): string => (path.endsWith('.m3u8') ? 'application/vnd.apple.mpegurl' : path.endsWith('.mp4') || path.endsWith('.m4s') ? 'video/mp4' : 'video/mp2t');
const resolveUri = (uri: string): string => (uri.startsWith('/') ? uri : uri.startsWith('http') ? new URL(uri).pathname : dir + uri);

async function fetchBody(path: string): Promise<Buffer | undefined> {
  const res = await fetch(upstream + path).catch(() => undefined);
  return res?.ok ? Buffer.from(await res.arrayBuffer()) : undefined;
}

function hold(path: string, body: Buffer, cacheControl: string): void {
  const type = typeOf(path);
  const head = Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: ${type}\r\nContent-Length: ${body.length}\r\nCache-Control: ${cacheControl}\r\nAccess-Control-Allow-Origin: *\r\nConnection: keep-alive\r\nKeep-Alive: timeout=65\r\n\r\n`, 'latin1');
  held.set(path, { body, head, type, cacheControl, lastListedAt: Date.now() });
}

/** One mirror round: fetch what the upstream playlist lists and is not held yet, then publish the playlist. */
async function mirror(): Promise<void> {
  const text = await fetchBody(playlistPath);
  if (!text) return;
  const now = Date.now();
  const uris = text.toString('latin1').split('\n').flatMap((line) => {
    if (line.startsWith('#EXT-X-MAP:')) return [/URI="([^"]+)"/.exec(line)?.[1] ?? ''];
    return line && !line.startsWith('#') ? [line.trim()] : [];
  }).filter(Boolean).map(resolveUri);
  for (const path of uris) {
    const h = held.get(path);
    if (h) {
      h.lastListedAt = now;
      continue;
    }
    const body = await fetchBody(path);
    if (!body) return; // not published until every object is held
    hold(path, body, 'public, max-age=31536000, immutable');
  }
  hold(playlistPath, text, 'public, max-age=1');
  if (!held.has(master)) {
    const m = await fetchBody(master);
    if (m) hold(master, m, 'public, max-age=1');
  }
  for (const [path, h] of held) if (now - h.lastListedAt > KEEP_UNLISTED_MS) held.delete(path);
}

async function mirrorForever(): Promise<void> {
  for (;;) {
    await mirror().catch(() => undefined);
    await new Promise((r) => setTimeout(r, MIRROR_POLL_MS));
  }
}

const NOT_FOUND = Buffer.from('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nCache-Control: no-store\r\n\r\n', 'latin1');
const CRLFCRLF = Buffer.from('\r\n\r\n');
/** --lean: HTTP/1.1 GET/HEAD by hand over net (prototype of how low a server below node:http could go). */
function leanConnection(socket: Socket): void {
  let pending: Buffer | undefined;
  socket.setNoDelay(true);
  socket.on('error', () => socket.destroy());
  socket.on('data', (data: Buffer) => {
    let buf = pending ? Buffer.concat([pending, data]) : data;
    pending = undefined;
    for (;;) {
      const end = buf.indexOf(CRLFCRLF);
      if (end < 0) {
        if (buf.length > 16384) return void socket.destroy();
        pending = buf.length ? buf : undefined;
        return;
      }
      const lineEnd = buf.indexOf(13);
      const line = buf.toString('latin1', 0, lineEnd);
      const sp1 = line.indexOf(' ');
      const sp2 = line.indexOf(' ', sp1 + 1);
      const method = line.slice(0, sp1);
      const h = held.get(line.slice(sp1 + 1, sp2));
      socket.cork();
      if (!h) socket.write(NOT_FOUND);
      else {
        socket.write(h.head);
        if (method !== 'HEAD') socket.write(h.body);
      }
      socket.uncork();
      buf = buf.subarray(end + 4);
      if (buf.length === 0) return;
    }
  });
}

const server = args.lean ? createNetServer(leanConnection) : createServer((req, res) => {
  const h = held.get(req.url!);
  if (!h) {
    res.writeHead(404, { 'Content-Length': 0, 'Cache-Control': 'no-store' });
    res.end();
    return;
  }
  res.writeHead(200, { 'Content-Type': h.type, 'Content-Length': h.body.length, 'Cache-Control': h.cacheControl, 'Access-Control-Allow-Origin': '*' });
  res.end(req.method === 'HEAD' ? undefined : h.body);
});
if (!args.lean) (server as ReturnType<typeof createServer>).keepAliveTimeout = 65_000;
server.listen(Number(args.port), '127.0.0.1');
void mirrorForever();
// An orderly exit on the bench's SIGTERM, so `BENCH_NODE_ARGS="--cpu-prof ..."` writes this server's profile too.
process.on('SIGTERM', () => process.exit(0));
