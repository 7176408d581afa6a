/**
 * The load side of the RTMP fan-out benchmark, run as its own process (pinned to another core than the
 * server): one real-time publisher reading the reference clip, and N players reading eagerly with OnAir's
 * RTMP client. Driven over IPC by bench/rtmp-fanout.ts; never asserts, only measures.
 */
import { readFileSync } from 'node:fs';
import { FlvReader, type FlvTag } from '../../src/formats/flv/index.js';
import { MessageType } from '../../src/protocols/rtmp/index.js';
import { RtmpClient } from '../../src/servers/rtmp/rtmp-client.js';
import { sendToParent, serveCommands } from './ipc-load-process.js';

type Command =
  | { type: 'publish'; url: string; clip: string }
  | { type: 'players'; url: string; count: number; probes: number }
  | { type: 'window-start' }
  | { type: 'window-end' }
  | { type: 'stop' };

interface Player {
  /** Undefined when it never connected. */
  client: RtmpClient | undefined;
  bytes: number;
  windowStart: number;
  firstFrameMs: number | undefined;
  probe: boolean;
}

const players: Player[] = [];
const ttff: number[] = [];
const sentAt = new Map<string, number>();
const latencies: number[] = [];
let publisher: RtmpClient | undefined;
let publishedBytes = 0;
let publishedAtWindow = 0;
let windowT0 = 0;
let pacer: NodeJS.Timeout | undefined;
let connectFailures = 0;
/** A connect whose socket a starved server closed mid-handshake may never settle: such a player is given up. */
const PLAYER_START_TIMEOUT_MS = 30_000;

/** Identifies a video payload across the relay (timestamps are rebased by servers; bytes are not). */
function frameKey(payload: Buffer): string {
  const n = payload.length;
  return `${n}:${payload.readUInt32BE(Math.max(0, n - 4))}:${payload.readUInt32BE(Math.min(n - 4, 9))}`;
}

async function publish(url: string, clip: string): Promise<void> {
  const { tags } = new FlvReader().push(readFileSync(clip));
  const media = tags.filter((t) => t.typeId === 8 || t.typeId === 9);
  const script = tags.find((t) => t.typeId === 18);
  const duration = media[media.length - 1]!.timestamp + 33;
  publisher = await RtmpClient.connect(url, {}, { digest: true });
  const streamId = await publisher.publish();
  const session = publisher.session;
  if (script) session.sendMedia(streamId, MessageType.DATA_AMF0, 0, Buffer.concat([Buffer.from([0x02, 0x00, 0x0d]), Buffer.from('@setDataFrame'), script.body]));
  const configs = media.filter((t) => isConfig(t));
  const t0 = Date.now();
  let i = 0;
  let loop = 0;
  const sendTag = (t: FlvTag, ts: number) => {
    if (t.typeId === 9) sentAt.set(frameKey(t.body), Date.now());
    publishedBytes += t.body.length;
    session.sendMedia(streamId, t.typeId, ts, t.body);
  };
  for (const c of configs) sendTag(c, 0);
  pacer = setInterval(() => {
    const elapsed = Date.now() - t0;
    for (;;) {
      const t = media[i]!;
      const ts = t.timestamp + loop * duration;
      if (ts > elapsed) break;
      if (!(loop > 0 && isConfig(t))) sendTag(t, ts);
      if (++i === media.length) {
        i = 0;
        loop++;
        sentAt.clear(); // the same frames repeat each loop; only the current loop's send times are valid
      }
    }
  }, 5);
}

function isConfig(t: FlvTag): boolean {
  return (t.typeId === 9 && (t.body[0]! & 0x0f) === 7 && t.body[1] === 0) || (t.typeId === 8 && t.body[0]! >> 4 === 10 && t.body[1] === 0);
}

async function addPlayers(url: string, count: number, probes: number): Promise<void> {
  const batch = 25;
  for (let start = 0; start < count; start += batch) {
    await Promise.all(Array.from({ length: Math.min(batch, count - start) }, async (_, k) => {
      const t0 = Date.now();
      const p: Player = { client: undefined, bytes: 0, windowStart: 0, firstFrameMs: undefined, probe: start + k < probes };
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no play start within ${PLAYER_START_TIMEOUT_MS} ms`)), PLAYER_START_TIMEOUT_MS);
      });
      const startPlayer = async (): Promise<void> => {
        p.client = await RtmpClient.connect(url, {
          onMessage: (m) => {
            p.bytes += m.payload.length;
            if (m.typeId !== MessageType.VIDEO) return;
            if (p.firstFrameMs === undefined) {
              p.firstFrameMs = Date.now() - t0;
              ttff.push(p.firstFrameMs);
            }
            if (p.probe) {
              const at = sentAt.get(frameKey(m.payload));
              if (at !== undefined) latencies.push(Date.now() - at);
            }
          },
        }, { digest: false });
        await p.client.play();
      };
      try {
        const started = startPlayer();
        started.catch(() => {}); // it may still fail after the timeout won
        await Promise.race([started, timedOut]);
      } catch (err) {
        // A starved server may reset a connection while hundreds arrive: that player receives nothing and counts
        // as not keeping up, instead of ending the whole run.
        connectFailures++;
        if (connectFailures === 1) console.error(`player connect failed: ${String(err)}`);
      } finally {
        clearTimeout(timer);
      }
      players.push(p);
    }));
  }
  if (connectFailures > 0) console.error(`${connectFailures} of ${count} players failed to connect (counted as not keeping up)`);
  sendToParent({ type: 'players-ready', count: players.length });
}

function pct(sorted: number[], q: number): number | null {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! : null;
}

serveCommands<Command>(async (cmd) => {
  switch (cmd.type) {
    case 'publish':
      await publish(cmd.url, cmd.clip);
      sendToParent({ type: 'published' });
      break;
    case 'players':
      await addPlayers(cmd.url, cmd.count, cmd.probes);
      break;
    case 'window-start':
      windowT0 = Date.now();
      publishedAtWindow = publishedBytes;
      latencies.length = 0;
      for (const p of players) p.windowStart = p.bytes;
      sendToParent({ type: 'window-started' });
      break;
    case 'window-end': {
      const lat = [...latencies].sort((a, b) => a - b);
      sendToParent({
        type: 'window', seconds: (Date.now() - windowT0) / 1000, published: publishedBytes - publishedAtWindow,
        received: players.map((p) => p.bytes - p.windowStart),
        ttffMs: [...ttff].sort((a, b) => a - b),
        latencyMs: { p50: pct(lat, 0.5), p95: pct(lat, 0.95), max: lat.length ? lat[lat.length - 1] : null, samples: lat.length },
      });
      break;
    }
  }
}, () => {
  clearInterval(pacer);
  for (const p of players) p.client?.destroy();
  publisher?.destroy();
});
