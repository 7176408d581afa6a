/**
 * The load side of bench/health-throughput.ts, run as its own process (pinned to another core than the servers):
 * RTMP publishers of the reference clip that send as fast as the server reads (TCP back-pressure), or at most
 * `pace` times real time. Driven over IPC; never asserts, only measures.
 *
 * The clip is serialized once per publisher with a ChunkWriter of the session's chunk size: the first loop (with the
 * decoder configurations) and one steady loop (media only, timestamps one clip length later). With delta headers
 * the chunk bytes of every later loop are identical to the steady loop's (checked at start: the loop after it is
 * serialized too and compared), so the publisher writes the same buffer again and again while the media timestamps
 * the server sees keep rising. Sending then costs this process a socket write per slice and no copy, so the load
 * generator is not the bottleneck. The first loop (30 s of media, with the sequence headers) goes out at once on
 * publish; `pace` applies from the steady loops on.
 */
import { MessageType } from '../../src/protocols/rtmp/index.js';
import { RtmpClient } from '../../src/servers/rtmp/rtmp-client.js';
import { clipTags, replayLoops, type ClipTags } from './clip-replay.js';
import { sendToParent, serveCommands } from './ipc-load-process.js';

type Command =
  | { type: 'publish'; urls: string[]; clip: string; pace: number; sliceMs: number }
  | { type: 'counters' }
  | { type: 'stop' };

/** A run of whole messages of the steady loop, ending `endMs` of media after the loop's start. */
interface Slice {
  readonly bytes: Buffer;
  readonly endMs: number;
}

interface Publisher {
  readonly client: RtmpClient;
  readonly slices: readonly Slice[];
  readonly loopMs: number;
  /** Slices of the steady loop sent so far (all loops). */
  sent: number;
  /** RTMP bytes written after publish started (the first loop included). */
  bytes: number;
  messages: number;
  waiting: boolean;
}

const publishers: Publisher[] = [];
let t0 = 0;
let pace = 0;
let closedEarly = 0;
let stopping = false;
let pumpTimer: NodeJS.Timeout | undefined;

async function publishOne(url: string, clip: ClipTags, sliceMs: number): Promise<Publisher> {
  const client = await RtmpClient.connect(url, { onClose: () => { if (!stopping) closedEarly++; } }, { digest: false });
  const streamId = await client.publish();
  const session = client.session;
  if (clip.script) session.sendMedia(streamId, MessageType.DATA_AMF0, 0, Buffer.concat([Buffer.from([0x02, 0x00, 0x0d]), Buffer.from('@setDataFrame'), clip.script.body]));
  // The session never writes media on the audio and video chunk streams itself, so the replay's writer state is the
  // one the server's reader keeps for them; its chunk size is the one the session announced.
  const { first, steady, steadyBytes } = replayLoops(clip, session.writer.chunkSize, streamId);
  const slices: Slice[] = [];
  let at = 0;
  let from = 0;
  let until = sliceMs;
  for (let i = 0; i < steady.length; i++) {
    at += steady[i]!.bytes.length;
    const last = i === steady.length - 1;
    if (last || steady[i + 1]!.ts >= until) {
      slices.push({ bytes: steadyBytes.subarray(from, at), endMs: steady[i]!.ts });
      from = at;
      while (!last && steady[i + 1]!.ts >= until) until += sliceMs;
    }
  }
  client.socket.write(first);
  return { client, slices, loopMs: clip.loopMs, sent: 0, bytes: first.length, messages: steady.length, waiting: false };
}

/** Media ms (from the publish's start) that publisher `p` has sent up to once slice `n` of the steady loops is out. */
function mediaMsAfter(p: Publisher, n: number): number {
  const loops = Math.floor(n / p.slices.length);
  return p.loopMs * (1 + loops) + p.slices[n % p.slices.length]!.endMs;
}

/** Writes slices while the socket takes them at once and the pace allows; then waits for 'drain' or the pace. */
function pump(p: Publisher): void {
  if (p.waiting || p.client.isClosed) return;
  const elapsed = performance.now() - t0;
  // A bounded number of slices per turn, so one socket that the kernel keeps accepting does not starve the others.
  for (let k = 0; k < 16; k++) {
    if (pace > 0 && mediaMsAfter(p, p.sent) > pace * elapsed) return;
    const slice = p.slices[p.sent % p.slices.length]!;
    p.sent++;
    p.bytes += slice.bytes.length;
    if (!p.client.socket.write(slice.bytes)) {
      p.waiting = true;
      p.client.socket.once('drain', () => {
        p.waiting = false;
        pump(p);
      });
      return;
    }
  }
  setImmediate(() => pump(p));
}

async function publish(cmd: Extract<Command, { type: 'publish' }>): Promise<void> {
  const clip = clipTags(cmd.clip);
  pace = cmd.pace;
  for (const url of cmd.urls) publishers.push(await publishOne(url, clip, cmd.sliceMs));
  t0 = performance.now();
  for (const p of publishers) pump(p);
  // Paced publishers wake up on a timer to see whether their next slice is due.
  if (pace > 0) pumpTimer = setInterval(() => publishers.forEach(pump), 5);
}

serveCommands<Command>(async (cmd) => {
  switch (cmd.type) {
    case 'publish':
      await publish(cmd);
      sendToParent({ type: 'publishing', messagesPerLoop: publishers[0]!.messages, bytesPerLoop: publishers[0]!.slices.reduce((a, s) => a + s.bytes.length, 0), loopMs: publishers[0]!.loopMs });
      break;
    case 'counters':
      sendToParent({ type: 'counters', bytes: publishers.map((p) => p.bytes), closed: closedEarly });
      break;
  }
}, () => {
  stopping = true;
  clearInterval(pumpTimer);
  for (const p of publishers) p.client.destroy();
});
