/**
 * The ingest path in isolation, as fast as it goes: the reference clip serialized as an RTMP publisher would
 * send it (4096-byte chunks), pushed through the server session, FLV parsing, the hub and the HLS/LL-HLS
 * packager. Prints CPU milliseconds per second of media (the per-stream ingest cost with HLS on) and the JS heap
 * bytes allocated per RTMP message (what sets how often a live server collects garbage). Run with
 * `node --cpu-prof --import tsx bench/ingest-pipeline.ts` to profile it.
 *
 *   npx tsx bench/ingest-pipeline.ts [loops=20] [hls|no-hls] [health]
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { GCProfiler } from 'node:v8';
import { pino } from 'pino';
import { loadConfig } from '../src/config/load-config.js';
import { FlvReader } from '../src/formats/flv/index.js';
import { StreamHub } from '../src/hub/index.js';
import { HlsPackagers, hlsSettings } from '../src/bridges/hls/index.js';
import { RtmpIngest } from '../src/bridges/rtmp/rtmp-ingest.js';
import { ChunkWriter, ClientHandshake, ServerSession } from '../src/protocols/rtmp/index.js';
import { encodeAmf0 } from '../src/formats/amf/index.js';
import { referenceClip } from './lib/clip.js';
import { healthThresholds } from '../src/app-monitoring.js';

const root = resolve(import.meta.dirname, '..');
const loops = Number(process.argv[2] ?? 20);
const withHls = process.argv[3] !== 'no-hls';
/** `health` as the fourth argument: the hub measures ingest health as the server does by default (--health). */
const withHealth = process.argv[4] === 'health';
const log = pino({ level: 'silent' });
const config = loadConfig({ argv: [], env: {} });
const clip = referenceClip(join(root, 'bench/out/media'));
const tags = new FlvReader().push(readFileSync(clip)).tags.filter((t) => t.typeId === 8 || t.typeId === 9);
const clipMs = tags[tags.length - 1]!.timestamp + 33;

const hub = new StreamHub({
  gop: { maxBytes: config.gopCacheMaxBytes, maxMs: config.gopCacheMaxMs }, subscriber: { budgetBytes: 1 << 22, slowTimeoutMs: 30_000 }, takeover: 'takeover',
  ...(withHealth ? { health: healthThresholds(config) } : {}),
}, log);
const packagers = withHls ? new HlsPackagers(hub, (d) => hlsSettings(config, d), log) : undefined;

// Serialize the publish the way ffmpeg does, after connect/createStream/publish.
const w = new ChunkWriter({ chunkSize: 4096 });
const cmd = (sid: number, ...v: Parameters<typeof encodeAmf0>) => w.write({ csid: sid ? 8 : 3, typeId: 20, streamId: sid, timestamp: 0, payload: encodeAmf0(...v) });
const setup = Buffer.concat([
  new ClientHandshake({ digest: false }).start(), Buffer.alloc(1536),
  new ChunkWriter({ chunkSize: 128 }).write({ csid: 2, typeId: 1, streamId: 0, timestamp: 0, payload: Buffer.from([0, 0, 16, 0]) }),
  cmd(0, 'connect', 1, { app: 'live' }), cmd(0, 'createStream', 2, null), cmd(1, 'publish', 3, null, 'bench', 'live'),
]);
const media: Buffer[] = [];
for (let loop = 0; loop < loops; loop++) {
  for (const t of tags) {
    media.push(w.write({ csid: t.typeId === 9 ? 6 : 4, typeId: t.typeId, streamId: 1, timestamp: t.timestamp + loop * clipMs, payload: t.body }));
  }
}

let ingest: RtmpIngest | undefined;
const session: ServerSession = new ServerSession({
  send: () => {},
  onConnect: () => undefined,
  onPublish: (r) => {
    ingest = new RtmpIngest(hub.publish('live/bench', { protocol: 'rtmp', remoteAddress: '127.0.0.1' }));
    session.acceptPublish(r.streamId);
  },
  onPlay: () => {},
  onMedia: (_sid, m) => ingest!.onMedia(m),
  onMetadata: () => {},
  onStreamEnd: () => {},
  onPause: () => {},
  onReceive: () => {},
}, { maxMessageSize: config.maxMessageSize, chunkSize: 4096 });
session.push(setup);

// JS heap allocated = growth of the used heap plus what every collection in between freed (GCProfiler's
// per-collection before/after figures): the allocation rate that drives the server's scavenges.
const gcProfiler = new GCProfiler();
gcProfiler.start();
const heap0 = process.memoryUsage().heapUsed;
const t0 = process.cpuUsage();
const w0 = performance.now();
for (const b of media) session.push(b);
const cpu = process.cpuUsage(t0);
const wall = performance.now() - w0;
const heap1 = process.memoryUsage().heapUsed;
const collections = gcProfiler.stop()?.statistics ?? [];
const freed = collections.reduce((sum, c) => sum + c.beforeGC.heapStatistics.usedHeapSize - c.afterGC.heapStatistics.usedHeapSize, 0);
const messages = media.length;
const mediaSeconds = (loops * clipMs) / 1000;
const cpuMs = (cpu.user + cpu.system) / 1000;
console.log(`${withHls ? 'ingest + LL-HLS' : 'ingest only'}${withHealth ? ' + health' : ''}: ${mediaSeconds.toFixed(0)} s of media in ${wall.toFixed(0)} ms wall, ${cpuMs.toFixed(0)} ms CPU`);
console.log(`=> ${(cpuMs / mediaSeconds).toFixed(2)} ms CPU per second of media (${((100 * cpuMs) / mediaSeconds / 1000).toFixed(2)} % of a core per stream)`);
console.log(`JS heap allocated: ${((heap1 - heap0 + freed) / messages).toFixed(0)} bytes per RTMP message (${messages} messages, ${collections.length} collections)`);
packagers?.close();
hub.close();
