import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/**
 * An HTTP proxy in front of OnAir's LL-HLS that forces one timing on a player: the playlist that completes a
 * segment reaches the player just after the segment's newest part (bench/hls-part-race.ts).
 *
 * When the player asks for the newest part of the playlist it was last given, and that part's segment was still
 * in progress there, the proxy fetches the part but holds the answer until the next media playlist passes through
 * (the player's blocking reload, which OnAir answers when the next part is complete). If that playlist completes
 * the segment (lists its `#EXTINF` and URI), the part is sent and the playlist `raceDelayMs` later: the player has
 * the part of a segment that, a moment later, is complete, while it is still transmuxing that part. Otherwise the
 * part is sent and then the playlist at once. This is what happened by chance in hls.js's start stall: it asked
 * for the newest part as it caught up to the live edge, and the reload completing the segment landed 8 ms after
 * the part, before the part was transmuxed. Whether the playlist lands in that window is still timing in the
 * page (the player's transmuxer worker answers within a few ms on loopback): see the bench for how it is widened.
 *
 * For benchmarks only (holds whole parts in memory, one stream at a time).
 */
export interface RaceProxy {
  /** The proxy's base URL (`http://127.0.0.1:port`): the same paths as OnAir's HTTP server. */
  readonly url: string;
  /** Every part request the player made, in order: `{ at, msn, part }` (msn and part from the URI's last two numbers). */
  readonly partRequests: PartRequest[];
  /** Segments whose completing playlist was sent while one of their parts was held: `{ at, msn, heldPart, lastPart }`. */
  readonly races: Race[];
  close(): Promise<void>;
}

export interface PartRequest {
  at: number;
  msn: number;
  part: number;
}

export interface Race {
  at: number;
  msn: number;
  /** The part the player was loading when the segment completed. */
  heldPart: number;
  /** The segment's last part, as the completing playlist lists it. */
  lastPart: number;
}

interface Upstream {
  status: number;
  type: string;
  body: Buffer;
}

interface HeldPart {
  msn: number;
  part: number;
  send: () => void;
  timer: NodeJS.Timeout;
}

/** The open (in-progress) segment of a media playlist: its msn and the index of its newest part, if any parts. */
interface PlaylistEdge {
  /** msn of the segment the newest part belongs to, and that part's index. */
  msn: number;
  part: number;
  /** The newest part's segment has no `#EXTINF` yet. */
  open: boolean;
  /** The msns of complete segments listed, with the index of each one's last listed part. */
  lastPartOf: Map<number, number>;
}

/** "msn.part" of a part URI: its last two numbers before the extension (OnAir's `<msn>.<part>.m4s` naming). */
function partOf(uri: string): { msn: number; part: number } | undefined {
  const m = /(\d+)\D+(\d+)\.m4s$/.exec(uri.split('?')[0]!);
  return m ? { msn: Number(m[1]), part: Number(m[2]) } : undefined;
}

function edgeOf(text: string): PlaylistEdge | undefined {
  const lastPartOf = new Map<number, number>();
  let newest: { msn: number; part: number } | undefined;
  let open = false;
  let msn = -1;
  for (const line of text.split('\n')) {
    if (line.startsWith('#EXT-X-MEDIA-SEQUENCE:')) msn = Number(line.slice(22));
    else if (line.startsWith('#EXT-X-SKIP:')) msn += Number(/SKIPPED-SEGMENTS=(\d+)/.exec(line)?.[1] ?? 0);
    else if (line.startsWith('#EXT-X-PART:')) {
      const p = partOf(/URI="([^"]+)"/.exec(line)?.[1] ?? '');
      if (p) {
        newest = p;
        open = true;
      }
    } else if (line && !line.startsWith('#')) {
      // A segment URI closes the segment whose parts precede it.
      if (newest && newest.msn === msn) lastPartOf.set(msn, newest.part);
      if (newest?.msn === msn) open = false;
      msn++;
    }
  }
  return newest ? { ...newest, open, lastPartOf } : undefined;
}

