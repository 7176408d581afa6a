import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isOnAirError, OnAirError } from '../../../core/errors.js';
import { asEcmaArray, encodeAmf0, type AmfObject } from '../../../formats/amf/index.js';
import { ChunkReader } from '../chunk/chunk-reader.js';
import { ChunkWriter } from '../chunk/chunk-writer.js';
import type { RtmpMessage } from '../chunk/rtmp-message.js';
import { ServerHandshake } from '../handshake/server-handshake.js';
import { HANDSHAKE_PACKET_SIZE } from '../handshake/digest.js';
import { MessageType } from '../messages/message-types.js';
import { decodeAcknowledgement } from '../messages/acknowledgement.js';
import { encodeSetPeerBandwidth, PeerBandwidthLimit } from '../messages/set-peer-bandwidth.js';
import { decodeUserControl, encodeUserControl } from '../messages/user-control.js';
import { decodeWindowAckSize, encodeWindowAckSize } from '../messages/window-ack-size.js';
import { decodeCommand, statusCommand } from '../session/command.js';
import { ServerSession, Csid, type ServerSessionHandler } from '../session/server-session.js';
import { Status } from '../session/status.js';
import { ClientSession } from './client-session.js';
import { MAX_PENDING_CALLS } from './limits.js';
import { RtmpStatusError } from './rtmp-status-error.js';

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

/** Feeds `bytes` to `push` in pieces of `split` bytes (0 = whole). */
function deliver(push: (b: Buffer) => void, bytes: Buffer, split: number): void {
  if (split <= 0) return push(bytes);
  for (let i = 0; i < bytes.length; i += split) push(bytes.subarray(i, i + split));
}

interface Loop {
  client: ClientSession;
  server: ServerSession;
  events: string[];
  statuses: string[];
}

/**
 * A ClientSession talking to a real ServerSession in memory, each direction delivered a turn later and cut into
 * `split`-byte pieces. `decide` answers the server's publish requests (default: accept).
 */
function loop(split: number, decide: { connect?: string; publish?: (server: ServerSession, streamId: number) => void } = {}): Loop {
  const events: string[] = [];
  const statuses: string[] = [];
  const ref: { server?: ServerSession; client?: ClientSession } = {};
  const handler: ServerSessionHandler = {
    send: (b) => setImmediate(() => deliver((x) => ref.client!.push(x), b, split)),
    onConnect: (r) => (events.push(`connect ${r.app}`), decide.connect),
    onPublish: (r) => {
      events.push(`publish ${r.streamId} ${r.name}`);
      (decide.publish ?? ((s, id) => s.acceptPublish(id)))(ref.server!, r.streamId);
    },
    onPlay: () => {},
    onMedia: (sid, m) => events.push(`media ${sid} ${m.typeId} ${m.timestamp} ${m.payload.length}`),
    onMetadata: (sid, m) => events.push(`meta ${sid} ${JSON.stringify(m)}`),
    onStreamEnd: (sid, reason) => events.push(`end ${sid} ${reason}`),
    onPause: () => {},
    onReceive: () => {},
  };
  ref.server = new ServerSession(handler, { maxMessageSize: 1 << 20, chunkSize: 4096 });
  ref.client = new ClientSession({
    send: (b) => setImmediate(() => {
      try {
        deliver((x) => ref.server!.push(x), b, split);
      } catch (err) {
        events.push(`server threw ${(err as OnAirError).code}`);
      }
    }),
    onMessage: () => {},
    onStatus: (_sid, info) => statuses.push(String(info.code)),
  }, { app: 'live', tcUrl: 'rtmp://h:1935/live', digest: false });
  return { client: ref.client, server: ref.server, events, statuses };
}

async function publishThrough(l: Loop, name: string): Promise<number> {
  l.client.start();
  await l.client.connect();
  l.client.announcePublish(name);
  const id = await l.client.createStream();
  const started = l.client.waitStatus(id, /^NetStream\.Publish\.Start$/);
  l.client.publish(id, name);
  await started;
  return id;
}

