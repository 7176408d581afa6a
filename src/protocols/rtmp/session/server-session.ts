import { OnAirError } from '../../../core/errors.js';
import { asEcmaArray, encodeAmf0, type AmfObject, type AmfValue } from '../../../formats/amf/index.js';
import { ServerHandshake } from '../handshake/server-handshake.js';
import { ChunkReader } from '../chunk/chunk-reader.js';
import { ChunkWriter } from '../chunk/chunk-writer.js';
import { AckCounter } from '../chunk/ack-counter.js';
import type { RtmpMessage } from '../chunk/rtmp-message.js';
import { CONTROL_CSID, MessageType } from '../messages/message-types.js';
import { encodeSetChunkSize } from '../messages/set-chunk-size.js';
import { encodeWindowAckSize, decodeWindowAckSize } from '../messages/window-ack-size.js';
import { encodeSetPeerBandwidth, PeerBandwidthLimit } from '../messages/set-peer-bandwidth.js';
import { encodeAcknowledgement } from '../messages/acknowledgement.js';
import { decodeUserControl, encodeUserControl, type UserControl } from '../messages/user-control.js';
import { splitAggregate } from '../messages/aggregate.js';
import { decodeCommand, decodeData, errorCommand, resultCommand, statusCommand, stringArg, type RtmpCommand } from './command.js';
import { MAX_MESSAGE_STREAMS, MAX_UNEXPECTED_MEDIA, SERVER_WINDOW_ACK_SIZE } from './limits.js';
import { Status } from './status.js';
import { checkAppName, parseStreamName, type StreamName } from './stream-name.js';

/** Chunk stream ids the server sends on (ffmpeg's layout: commands 3, audio 4, video 6, stream data 5). */
export const Csid = { command: 3, audio: 4, data: 5, video: 6 } as const;

export interface ConnectRequest {
  readonly app: string;
  readonly tcUrl: string;
  readonly object: AmfObject;
}

export interface PublishRequest extends StreamName {
  readonly streamId: number;
  readonly app: string;
  /** live | record | append: all are published live (recording is a server-side setting). */
  readonly type: string;
}

export interface PlayRequest extends StreamName {
  readonly streamId: number;
  readonly app: string;
  readonly start: number;
  readonly reset: boolean;
}

/** What a session asks of its owner (the RTMP server connection); every callback is synchronous. */
export interface ServerSessionHandler {
  send(bytes: Buffer): void;
  /** Returns an error description to refuse, or undefined to accept. */
  onConnect(req: ConnectRequest): string | undefined;
  /** Answer later with acceptPublish / refuse. */
  onPublish(req: PublishRequest): void;
  /** Answer later with acceptPlay / refuse. */
  onPlay(req: PlayRequest): void;
  onMedia(streamId: number, msg: RtmpMessage): void;
  onMetadata(streamId: number, metadata: AmfObject): void;
  /** The stream stopped publishing or playing (FCUnpublish, closeStream, deleteStream). */
  onStreamEnd(streamId: number, reason: string): void;
  onPause(streamId: number, paused: boolean): void;
  onReceive(streamId: number, kind: 'audio' | 'video', enabled: boolean): void;
}

type StreamState = 'created' | 'publish-pending' | 'publishing' | 'play-pending' | 'playing';

/**
 * Server side of one RTMP connection, sans-IO: bytes in through `push`, bytes out through
 * `handler.send`, decisions asked of the handler. Any protocol violation throws an OnAirError; the owner
 * logs it and closes the connection (other connections are never affected).
 */
export class ServerSession {
  readonly writer: ChunkWriter;
  private readonly handshake = new ServerHandshake();
  private readonly reader: ChunkReader;
  private readonly acks = new AckCounter();
  private readonly streams = new Map<number, StreamState>();
  private nextStreamId = 1;
  private app: string | undefined;
  private objectEncoding = 0;
  private unexpectedMedia = 0;
  private closed = false;

  constructor(
    private readonly handler: ServerSessionHandler,
    /** inputIsReused: `push` is given a buffer the caller overwrites afterwards (see ChunkReaderOptions). */
    options: { maxMessageSize: number; chunkSize: number; inputIsReused?: boolean },
  ) {
    this.reader = new ChunkReader({ maxMessageSize: options.maxMessageSize, inputIsReused: options.inputIsReused ?? false });
    this.writer = new ChunkWriter({ chunkSize: 128 });
    this.outgoingChunkSize = options.chunkSize;
  }

  private readonly outgoingChunkSize: number;

  get connected(): boolean {
    return this.app !== undefined;
  }

  get appName(): string | undefined {
    return this.app;
  }

  get bytesReceived(): number {
    return this.reader.bytesReceived;
  }

