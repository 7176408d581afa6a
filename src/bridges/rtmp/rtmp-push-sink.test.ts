import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setImmediate as turn } from 'node:timers/promises';
import { pino } from 'pino';
import { decodeAmf0, isEcmaArray } from '../../formats/amf/index.js';
import { StreamHub } from '../../hub/index.js';
import { packet } from '../../hub/testing/hub-fixtures.js';
import { ChunkReader, ChunkWriter, ClientSession, encodeSetChunkSize, MessageType, type RtmpMessage } from '../../protocols/rtmp/index.js';
import { FlushScheduler } from '../../core/flush-scheduler.js';
import type { PlayerOutput } from './rtmp-play-sink.js';
import { REPUSH_LATENCY_TOLERANCE_MS, RtmpPush } from './rtmp-push-sink.js';
import { SharedChunks } from './shared-chunks.js';

const CHUNK = 4096;
const log = pino({ level: 'silent' });
const info = { protocol: 'test', remoteAddress: '127.0.0.1' };

/** Shared serialisation and write rounds, as the connector makes them. */
const outs = () => ({ shared: new SharedChunks(CHUNK), scheduler: new FlushScheduler() });

class RecordingOutput implements PlayerOutput {
  readonly writes: Buffer[] = [];
  readonly calls: number[] = [];
  pendingBytes = 0;
  write(bytes: Buffer): void {
    this.writes.push(bytes);
    this.calls.push(1);
  }
  writev(parts: readonly Buffer[]): void {
    this.writes.push(...parts);
    this.calls.push(parts.length);
  }
  /** Everything written, as the receiving server reads it (after our Set Chunk Size). */
  messages(): readonly RtmpMessage[] {
    const reader = new ChunkReader();
    reader.push(new ChunkWriter({ chunkSize: 128 }).write({ csid: 2, typeId: MessageType.SET_CHUNK_SIZE, streamId: 0, timestamp: 0, payload: encodeSetChunkSize({ chunkSize: CHUNK }) }));
    return reader.push(Buffer.concat(this.writes));
  }
}

function connection(output: RecordingOutput) {
  const session = new ClientSession({ send: (b) => output.write(b), onMessage: () => {}, onStatus: () => {} }, { app: 'live', tcUrl: 'rtmp://h/live' });
  session.writer.setChunkSize(CHUNK); // as connect() does
  return { session, output, streamId: 1 };
}

function liveHub() {
  const hub = new StreamHub({ gop: { maxBytes: 1 << 20, maxMs: 10_000 }, subscriber: { budgetBytes: 1 << 20, slowTimeoutMs: 60_000 }, takeover: 'takeover' }, log);
  const pub = hub.publish('live/s', info);
  pub.setMetadata({ width: 640, height: 360, encoder: 'test' });
  pub.push(packet('video', 1000, { role: 'config', keyframe: true, data: Buffer.from([1, 0x64, 0, 0x1f, 0xff]) }));
  pub.push(packet('audio', 1000, { role: 'config', data: Buffer.from([0x11, 0x90]) }));
  pub.push(packet('video', 1000, { keyframe: true, data: Buffer.alloc(9000, 1) }));
  pub.push(packet('audio', 1010));
  return { hub, pub };
}

test('a target starts with @setDataFrame metadata, the sequence headers and the GOP from its keyframe, timestamps from 0', async () => {
  const { hub, pub } = liveHub();
  const output = new RecordingOutput();
  const ends: string[] = [];
  const push = new RtmpPush(hub, 'live/s', connection(output), outs(), {}, { onClose: (r) => ends.push(`close ${r}`) });
  pub.push(packet('video', 1040, { data: Buffer.alloc(3000, 2) }));
  await turn();
  const msgs = output.messages();
  assert.deepEqual(msgs.map((m) => [m.typeId, m.timestamp, m.streamId]), [
    [MessageType.DATA_AMF0, 0, 1], [MessageType.VIDEO, 0, 1], [MessageType.AUDIO, 0, 1], [MessageType.VIDEO, 0, 1], [MessageType.AUDIO, 10, 1], [MessageType.VIDEO, 40, 1],
  ]);
  const [handler, name, meta] = decodeAmf0(msgs[0]!.payload);
  assert.deepEqual([handler, name, { ...(meta as object) }], ['@setDataFrame', 'onMetaData', { width: 640, height: 360, encoder: 'test' }]);
  assert.ok(isEcmaArray(meta as object), 'an ECMA array, as encoders send it');
  assert.equal(msgs[1]!.payload[0], 0x17, 'AVC key frame tag header');
  assert.equal(msgs[1]!.payload[1], 0, 'AVC sequence header');
  assert.equal(msgs[2]!.payload[1], 0, 'AAC sequence header');
  assert.equal(msgs[3]!.payload.length, 9005);
  assert.equal(push.bytesOut, output.writes.reduce((n, b) => n + b.length, 0));
  push.close('bye');
  push.close('bye');
  assert.deepEqual(ends, ['close bye']);
});