test('connect, createStream, publish and media reach a server the same way for any split of both directions', async () => {
  for (const split of [0, 1, 5, 128, 4096]) {
    const l = loop(split);
    const id = await publishThrough(l, 'key1');
    l.client.sendData(id, 0, encodeAmf0('@setDataFrame', 'onMetaData', asEcmaArray({ width: 640 })));
    l.client.sendMedia(id, MessageType.VIDEO, 0, Buffer.alloc(9000, 0x17));
    l.client.sendMedia(id, MessageType.AUDIO, 23, Buffer.alloc(300, 0xaf));
    l.client.unpublish(id, 'key1');
    for (let i = 0; i < 4 * 9300; i++) if (l.events.length < 6) await turn(); else break;
    assert.deepEqual(l.events, ['connect live', 'publish 1 key1', 'meta 1 {"width":640}', 'media 1 9 0 9000', 'media 1 8 23 300', 'end 1 FCUnpublish'], `split ${split}`);
    assert.ok(l.statuses.includes(Status.publishStart));
  }
});

test('a refused connect rejects with a refusal status error', async () => {
  const l = loop(0, { connect: 'app not allowed' });
  l.client.start();
  const err = await l.client.connect().then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof RtmpStatusError, String(err));
  assert.equal(err.statusCode, Status.connectRejected);
  assert.ok(err.isRefusal);
  assert.ok(isOnAirError(err, 'ONAIR_ERR_UNAUTHORIZED'));
  assert.match(err.message, /app not allowed/);
});

test('a refused publish (BadName) rejects the status waiter; Publish.Start never resolves it', async () => {
  const l = loop(3, { publish: (s, id) => s.refuse(id, Status.publishBadName, 'stream key not found') });
  const err = await publishThrough(l, 'wrong').then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof RtmpStatusError);
  assert.equal(err.statusCode, Status.publishBadName);
  assert.ok(err.isRefusal);
});

test('an error status that is not a refusal is a state error, not auth', () => {
  const e = RtmpStatusError.from({ level: 'error', code: 'NetStream.Publish.Failed', description: 'x'.repeat(1000) }, 'fallback');
  assert.ok(!e.isRefusal);
  assert.ok(isOnAirError(e, 'ONAIR_ERR_STATE'));
  assert.ok(e.description.length <= 256, 'peer text is cut');
  assert.equal(RtmpStatusError.from(undefined, 'NetConnection.Call.Failed').statusCode, 'NetConnection.Call.Failed');
});

/** A scripted server: the real handshake, then whatever messages the test writes; the client's output decoded. */
function scripted(options: { maxMessageSize?: number } = {}) {
  const out: Buffer[] = [];
  const statuses: AmfObject[] = [];
  const client = new ClientSession({ send: (b) => out.push(b), onMessage: () => {}, onStatus: (_s, i) => statuses.push(i) },
    { app: 'live', tcUrl: 'rtmp://h/live', digest: false, maxMessageSize: options.maxMessageSize });
  client.start();
  const hs = new ServerHandshake();
  const s0s1s2 = Buffer.concat(hs.push(out.splice(0)[0]!).send);
  client.push(s0s1s2);
  const c2 = Buffer.concat(out.splice(0));
  assert.equal(c2.length, HANDSHAKE_PACKET_SIZE, 'C2 sent once S0S1S2 arrived');
  const writer = new ChunkWriter({ chunkSize: 128 });
  const reader = new ChunkReader();
  return {
    client, statuses,
    send: (csid: number, typeId: number, payload: Buffer, streamId = 0) => client.push(writer.write({ csid, typeId, streamId, timestamp: 0, payload })),
    /** What the client sent since the last call, as messages. */
    sent: (): readonly RtmpMessage[] => reader.push(Buffer.concat(out.splice(0))),
  };
}

test('the client answers Set Peer Bandwidth with its window, pings with pongs, and acknowledges every window', () => {
  const s = scripted();
  s.send(2, MessageType.SET_PEER_BANDWIDTH, encodeSetPeerBandwidth({ size: 2_000_000, limitType: PeerBandwidthLimit.DYNAMIC }));
  let msgs = s.sent();
  assert.equal(msgs.length, 1);
  assert.equal(msgs[0]!.typeId, MessageType.WINDOW_ACK_SIZE);
  assert.equal(decodeWindowAckSize(msgs[0]!.payload).size, 2_000_000);
  s.send(2, MessageType.SET_PEER_BANDWIDTH, encodeSetPeerBandwidth({ size: 2_000_000, limitType: PeerBandwidthLimit.DYNAMIC }));
  assert.equal(s.sent().length, 0, 'the same size is not announced twice');

  s.send(2, MessageType.USER_CONTROL, encodeUserControl({ event: 'pingRequest', timestamp: 1234 }));
  msgs = s.sent();
  assert.deepEqual(decodeUserControl(msgs[0]!.payload), { event: 'pingResponse', timestamp: 1234 });

  s.send(2, MessageType.WINDOW_ACK_SIZE, encodeWindowAckSize({ size: 1000 }));
  s.send(Csid.data, MessageType.DATA_AMF0, encodeAmf0('onWhatever', 'x'.repeat(1500)), 1);
  msgs = s.sent();
  const ack = msgs.find((m) => m.typeId === MessageType.ACKNOWLEDGEMENT);
  assert.ok(ack, 'an Acknowledgement after 1000 bytes');
  assert.equal(decodeAcknowledgement(ack.payload).sequenceNumber, s.client.bytesReceived);
});