export interface RaceProxyOptions {
  /** How long after the held part the completing playlist is sent (ms). */
  raceDelayMs?: number;
  /**
   * Show a completed segment as still in progress (its parts, without its `#EXTINF` and URI) until a part of the
   * next segment is listed: a server that lists a segment's last part one playlist version before the segment.
   */
  deferSegmentCompletion?: boolean;
  /**
   * With `deferSegmentCompletion`: when the answer to the player's reload shows all of the held part's segment
   * still in progress (the hint names the next segment), answer with the playlist after it instead (the one that
   * completes the segment, fetched with a blocking reload for the next segment's first part), as a player that
   * asks for its reloads one part late (a busy main thread) gets it.
   */
  lateReload?: boolean;
}

/**
 * A media playlist whose last segment is complete and followed by no part yet, with that segment's `#EXTINF` and URI
 * lines removed (so its parts read as a segment in progress); any other playlist unchanged.
 */
export function deferLastSegment(text: string): string {
  const lines = text.split('\n');
  let uri = -1;
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!;
    if (line.startsWith('#EXT-X-PART:')) return text;
    if (line && !line.startsWith('#')) {
      uri = i;
      break;
    }
  }
  if (uri < 1 || !lines[uri - 1]!.startsWith('#EXTINF:') || !lines[uri - 2]?.startsWith('#EXT-X-PART:')) return text;
  return [...lines.slice(0, uri - 1), ...lines.slice(uri + 1)].join('\n');
}

export async function startRaceProxy(upstream: string, options: RaceProxyOptions = {}): Promise<RaceProxy> {
  const raceDelayMs = options.raceDelayMs ?? 25;
  const partRequests: PartRequest[] = [];
  const races: Race[] = [];
  let edge: PlaylistEdge | undefined;
  let held: HeldPart | undefined;
  const sockets = new Set<import('node:net').Socket>();

  async function forward(req: IncomingMessage): Promise<Upstream> {
    const res = await fetch(upstream + (req.url ?? '/'), { signal: AbortSignal.timeout(15_000) });
    return { status: res.status, type: res.headers.get('content-type') ?? 'application/octet-stream', body: Buffer.from(await res.arrayBuffer()) };
  }

  function answer(res: ServerResponse, r: Upstream): void {
    if (res.destroyed) return;
    res.writeHead(r.status, { 'content-type': r.type, 'access-control-allow-origin': '*', 'cache-control': 'no-store' }).end(r.body);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0]!;
    const part = path.endsWith('.m4s') ? partOf(path) : undefined;
    if (part) partRequests.push({ at: Date.now(), ...part });
    const atEdge = part && edge?.open && edge.msn === part.msn && edge.part === part.part && !held;
    const r = await forward(req);
    if (atEdge && part && r.status === 200) {
      const send = (): void => answer(res, r);
      held = { ...part, send, timer: setTimeout(() => release(), 1500) };
      return;
    }
    if (path.endsWith('.m3u8') && r.status === 200) {
      let text = r.body.toString('utf8');
      if (options.deferSegmentCompletion && text.includes('#EXT-X-PART:')) {
        text = deferLastSegment(text);
        const hinted = partOf(/#EXT-X-PRELOAD-HINT:TYPE=PART,URI="([^"]+)"/.exec(text)?.[1] ?? '');
        if (options.lateReload && held && hinted && hinted.msn === held.msn + 1 && hinted.part === 0) {
          const query = new URLSearchParams((req.url ?? '').split('?')[1] ?? '');
          query.set('_HLS_msn', String(hinted.msn));
          query.set('_HLS_part', '0');
          const later = await fetch(`${upstream}${path}?${query.toString()}`, { signal: AbortSignal.timeout(15_000) });
          if (later.ok) text = deferLastSegment(await later.text());
        }
        r.body = Buffer.from(text);
      }
      const next = edgeOf(text);
      if (next && text.includes('#EXT-X-PART:')) {
        edge = next;
        const h = held;
        const lastPart = h ? next.lastPartOf.get(h.msn) : undefined;
        if (h && lastPart !== undefined) {
          // The segment of the held part is complete in this playlist: the playlist first, the part after it.
          races.push({ at: Date.now(), msn: h.msn, heldPart: h.part, lastPart });
          held = undefined;
          clearTimeout(h.timer);
          h.send();
          setTimeout(() => answer(res, r), raceDelayMs);
          return;
        }
        release();
      }
    }
    answer(res, r);
  }

  function release(): void {
    const h = held;
    held = undefined;
    if (!h) return;
    clearTimeout(h.timer);
    h.send();
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(502, { 'access-control-allow-origin': '*' });
      res.end();
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    partRequests,
    races,
    async close() {
      release();
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
