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
  const push = new RtmpPush(hub, 'live/s', connection(output), outs(), {}, { onSourceEnd: (r) => ends.push(`source ${r}`), onClose: (r) => ends.push(`close ${r}`) });
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
  pub.close('done');
  assert.deepEqual(ends, ['source done']);
  push.close('bye');
  push.close('bye');
  assert.deepEqual(ends, ['source done', 'close bye']);
});

test('a target over its own budget is dropped to the next keyframe and the drops are counted; the player budget is not used', async () => {
  const { hub, pub } = liveHub();
  const output = new RecordingOutput();
  const push = new RtmpPush(hub, 'live/s', connection(output), outs(), { budgetBytes: 20_000 }, { onSourceEnd: () => {}, onClose: () => {} });
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
  new RtmpPush(hub, 'live/s', connection(new RecordingOutput()), outs(), {}, { onSourceEnd: () => {}, onClose: () => {} });
  assert.equal(pub.latencyToleranceMs, REPUSH_LATENCY_TOLERANCE_MS);
});

test('writes are batched: one vector write per video frame with the audio before it', async () => {
  const { hub, pub } = liveHub();
  const output = new RecordingOutput();
  const push = new RtmpPush(hub, 'live/s', connection(output), outs(), {}, { onSourceEnd: () => {}, onClose: () => {} });
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