test('close rejects waiting calls and status waiters, later calls reject, nothing more is sent', async () => {
  const s = scripted();
  const connecting = s.client.connect();
  await turn();
  const waiting = s.client.waitStatus(1, /Start/);
  s.client.close(new OnAirError('ONAIR_ERR_CLOSED', 'socket gone'));
  s.client.close();
  await assert.rejects(connecting, /socket gone/);
  await assert.rejects(waiting, /socket gone/);
  await assert.rejects(s.client.createStream(), /socket gone/);
  s.sent();
  s.client.publish(1, 'x');
  s.client.sendMedia(1, MessageType.VIDEO, 0, Buffer.alloc(10));
  assert.equal(s.sent().length, 0);
  s.client.push(Buffer.alloc(100)); // ignored after close
});

test("the server's close command ends the session", async () => {
  const s = scripted();
  const connecting = s.client.connect();
  await turn();
  s.send(Csid.command, MessageType.COMMAND_AMF0, encodeAmf0('close', 0, null));
  await assert.rejects(connecting, (e) => isOnAirError(e, 'ONAIR_ERR_CLOSED'));
  assert.ok(s.client.isClosed);
});

test('hostile answers: wrong-typed stream id, unknown transactions and status without info are handled', async () => {
  const s = scripted();
  const connecting = s.client.connect();
  await turn();
  const connectTxn = decodeCommand(s.sent().find((m) => m.typeId === MessageType.COMMAND_AMF0)!.payload, false).txn;
  s.send(Csid.command, MessageType.COMMAND_AMF0, encodeAmf0('_result', 999, null, 5)); // nobody asked
  s.send(Csid.command, MessageType.COMMAND_AMF0, encodeAmf0('onStatus', 0, null)); // no info object
  s.send(Csid.command, MessageType.COMMAND_AMF0, encodeAmf0('_result', connectTxn, null, { code: 'NetConnection.Connect.Success' }));
  await connecting;
  const creating = s.client.createStream();
  const txn = decodeCommand(s.sent().find((m) => m.typeId === MessageType.COMMAND_AMF0)!.payload, false).txn;
  s.send(Csid.command, MessageType.COMMAND_AMF0, encodeAmf0('_result', txn, null, 'one'));
  await assert.rejects(creating, (e) => isOnAirError(e, 'ONAIR_ERR_MALFORMED'));
  const calls = Array.from({ length: MAX_PENDING_CALLS }, () => s.client.createStream().catch(() => 'closed'));
  await assert.rejects(s.client.createStream(), (e) => isOnAirError(e, 'ONAIR_ERR_LIMIT'));
  s.send(Csid.data, MessageType.COMMAND_AMF0, statusCommand('error', 'NetStream.Publish.BadName', 'no'), 1);
  s.client.close();
  assert.ok((await Promise.all(calls)).every((c) => c === 'closed'));
});

test('a message longer than the limit is refused before it is buffered', () => {
  const s = scripted({ maxMessageSize: 1000 });
  assert.throws(() => s.send(Csid.data, MessageType.DATA_AMF0, Buffer.alloc(2000), 1), (e) => isOnAirError(e, 'ONAIR_ERR_LIMIT'));
});

test('a bad S0 is a typed error', () => {
  const client = new ClientSession({ send: () => {}, onMessage: () => {}, onStatus: () => {} }, { app: 'live', tcUrl: 'rtmp://h/live' });
  assert.throws(() => client.push(Buffer.from([3])), (e) => isOnAirError(e, 'ONAIR_ERR_STATE'), 'bytes before start');
  client.start();
  assert.throws(() => client.push(Buffer.from([0x06])), (e) => isOnAirError(e));
});

test('any bytes from a server after the handshake give messages or a typed error', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), fc.integer({ min: 1, max: 64 }), (bytes, split) => {
    const s = scripted();
    try {
      deliver((b) => s.client.push(b), Buffer.from(bytes), split);
    } catch (err) {
      if (!(err instanceof OnAirError)) throw err;
    }
  }), { numRuns: 300 });
});
