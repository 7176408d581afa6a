import { test } from 'node:test';
import assert from 'node:assert/strict';
import { asEcmaArray, encodeAmf0 } from '../../../formats/amf/index.js';
import { ChunkWriter } from '../chunk/chunk-writer.js';
import { ClientHandshake } from '../handshake/client-handshake.js';
import { MessageType } from '../messages/message-types.js';
import { encodeSetChunkSize } from '../messages/set-chunk-size.js';
import { isOnAirError } from '../../../core/errors.js';
import { ServerSession, type ServerSessionHandler } from './server-session.js';

/** Everything an ffmpeg-like publisher sends, as one byte string (handshake C0+C1+C2 then chunks). */
function publisherBytes(): { bytes: Buffer; handshakeLength: number } {
  const hs = new ClientHandshake({ digest: false });
  const c0c1 = hs.start();
  const w = new ChunkWriter({ chunkSize: 128 });
  const cmd = (streamId: number, ...v: Parameters<typeof encodeAmf0>) =>
    w.write({ csid: streamId ? 8 : 3, typeId: MessageType.COMMAND_AMF0, streamId, timestamp: 0, payload: encodeAmf0(...v) });
  const chunks = [
    w.write({ csid: 2, typeId: MessageType.SET_CHUNK_SIZE, streamId: 0, timestamp: 0, payload: encodeSetChunkSize({ chunkSize: 4096 }) }),
  ];
  w.setChunkSize(4096);
  chunks.push(
    cmd(0, 'connect', 1, { app: 'live', tcUrl: 'rtmp://h:1935/live', flashVer: 'FMLE/3.0' }),
    cmd(0, 'releaseStream', 2, null, 'key'),
    cmd(0, 'FCPublish', 3, null, 'key'),
    cmd(0, 'createStream', 4, null),
    cmd(1, 'publish', 5, null, 'key?x=1', 'live'),
    w.write({ csid: 4, typeId: MessageType.DATA_AMF0, streamId: 1, timestamp: 0, payload: encodeAmf0('@setDataFrame', 'onMetaData', asEcmaArray({ width: 640, height: 360 })) }),
    w.write({ csid: 6, typeId: MessageType.VIDEO, streamId: 1, timestamp: 0, payload: Buffer.alloc(5000, 0x17) }),
    w.write({ csid: 4, typeId: MessageType.AUDIO, streamId: 1, timestamp: 21, payload: Buffer.alloc(300, 0xaf) }),
    cmd(0, 'FCUnpublish', 6, null, 'key'),
    cmd(0, 'deleteStream', 7, null, 1),
  );
  // S0S1S2 is what the server answers; the client's C2 is an echo of S1 in plain mode: 1536 bytes of anything.
  return { bytes: Buffer.concat([c0c1, Buffer.alloc(1536), ...chunks]), handshakeLength: 1537 + 1536 };
}

function recordingSession(): { session: ServerSession; events: string[]; sent: Buffer[] } {
  const events: string[] = [];
  const sent: Buffer[] = [];
  const ref: { session?: ServerSession } = {};
  const handler: ServerSessionHandler = {
    send: (b) => sent.push(b),
    onConnect: (r) => (events.push(`connect ${r.app}`), undefined),
    onPublish: (r) => {
      events.push(`publish ${r.streamId} ${r.name} ${r.query} ${r.type}`);
      ref.session!.acceptPublish(r.streamId);
    },
    onPlay: (r) => events.push(`play ${r.name}`),
    onMedia: (sid, m) => events.push(`media ${sid} ${m.typeId} ${m.timestamp} ${m.payload.length}`),
    onMetadata: (sid, m) => events.push(`meta ${sid} ${JSON.stringify(m)}`),
    onStreamEnd: (sid, reason) => events.push(`end ${sid} ${reason}`),
    onPause: () => {},
    onReceive: () => {},
  };
  const session = new ServerSession(handler, { maxMessageSize: 1 << 20, chunkSize: 4096 });
  ref.session = session;
  return { session, events, sent };
}

test('a full ffmpeg-style publish gives the same events for every split of the byte stream', () => {
  const { bytes } = publisherBytes();
  const whole = recordingSession();
  whole.session.push(bytes);
  assert.deepEqual(whole.events, [
    'connect live', 'publish 1 key x=1 live', 'meta 1 {"width":640,"height":360}', 'media 1 9 0 5000', 'media 1 8 21 300',
    'end 1 FCUnpublish',
  ]);
  for (let split = 1; split < bytes.length; split += 7) {
    const s = recordingSession();
    s.session.push(bytes.subarray(0, split));
    s.session.push(bytes.subarray(split));
    assert.deepEqual(s.events, whole.events, `split at ${split}`);
  }
  const byByte = recordingSession();
  for (let i = 0; i < bytes.length; i++) byByte.session.push(bytes.subarray(i, i + 1));
  assert.deepEqual(byByte.events, whole.events);
});

test('the connect reply carries _result with NetConnection.Connect.Success after window, bandwidth and chunk size', () => {
  const { bytes, handshakeLength } = publisherBytes();
  const s = recordingSession();
  s.session.push(bytes.subarray(0, handshakeLength + 400));
  const out = Buffer.concat(s.sent.slice(1)).toString('latin1'); // after S0S1S2
  assert.ok(out.includes('_result'));
  assert.ok(out.includes('NetConnection.Connect.Success'));
  assert.ok(out.indexOf('_result') > 0);
});

test('truncated input never emits a partial event and never throws', () => {
  const { bytes } = publisherBytes();
  for (let cut = 0; cut < bytes.length; cut += 13) {
    const s = recordingSession();
    s.session.push(bytes.subarray(0, cut));
  }
});

test('out-of-order commands are typed errors', () => {
  const hs = new ClientHandshake({ digest: false });
  const w = new ChunkWriter({ chunkSize: 128 });
  const s = recordingSession();
  s.session.push(Buffer.concat([hs.start(), Buffer.alloc(1536)]));
  assert.throws(
    () => s.session.push(w.write({ csid: 3, typeId: 20, streamId: 0, timestamp: 0, payload: encodeAmf0('createStream', 2, null) })),
    (e) => isOnAirError(e, 'ONAIR_ERR_STATE'),
  );
});
