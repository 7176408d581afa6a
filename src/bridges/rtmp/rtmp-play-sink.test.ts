import assert from 'node:assert/strict';
import { setImmediate as turn } from 'node:timers/promises';
import { test } from 'node:test';
import type { MediaPacket } from '../../core/media-packet.js';
import { FlushScheduler } from '../../core/flush-scheduler.js';
import { ChunkReader, ChunkWriter, encodeSetChunkSize, MessageType, ServerSession, type RtmpMessage } from '../../protocols/rtmp/index.js';
import { RtmpPlaySink, type PlayerOutput } from './rtmp-play-sink.js';
import { SharedChunks } from './shared-chunks.js';

const CHUNK = 4096;

/** An output that records what each write call (one syscall on a real socket) carried. */
class RecordingSocket implements PlayerOutput {
  readonly calls: Buffer[][] = [];
  readonly pendingBytes = 0;
  write(bytes: Buffer): void {
    this.calls.push([bytes]);
  }
  writev(parts: readonly Buffer[]): void {
    this.calls.push([...parts]);
  }
  /** Everything written, decoded as RTMP messages (the shared chunk size announced first, as the server does). */
  messages(): readonly RtmpMessage[] {
    const reader = new ChunkReader();
    reader.push(new ChunkWriter({ chunkSize: 128 }).write({ csid: 2, typeId: MessageType.SET_CHUNK_SIZE, streamId: 0, timestamp: 0, payload: encodeSetChunkSize({ chunkSize: CHUNK }) }));
    return reader.push(Buffer.concat(this.calls.flat()));
  }
}

const video = (dts: number, keyframe: boolean, size = 9000): MediaPacket => ({ kind: 'video', codec: 'avc1', role: 'frame', dts, cts: 0, keyframe, data: Buffer.alloc(size, dts & 0xff) });
const audio = (dts: number): MediaPacket => ({ kind: 'audio', codec: 'mp4a', role: 'frame', dts, cts: 0, keyframe: true, data: Buffer.alloc(200, dts & 0xff) });

function player(shared: SharedChunks, scheduler: FlushScheduler): { socket: RecordingSocket; sink: RtmpPlaySink } {
  const socket = new RecordingSocket();
  const noop = (): undefined => undefined;
  const session = new ServerSession({
    send: (b) => socket.write(b), onConnect: noop, onPublish: noop, onPlay: noop, onMedia: noop, onMetadata: noop,
    onStreamEnd: noop, onPause: noop, onReceive: noop,
  }, { maxMessageSize: 1 << 20, chunkSize: CHUNK });
  return { socket, sink: new RtmpPlaySink(socket, session, 1, shared, scheduler, noop) };
}

test('players of one cohort get a frame and the audio before it in one write of one shared buffer', async () => {
  const shared = new SharedChunks(CHUNK);
  const scheduler = new FlushScheduler(40, () => shared.endRound());
  const players = [player(shared, scheduler), player(shared, scheduler), player(shared, scheduler)];
  const packets = [video(0, true), audio(10), audio(31), video(33, false)];
  for (const p of packets) for (const { sink } of players) sink.onPacket(p, p.dts);
  assert.ok(players.every(({ sink }) => sink.pendingBytes > 9000 * 2), 'queued bytes count toward the hub budget before the flush');
  await turn();
  for (const { socket, sink } of players) {
    assert.equal(socket.calls.length, 1, 'one write per player per round');
    assert.equal(socket.calls[0]!.length, 1, 'a single buffer, not a vector');
    assert.equal(sink.pendingBytes, 0);
    const got = socket.messages().map((m) => [m.typeId, m.timestamp, m.payload.length]);
    assert.deepEqual(got, [[9, 0, 9005], [8, 10, 202], [8, 31, 202], [9, 33, 9005]]);
  }
  assert.equal(players[1]!.socket.calls[0]![0], players[0]!.socket.calls[0]![0], 'the combined buffer is shared, not copied per player');
});

test('a long queue (a GOP replayed to a new player) goes out as one vector without a per-player copy', async () => {
  const shared = new SharedChunks(CHUNK);
  const { socket, sink } = player(shared, new FlushScheduler(40, () => shared.endRound()));
  const gop = [video(0, true), ...Array.from({ length: 8 }, (_, i) => video(33 * (i + 1), false, 3000))];
  for (const p of gop) sink.onPacket(p, p.dts);
  await turn();
  assert.equal(socket.calls.length, 1);
  assert.equal(socket.calls[0]!.length, gop.length);
  assert.deepEqual(socket.messages().map((m) => m.timestamp), gop.map((p) => p.dts));
});

test('a session message written while media is queued goes after that media', async () => {
  const shared = new SharedChunks(CHUNK);
  const { socket, sink } = player(shared, new FlushScheduler(40, () => shared.endRound()));
  sink.onPacket(video(0, true), 0);
  sink.onPacket(audio(12), 12);
  sink.onMetadata({ width: 1280 });
  await turn();
  assert.deepEqual(socket.messages().map((m) => m.typeId), [MessageType.VIDEO, MessageType.AUDIO, MessageType.DATA_AMF0]);
});

test('audio held for the next frame is still sent after the hold limit when no frame comes', async () => {
  const shared = new SharedChunks(CHUNK);
  const { socket, sink } = player(shared, new FlushScheduler(20, () => shared.endRound()));
  sink.onPacket(video(0, true), 0);
  await turn();
  sink.onPacket(audio(21), 21);
  await turn();
  assert.equal(socket.calls.length, 1, 'audio after video waits for the next frame');
  await new Promise((r) => setTimeout(r, 40));
  assert.equal(socket.calls.length, 2);
  assert.deepEqual(socket.messages().map((m) => m.timestamp), [0, 21]);
});