  /** Feeds received bytes. Throws OnAirError on a protocol violation. */
  push(bytes: Buffer): void {
    if (this.closed) return;
    let data = bytes;
    if (!this.handshake.done) {
      const step = this.handshake.push(bytes);
      for (const b of step.send) this.handler.send(b);
      if (!step.done) return;
      data = step.rest;
      if (data.length === 0) return;
    }
    const due = this.acks.add(data.length);
    const messages = this.reader.push(data);
    for (let i = 0; i < messages.length; i++) this.dispatch(messages[i]!);
    if (due !== null) this.sendControl(MessageType.ACKNOWLEDGEMENT, encodeAcknowledgement({ sequenceNumber: due }));
  }

  acceptPublish(streamId: number): void {
    if (this.streams.get(streamId) !== 'publish-pending') return;
    this.streams.set(streamId, 'publishing');
    this.userControl({ event: 'streamBegin', streamId });
    this.status(streamId, 'status', Status.publishStart, 'Start publishing');
  }

  acceptPlay(streamId: number, reset: boolean): void {
    if (this.streams.get(streamId) !== 'play-pending') return;
    this.streams.set(streamId, 'playing');
    this.userControl({ event: 'streamBegin', streamId });
    if (reset) this.status(streamId, 'status', Status.playReset, 'Playing and resetting');
    this.status(streamId, 'status', Status.playStart, 'Started playing');
    this.sendMessage(Csid.data, MessageType.DATA_AMF0, streamId, 0, encodeAmf0('|RtmpSampleAccess', true, true));
  }

  /** Refuses a publish or play with an error status; the caller closes the connection after it. */
  refuse(streamId: number, code: string, description: string): void {
    this.streams.set(streamId, 'created');
    this.status(streamId, 'error', code, description);
  }

  /** Tells a player the publisher left (ffmpeg and rtmpdump end on UnpublishNotify). */
  notifyUnpublish(streamId: number): void {
    if (this.streams.get(streamId) !== 'playing') return;
    this.userControl({ event: 'streamEof', streamId });
    this.status(streamId, 'status', Status.playUnpublishNotify, 'stream is now unpublished');
  }

  notifyPublish(streamId: number): void {
    if (this.streams.get(streamId) !== 'playing') return;
    this.userControl({ event: 'streamBegin', streamId });
    this.status(streamId, 'status', Status.playPublishNotify, 'stream is now published');
  }

  /** Sends a status on every active stream before a graceful close (server shutdown, kick). */
  notifyEnd(description: string): void {
    for (const [streamId, state] of this.streams) {
      if (state === 'publishing') this.status(streamId, 'status', Status.unpublishSuccess, description);
      if (state === 'playing') {
        this.userControl({ event: 'streamEof', streamId });
        this.status(streamId, 'status', Status.playStop, description);
      }
    }
  }

  /** Sends one data message (onMetaData) to a playing stream. */
  sendData(streamId: number, timestamp: number, payload: Buffer): void {
    this.sendMessage(Csid.data, MessageType.DATA_AMF0, streamId, timestamp, payload);
  }

  close(): void {
    this.closed = true;
  }

  private dispatch(msg: RtmpMessage): void {
    switch (msg.typeId) {
      case MessageType.SET_CHUNK_SIZE:
      case MessageType.ABORT:
      case MessageType.ACKNOWLEDGEMENT:
      case MessageType.SET_PEER_BANDWIDTH:
        return; // the reader applied chunk size / abort; acks and bandwidth need no action
      case MessageType.WINDOW_ACK_SIZE:
        this.acks.setWindowSize(decodeWindowAckSize(msg.payload).size);
        return;
      case MessageType.USER_CONTROL:
        return this.onUserControl(decodeUserControl(msg.payload));
      case MessageType.COMMAND_AMF0:
      case MessageType.COMMAND_AMF3:
        return this.onCommand(decodeCommand(msg.payload, msg.typeId === MessageType.COMMAND_AMF3), msg.streamId);
      case MessageType.DATA_AMF0:
      case MessageType.DATA_AMF3:
        return this.onData(msg);
      case MessageType.AUDIO:
      case MessageType.VIDEO:
        return this.onMediaMessage(msg);
      case MessageType.AGGREGATE:
        for (const sub of splitAggregate(msg.payload, msg.timestamp, msg.streamId)) {
          this.onMediaMessage({ ...sub, csid: msg.csid });
        }
        return;
      default:
        return; // shared objects and unknown types: ignored, as every server does
    }
  }

  private onUserControl(uc: UserControl): void {
    if (uc.event === 'pingRequest') this.userControl({ event: 'pingResponse', timestamp: uc.timestamp });
  }

