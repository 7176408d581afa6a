/**
 * The recording service over a real hub, the real fMP4 recorder and an in-memory PGlite, with the free space
 * of the recordings volume injected: the floor stops recordings (failed, disk_full) and refuses new ones;
 * shutdown ends recordings as ready; a recording left open by a crash is finished at the next start.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { Database } from '../../src/db/database.js';
import { StreamHub, type Publisher } from '../../src/hub/index.js';
import { fmp4RecordingPort } from '../../src/bridges/record/index.js';
import { configPackets, framePackets } from '../../src/protocols/hls/testing/media-feed.js';
import { encodeTestMedia, hasFfmpeg, type TestMedia } from '../../src/formats/fmp4/testing/ffmpeg-media.js';
import { StreamService } from '../../src/services/streams/stream-service.js';
import type { StreamRecord } from '../../src/services/streams/stream-types.js';
import type { StreamEventData, StreamEventType } from '../../src/services/streams/stream-events.js';
import { AssetStore } from '../../src/services/recording/asset-store.js';
import { RecordingService } from '../../src/services/recording/recording-service.js';
import { openTemplateDatabase } from '../../support/embedded-db-template.js';

const skip = hasFfmpeg() ? false : 'ffmpeg/ffprobe not installed';
const log = pino({ level: 'silent' });
const MiB = 1024 * 1024;

let db: Database;
let dir: string;
let media: TestMedia;
let streams: StreamService;
let stream: StreamRecord;
before(async () => {
  if (skip) return;
  db = await openTemplateDatabase();
  dir = mkdtempSync(join(tmpdir(), 'onair-recsvc-'));
  media = encodeTestMedia(3, 25);
  streams = new StreamService({
    db, logger: log, events: { publish: async () => {} }, defaultReconnectWindowSec: 0, defaultLatencyMode: 'low', kickPublisher: () => false,
  });
  stream = await streams.create({ settings: { record: true, reconnectWindowSec: 0 } });
});
after(async () => {
  await db?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function rig(free: { bytes: number }) {
  const hub = new StreamHub({ gop: { maxBytes: 16 * MiB, maxMs: 10_000 }, subscriber: { budgetBytes: 4 * MiB, slowTimeoutMs: 30_000 }, takeover: 'takeover' }, log);
  const events: { type: StreamEventType; data: StreamEventData }[] = [];
  const service = new RecordingService({
    db, hub, port: fmp4RecordingPort, logger: log, events: { publish: async (type, data) => void events.push({ type, data }) }, streams,
    dir, minFreeBytes: 100 * MiB, defaultReconnectWindowSec: 0, freeBytes: async () => free.bytes, diskCheckIntervalMs: 20,
  });
  const publish = (): Publisher => {
    const pub = hub.publish(`live/${stream.playbackId}`, { protocol: 'rtmp', remoteAddress: '127.0.0.1', streamId: stream.id, delivery: { record: true, reconnectWindowSec: 0 } });
    for (const p of [...configPackets(media), ...framePackets(media)]) pub.push(p);
    return pub;
  };
  return { hub, service, events, publish };
}

async function until<T>(what: string, fn: () => Promise<T | undefined> | T | undefined): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const v = await fn();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out: ${what}`);
}

const store = (): AssetStore => new AssetStore(db);
const assetsOf = async () => (await store().list({ streamId: stream.id }, 100))!.items;

test('below the free-space floor: the recording stops as failed (disk_full) with what it wrote kept; none starts; above it again, recording resumes', { skip }, async () => {
  const free = { bytes: 500 * MiB };
  const { service, events, publish } = rig(free);
  await service.init();
  try {
    const pub = publish();
    const id = (await until('recording', async () => (await assetsOf()).find((a) => a.status === 'recording')))!.id;
    free.bytes = 50 * MiB; // the volume fills up (another process, other recordings)
    const failed = await until('stopped', async () => {
      const a = await store().get(id);
      return a?.status === 'failed' ? a : undefined;
    });
    assert.equal(failed.endReason, 'disk_full');
    assert.match(failed.error ?? '', /50 MB free on the recordings volume, below the floor of 100 MB/);
    assert.ok(failed.durationMs > 2000 && failed.sizeBytes > 0, 'what was recorded stays');
    assert.ok(events.some((e) => e.type === 'asset.failed' && e.data.asset?.id === id && e.data.stream?.id === stream.id));
    pub.close();

    const refused = publish();
    const none = await until('a failed asset instead of a recording', async () => (await assetsOf()).find((a) => a.id !== id && a.status === 'failed'));
    assert.equal(none.endReason, 'disk_full');
    assert.equal(none.sizeBytes, 0);
    assert.equal(service.live(none.id), undefined);
    refused.close();

    free.bytes = 500 * MiB;
    await new Promise((r) => setTimeout(r, 100)); // the next check reads the new free space
    publish().close();
    await until('recording again', async () => (await assetsOf()).find((a) => a.status === 'ready'));
  } finally {
    await service.close();
  }
});

test('shutdown ends a recording as ready (server_shutdown); a recording a crash left open is finished at the next start', { skip }, async () => {
  const free = { bytes: 500 * MiB };
  const first = rig(free);
  await first.service.init();
  first.publish(); // stays live
  const open = await until('recording', async () => (await assetsOf()).find((a) => a.status === 'recording'));
  await until('media on disk', () => (first.service.live(open.id)?.durationMs ?? 0) >= 2000);

  // A second server on the same database and directory while the first never ended its recording (as after kill -9).
  const second = rig(free);
  await second.service.init();
  const recovered = (await store().get(open.id))!;
  assert.equal(recovered.status, 'ready');
  assert.equal(recovered.endReason, 'server_restart');
  assert.ok(recovered.durationMs >= 1000, `${recovered.durationMs} ms recovered`);
  assert.ok(second.events.some((e) => e.type === 'asset.ready' && e.data.asset?.id === open.id));

  await first.service.close(); // its late end does not overwrite the recovered row
  assert.equal((await store().get(open.id))!.endReason, 'server_restart');

  second.publish();
  const live = await until('recording on the second', async () => (await assetsOf()).find((a) => a.status === 'recording'));
  await second.service.close();
  const ended = (await store().get(live.id))!;
  assert.equal(ended.status, 'ready');
  assert.equal(ended.endReason, 'server_shutdown');
});

test('a takeover with no reconnect window: the first asset ends (publisher_left) and the new publisher is recorded from its first frame', { skip }, async () => {
  const free = { bytes: 500 * MiB };
  const { service, publish } = rig(free);
  await service.init();
  try {
    const before = new Set((await assetsOf()).map((a) => a.id));
    publish(); // stays live
    const first = await until('first recording', async () => (await assetsOf()).find((a) => !before.has(a.id)));
    const second = publish(); // takes over
    second.close();
    const both = await until('both finished', async () => {
      const mine = (await assetsOf()).filter((a) => !before.has(a.id));
      return mine.length === 2 && mine.every((a) => a.status === 'ready') ? mine : undefined;
    });
    const [newer, older] = both;
    assert.equal(older!.id, first.id);
    assert.equal(older!.endReason, 'publisher_left');
    assert.ok(newer!.durationMs >= 2900, `the new publisher's whole session: ${newer!.durationMs} ms`);
  } finally {
    await service.close();
  }
});