test('the push outlives its source\'s publisher: the next one goes on over the same connection from its keyframe, its headers first, the timeline continued', async () => {
  const { hub, pub } = liveHub();
  const output = new RecordingOutput();
  const ends: string[] = [];
  const push = new RtmpPush(hub, 'live/s', connection(output), outs(), {}, { onClose: (r) => ends.push(`close ${r}`) });
  pub.push(packet('video', 1040, { data: Buffer.alloc(3000, 2) }));
  await turn();
  pub.close('encoder dropped');
  assert.deepEqual(ends, [], 'the source leaving is not the end of the push');
  const before = output.messages().length;
  // The encoder comes back with its own clock (timestamps from 0) and a new picture size.
  const next = hub.publish('live/s', info);
  next.push(packet('video', 0, { data: Buffer.alloc(500, 3) })); // not a keyframe: skipped
  next.setMetadata({ width: 1280, height: 720, encoder: 'test' });
  next.push(packet('video', 0, { role: 'config', keyframe: true, data: Buffer.from([1, 0x64, 0, 0x28, 0xff]) }));
  next.push(packet('audio', 0, { role: 'config', data: Buffer.from([0x12, 0x10]) }));
  next.push(packet('video', 40, { keyframe: true, data: Buffer.alloc(7000, 4) }));
  next.push(packet('audio', 50));
  next.push(packet('video', 80, { data: Buffer.alloc(800, 5) }));
  await turn();
  const after = output.messages().slice(before);
  assert.deepEqual(after.map((m) => m.typeId), [MessageType.DATA_AMF0, MessageType.VIDEO, MessageType.AUDIO, MessageType.VIDEO, MessageType.AUDIO, MessageType.VIDEO]);
  assert.equal((decodeAmf0(after[0]!.payload)[2] as { width: number }).width, 1280, 'the new metadata');
  assert.deepEqual([after[1]!.payload[0], after[1]!.payload[1]], [0x17, 0], 'the new AVC sequence header before any frame');
  assert.equal(after[3]!.payload.length, 7005, 'then the keyframe (the frame before it was skipped)');
  const all = output.messages().filter((m) => m.typeId === MessageType.VIDEO || m.typeId === MessageType.AUDIO);
  for (let i = 1; i < all.length; i++) assert.ok(all[i]!.timestamp >= all[i - 1]!.timestamp, `timestamps never go back (${all[i - 1]!.timestamp} -> ${all[i]!.timestamp})`);
  assert.ok(after[3]!.timestamp > 40, 'the new publisher continues after what was sent');
  assert.equal(push.bytesOut, output.writes.reduce((n, b) => n + b.length, 0));
  push.close('stream over');
  assert.deepEqual(ends, ['close stream over']);
});

test('a push made while its source is between publishers starts with the next one', async () => {
  const hub = new StreamHub({ gop: { maxBytes: 1 << 20, maxMs: 10_000 }, subscriber: { budgetBytes: 1 << 20, slowTimeoutMs: 60_000 }, takeover: 'takeover' }, log);
  const output = new RecordingOutput();
  new RtmpPush(hub, 'live/s', connection(output), outs(), {}, { onClose: () => {} });
  const pub = hub.publish('live/s', info);
  pub.push(packet('video', 500, { role: 'config', keyframe: true, data: Buffer.from([1, 0x64, 0, 0x1f, 0xff]) }));
  pub.push(packet('video', 500, { keyframe: true, data: Buffer.alloc(2000, 1) }));
  await turn();
  assert.deepEqual(output.messages().map((m) => [m.typeId, m.timestamp]), [[MessageType.VIDEO, 0], [MessageType.VIDEO, 0]]);
});

test('a target over its own budget is dropped to the next keyframe and the drops are counted; the player budget is not used', async () => {
  const { hub, pub } = liveHub();
  const output = new RecordingOutput();
  const push = new RtmpPush(hub, 'live/s', connection(output), outs(), { budgetBytes: 20_000 }, { onClose: () => {} });
  await turn();
  const sent = output.messages().length;
  output.pendingBytes = 50_000; // the target stopped reading
  pub.push(packet('video', 1040));
  pub.push(packet('audio', 1050));
  pub.push(packet('video', 1080));
  assert.equal(push.droppedFrames, 3);
  assert.equal(output.messages().length, sent, 'nothing more was queued');
  output.pendingBytes = 0;
  pub.push(packet('video', 1120));
  pub.push(packet('video', 1160, { keyframe: true }));
  await turn();
  assert.equal(push.droppedFrames, 4, 'still waiting for a keyframe');
  assert.equal(output.messages().at(-1)!.timestamp, 160, 'resumed at the keyframe');
});

test('a re-push target lets the source batch its reads (merged reads stay on)', () => {
  const { hub, pub } = liveHub();
  assert.equal(pub.latencyToleranceMs, Infinity);
  new RtmpPush(hub, 'live/s', connection(new RecordingOutput()), outs(), {}, { onClose: () => {} });
  assert.equal(pub.latencyToleranceMs, REPUSH_LATENCY_TOLERANCE_MS);
});

test('writes are batched: one vector write per video frame with the audio before it', async () => {
  const { hub, pub } = liveHub();
  const output = new RecordingOutput();
  const push = new RtmpPush(hub, 'live/s', connection(output), outs(), {}, { onClose: () => {} });
  await turn();
  output.calls.length = 0;
  pub.push(packet('audio', 1031));
  pub.push(packet('audio', 1052));
  await turn();
  assert.deepEqual(output.calls, [], 'audio waits for the next video frame');
  pub.push(packet('video', 1066));
  await turn();
  assert.deepEqual(output.calls, [3], 'one writev of audio, audio, video');
  assert.ok(push.bytesOut > 0);
  pub.push(packet('audio', 1073));
  await new Promise((r) => setTimeout(r, 80));
  assert.deepEqual(output.calls, [3, 1], 'held audio still leaves within the hold limit');
});