  private onCommand(cmd: RtmpCommand, msgStreamId: number): void {
    if (cmd.name === 'connect') return this.onConnect(cmd);
    if (!this.connected) throw new OnAirError('ONAIR_ERR_STATE', `${cmd.name} before connect`);
    switch (cmd.name) {
      case 'createStream':
        return this.onCreateStream(cmd);
      case 'releaseStream':
      case '_checkbw':
        if (cmd.txn !== 0) this.command(resultCommand(cmd.txn, null, undefined));
        return;
      case 'FCPublish':
        if (cmd.txn !== 0) this.command(resultCommand(cmd.txn, null, undefined));
        this.command(encodeAmf0('onFCPublish', 0, null, { code: Status.publishStart, description: stringArgOr(cmd, 0) }));
        return;
      case 'FCSubscribe':
        this.command(encodeAmf0('onFCSubscribe', 0, null, { code: Status.playStart, description: stringArgOr(cmd, 0) }));
        return;
      case 'publish':
        return this.onPublish(cmd, msgStreamId);
      case 'play':
        return this.onPlay(cmd, msgStreamId);
      case 'FCUnpublish':
        return this.endStreamsIn('publishing', 'FCUnpublish');
      case 'closeStream':
        return this.endStream(msgStreamId, 'closeStream');
      case 'deleteStream': {
        const id = cmd.args[0];
        if (typeof id !== 'number') throw new OnAirError('ONAIR_ERR_MALFORMED', 'deleteStream: stream id is not a number');
        this.endStream(id, 'deleteStream');
        this.streams.delete(id);
        return;
      }
      case 'getStreamLength':
        this.command(resultCommand(cmd.txn, null, 0));
        return;
      case 'pause': {
        const paused = cmd.args[0];
        if (typeof paused !== 'boolean') throw new OnAirError('ONAIR_ERR_MALFORMED', 'pause: flag is not a boolean');
        if (this.streams.get(msgStreamId) !== 'playing') return;
        this.handler.onPause(msgStreamId, paused);
        this.status(msgStreamId, 'status', paused ? Status.pauseNotify : Status.unpauseNotify, paused ? 'Paused' : 'Unpaused');
        return;
      }
      case 'receiveAudio':
      case 'receiveVideo': {
        const flag = cmd.args[0];
        if (typeof flag !== 'boolean') throw new OnAirError('ONAIR_ERR_MALFORMED', `${cmd.name}: flag is not a boolean`);
        if (this.streams.get(msgStreamId) === 'playing') {
          this.handler.onReceive(msgStreamId, cmd.name === 'receiveAudio' ? 'audio' : 'video', flag);
        }
        return;
      }
      default:
        // Unknown commands get an _error when they expect an answer, so a client waiting on it does not hang.
        if (cmd.txn !== 0) this.command(errorCommand(cmd.txn, { level: 'error', code: 'NetConnection.Call.Failed', description: `unknown command ${cmd.name.slice(0, 64)}` }));
    }
  }

  private onConnect(cmd: RtmpCommand): void {
    if (this.connected) throw new OnAirError('ONAIR_ERR_STATE', 'connect sent twice');
    const obj = cmd.object;
    if (!obj || typeof obj.app !== 'string') throw new OnAirError('ONAIR_ERR_MALFORMED', 'connect without an app string');
    const app = checkAppName(obj.app);
    const tcUrl = typeof obj.tcUrl === 'string' ? obj.tcUrl : '';
    this.objectEncoding = obj.objectEncoding === 3 ? 3 : 0;
    const refusal = this.handler.onConnect({ app, tcUrl, object: obj });
    if (refusal !== undefined) {
      this.command(errorCommand(cmd.txn, { level: 'error', code: Status.connectRejected, description: refusal }));
      throw new OnAirError('ONAIR_ERR_UNAUTHORIZED', `connect refused: ${refusal}`);
    }
    this.app = app;
    // nginx-rtmp's order (`ngx_rtmp_cmd_module.c`): window, bandwidth, chunk size, then _result.
    this.sendControl(MessageType.WINDOW_ACK_SIZE, encodeWindowAckSize({ size: SERVER_WINDOW_ACK_SIZE }));
    this.sendControl(MessageType.SET_PEER_BANDWIDTH, encodeSetPeerBandwidth({ size: SERVER_WINDOW_ACK_SIZE, limitType: PeerBandwidthLimit.DYNAMIC }));
    this.sendControl(MessageType.SET_CHUNK_SIZE, encodeSetChunkSize({ chunkSize: this.outgoingChunkSize }));
    this.writer.setChunkSize(this.outgoingChunkSize);
    const props: AmfObject = { fmsVer: 'FMS/3,0,1,123', capabilities: 31, mode: 1 };
    // Enhanced RTMP: echo what we can relay. We forward any FourCC untouched, so '*' is honest.
    if (Array.isArray(obj.fourCcList)) props.fourCcList = ['*'];
    const info: AmfObject = {
      level: 'status', code: Status.connectSuccess, description: 'Connection succeeded.', objectEncoding: this.objectEncoding,
      data: asEcmaArray({ version: '3,5,7,7009' }),
    };
    this.command(resultCommand(cmd.txn, props, info));
  }

  private onCreateStream(cmd: RtmpCommand): void {
    if (this.streams.size >= MAX_MESSAGE_STREAMS) throw new OnAirError('ONAIR_ERR_LIMIT', `more than ${MAX_MESSAGE_STREAMS} message streams`);
    const id = this.nextStreamId++;
    this.streams.set(id, 'created');
    this.command(resultCommand(cmd.txn, null, id));
  }

  private streamFor(cmdName: string, streamId: number): void {
    const state = this.streams.get(streamId);
    if (state === undefined) throw new OnAirError('ONAIR_ERR_STATE', `${cmdName} on stream ${streamId} that was never created`);
    if (state !== 'created') throw new OnAirError('ONAIR_ERR_STATE', `${cmdName} on stream ${streamId} that is already ${state}`);
  }

  private onPublish(cmd: RtmpCommand, streamId: number): void {
    this.streamFor('publish', streamId);
    // An app-less URL (rtmp://host/KEY) arrives as app KEY and an empty name: that is the user's mistake to be
    // told about (auth answers with an onStatus naming the expected form), not a protocol violation.
    const raw = stringArg(cmd, 0, 'publish name');
    const name = raw === '' ? { name: '', query: '' } : parseStreamName(raw);
    const type = typeof cmd.args[1] === 'string' ? cmd.args[1] : 'live';
    this.streams.set(streamId, 'publish-pending');
    this.handler.onPublish({ ...name, streamId, app: this.app!, type });
  }

  private onPlay(cmd: RtmpCommand, streamId: number): void {
    this.streamFor('play', streamId);
    const name = parseStreamName(stringArg(cmd, 0, 'play name'));
    const start = typeof cmd.args[1] === 'number' ? cmd.args[1] : -2;
    const reset = cmd.args[3] !== false;
    this.streams.set(streamId, 'play-pending');
    this.handler.onPlay({ ...name, streamId, app: this.app!, start, reset });
  }

  private endStreamsIn(state: StreamState, reason: string): void {
    for (const [id, s] of this.streams) if (s === state) this.endStream(id, reason);
  }

  private endStream(streamId: number, reason: string): void {
    const state = this.streams.get(streamId);
    if (state === undefined || state === 'created') return;
    this.streams.set(streamId, 'created');
    this.handler.onStreamEnd(streamId, reason);
  }

  private onData(msg: RtmpMessage): void {
    const values = decodeData(msg.payload, msg.typeId === MessageType.DATA_AMF3);
    // ffmpeg/OBS/GStreamer send "@setDataFrame", "onMetaData", {...}; some encoders send "onMetaData" alone.
    const [first, second, third] = values;
    const meta = first === '@setDataFrame' && second === 'onMetaData' ? third : first === 'onMetaData' ? second : undefined;
    if (meta === undefined || this.streams.get(msg.streamId) !== 'publishing') return;
    if (typeof meta === 'object' && meta !== null && !Array.isArray(meta) && !(meta instanceof Date) && !Buffer.isBuffer(meta) && !(meta instanceof Map)) {
      this.handler.onMetadata(msg.streamId, meta as AmfObject);
    }
  }

  private onMediaMessage(msg: RtmpMessage): void {
    if (this.streams.get(msg.streamId) !== 'publishing') {
      // Media before Publish.Start or after unpublish: dropped, but a flood of it is an abuse.
      if (++this.unexpectedMedia > MAX_UNEXPECTED_MEDIA) throw new OnAirError('ONAIR_ERR_STATE', 'media on a stream that is not publishing');
      return;
    }
    this.handler.onMedia(msg.streamId, msg);
  }

  private status(streamId: number, level: 'status' | 'error', code: string, description: string): void {
    this.sendMessage(Csid.data, MessageType.COMMAND_AMF0, streamId, 0, statusCommand(level, code, description));
  }

  private command(payload: Buffer): void {
    this.sendMessage(Csid.command, MessageType.COMMAND_AMF0, 0, 0, payload);
  }

  private userControl(uc: UserControl): void {
    this.sendControl(MessageType.USER_CONTROL, encodeUserControl(uc));
  }

  private sendControl(typeId: number, payload: Buffer): void {
    this.sendMessage(CONTROL_CSID, typeId, 0, 0, payload);
  }

  private sendMessage(csid: number, typeId: number, streamId: number, timestamp: number, payload: Buffer): void {
    if (this.closed) return;
    this.handler.send(this.writer.write({ csid, typeId, streamId, timestamp, payload }));
  }
}

function stringArgOr(cmd: RtmpCommand, index: number): string {
  const v: AmfValue = cmd.args[index];
  return typeof v === 'string' ? v.slice(0, 256) : '';
}
