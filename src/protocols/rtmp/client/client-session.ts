import { OnAirError } from '../../../core/errors.js';
import { amfObject, encodeAmf0, type AmfObject, type AmfValue } from '../../../formats/amf/index.js';
import { ClientHandshake } from '../handshake/client-handshake.js';
import { ChunkReader } from '../chunk/chunk-reader.js';
import { ChunkWriter } from '../chunk/chunk-writer.js';
import { AckCounter } from '../chunk/ack-counter.js';
import type { RtmpMessage } from '../chunk/rtmp-message.js';
import { DEFAULT_MAX_MESSAGE_SIZE, DEFAULT_WRITE_CHUNK_SIZE } from '../limits.js';
import { CONTROL_CSID, MessageType } from '../messages/message-types.js';
import { encodeSetChunkSize } from '../messages/set-chunk-size.js';
import { decodeWindowAckSize, encodeWindowAckSize } from '../messages/window-ack-size.js';
import { decodeSetPeerBandwidth } from '../messages/set-peer-bandwidth.js';
import { encodeAcknowledgement } from '../messages/acknowledgement.js';
import { decodeUserControl, encodeUserControl } from '../messages/user-control.js';
import { splitAggregate } from '../messages/aggregate.js';
import { decodeCommand, type RtmpCommand } from '../session/command.js';
import { Csid } from '../session/server-session.js';
import { CLIENT_FLASH_VER, CLIENT_WINDOW_ACK_SIZE, MAX_PENDING_CALLS, MAX_STATUS_TEXT, MAX_STATUS_WAITERS } from './limits.js';
import { RtmpStatusError } from './rtmp-status-error.js';

export interface ClientSessionHandler {
  send(bytes: Buffer): void;
  /** Audio, video and data messages (after Play.Start). */
  onMessage(msg: RtmpMessage): void;
  /** An onStatus info object on a message stream (after the session's own waiters saw it). */
  onStatus(streamId: number, info: AmfObject): void;
}

export interface ClientSessionOptions {
  app: string;
  tcUrl: string;
  /** Digest ("complex") handshake like ffmpeg; default true. */
  digest?: boolean;
  /** Our outgoing chunk size, announced before connect like OBS. Default 4096. */
  chunkSize?: number;
  /** Largest message the server may declare (default 8 MiB: a player receives whole video frames). */
  maxMessageSize?: number;
}

interface Pending {
  resolve(values: AmfValue[]): void;
  reject(err: Error): void;
}

interface StatusWaiter {
  streamId: number;
  code: RegExp;
  resolve(info: AmfObject): void;
  reject(err: Error): void;
}

type State = 'idle' | 'handshake' | 'open' | 'closed';

/**
 * Client side of an RTMP connection, sans-IO: the same chunk layer as the server, the command sequence of
 * ffmpeg and OBS (connect, releaseStream, FCPublish, createStream, publish / play) with promises settled from
 * `_result` / `_error` / onStatus. Answers the server's control messages (Window Acknowledgement Size,
 * Set Peer Bandwidth, pings) and acknowledges what it receives. After `close` every waiting promise is
 * rejected, later calls reject with ONAIR_ERR_CLOSED and nothing more is sent.
 */
export class ClientSession {
  readonly writer: ChunkWriter;
  private readonly handshake: ClientHandshake;
  private readonly reader: ChunkReader;
  private readonly acks = new AckCounter();
  private readonly pending = new Map<number, Pending>();
  private readonly statusWaiters: StatusWaiter[] = [];
  private nextTxn = 1;
  private state: State = 'idle';
  private closeReason: Error | undefined;
  private readonly handshaken: Promise<void>;
  private markHandshaken!: () => void;
  private failHandshake!: (err: Error) => void;
  /** The Window Acknowledgement Size we last announced (0 = none yet). */
  private announcedWindow = 0;

  constructor(
    private readonly handler: ClientSessionHandler,
    private readonly options: ClientSessionOptions,
  ) {
    this.handshake = new ClientHandshake({ digest: options.digest ?? true });
    this.reader = new ChunkReader({ maxMessageSize: options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE });
    this.writer = new ChunkWriter({ chunkSize: 128 });
    this.handshaken = new Promise((resolve, reject) => {
      this.markHandshaken = resolve;
      this.failHandshake = reject;
    });
    // A close before anyone awaits the handshake must not become an unhandled rejection.
    this.handshaken.catch(() => {});
  }

  get isClosed(): boolean {
    return this.state === 'closed';
  }

  /** Bytes received after the handshake (what Acknowledgements count). */
  get bytesReceived(): number {
    return this.reader.bytesReceived;
  }

  /** Begins the handshake (C0+C1). Call once. */
  start(): void {
    this.checkOpen();
    if (this.state !== 'idle') throw new OnAirError('ONAIR_ERR_STATE', 'client session already started');
    this.state = 'handshake';
    this.handler.send(this.handshake.start());
  }

  /**
   * Feeds received bytes. Throws OnAirError on a protocol violation (the caller closes the connection);
   * ignored after close.
   */
  push(bytes: Buffer): void {
    if (this.state === 'closed') return;
    if (this.state === 'idle') throw new OnAirError('ONAIR_ERR_STATE', 'bytes received before the handshake started');
    let data = bytes;
    if (this.state === 'handshake') {
      const step = this.handshake.push(bytes);
      for (const b of step.send) this.handler.send(b);
      if (!step.done) return;
      this.state = 'open';
      this.markHandshaken();
      data = step.rest;
      if (data.length === 0) return;
    }
    const due = this.acks.add(data.length);
    const messages = this.reader.push(data);
    for (let i = 0; i < messages.length && this.state === 'open'; i++) this.dispatch(messages[i]!);
    if (due !== null) this.control(MessageType.ACKNOWLEDGEMENT, encodeAcknowledgement({ sequenceNumber: due }));
  }

  /**
   * Waits for the handshake (C2 must precede every chunk), then sends connect like OBS: chunk size first.
   * Rejects with RtmpStatusError when the server refuses (`_error`, or a `_result` that is not a success).
   */
  async connect(extra: AmfObject = {}): Promise<AmfObject> {
    await this.handshaken;
    this.checkOpen();
    const size = this.options.chunkSize ?? DEFAULT_WRITE_CHUNK_SIZE;
    this.control(MessageType.SET_CHUNK_SIZE, encodeSetChunkSize({ chunkSize: size }));
    this.writer.setChunkSize(size);
    const [, info] = await this.call('connect', { app: this.options.app, tcUrl: this.options.tcUrl, flashVer: CLIENT_FLASH_VER, type: 'nonprivate', ...extra });
    const obj = amfObject(info);
    if (obj?.code !== 'NetConnection.Connect.Success') throw RtmpStatusError.from(obj, 'NetConnection.Connect.Failed');
    return obj;
  }

  async createStream(): Promise<number> {
    const [, id] = await this.call('createStream', null);
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id > 0xffffffff) {
      throw new OnAirError('ONAIR_ERR_MALFORMED', 'createStream result is not a message stream id');
    }
    return id;
  }

  /**
   * releaseStream and FCPublish, as ffmpeg and OBS send them before createStream: some ingests (Twitch,
   * Facebook, older Wowza) expect them. Their answers are not awaited (nginx-rtmp answers nothing).
   */
  announcePublish(name: string): void {
    this.sendCommand(0, encodeAmf0('releaseStream', this.nextTxn++, null, name));
    this.sendCommand(0, encodeAmf0('FCPublish', this.nextTxn++, null, name));
  }

  publish(streamId: number, name: string, type = 'live'): void {
    this.sendCommand(streamId, encodeAmf0('publish', 0, null, name, type));
  }

  /** Ends publishing politely (FCUnpublish, deleteStream), as ffmpeg does at the end of its input. */
  unpublish(streamId: number, name: string): void {
    this.sendCommand(0, encodeAmf0('FCUnpublish', this.nextTxn++, null, name));
    this.deleteStream(streamId);
  }

  play(streamId: number, name: string, start = -2): void {
    this.control(MessageType.WINDOW_ACK_SIZE, encodeWindowAckSize({ size: CLIENT_WINDOW_ACK_SIZE }));
    this.sendCommand(streamId, encodeAmf0('play', 0, null, name, start));
    this.control(MessageType.USER_CONTROL, encodeUserControl({ event: 'setBufferLength', streamId, bufferLengthMs: 3000 }));
  }

  deleteStream(streamId: number): void {
    this.sendCommand(0, encodeAmf0('deleteStream', 0, null, streamId));
  }

  /**
   * Resolves on the first onStatus on `streamId` whose code matches `code`; rejects with RtmpStatusError on an
   * error-level status on that stream (or on stream 0), and with the close reason when the session closes.
   */
  waitStatus(streamId: number, code: RegExp): Promise<AmfObject> {
    if (this.state === 'closed') return Promise.reject(this.closedError());
    if (this.statusWaiters.length >= MAX_STATUS_WAITERS) return Promise.reject(new OnAirError('ONAIR_ERR_LIMIT', `more than ${MAX_STATUS_WAITERS} status waiters`));
    return new Promise((resolve, reject) => this.statusWaiters.push({ streamId, code, resolve, reject }));
  }

  /** Sends a raw command (tests use it for out-of-order and wrong-typed commands). */
  sendCommand(streamId: number, payload: Buffer): void {
    this.send(streamId === 0 ? Csid.command : Csid.data, MessageType.COMMAND_AMF0, streamId, 0, payload);
  }

  /** Sends a data message (`@setDataFrame`, `onMetaData`, ...) on a publishing stream. */
  sendData(streamId: number, timestamp: number, payload: Buffer): void {
    this.send(Csid.data, MessageType.DATA_AMF0, streamId, timestamp, payload);
  }

  /** Sends one media or data message as a publisher. */
  sendMedia(streamId: number, typeId: number, timestamp: number, payload: Buffer): void {
    const csid = typeId === MessageType.VIDEO ? Csid.video : typeId === MessageType.AUDIO ? Csid.audio : Csid.data;
    this.send(csid, typeId, streamId, timestamp, payload);
  }

  /** Ends the session: every pending call and status waiter rejects with `err`. Idempotent. */
  close(err: Error = new OnAirError('ONAIR_ERR_CLOSED', 'session closed')): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.closeReason = err;
    this.failHandshake(err);
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
    for (const w of this.statusWaiters.splice(0)) w.reject(err);
  }

  private call(name: string, object: AmfValue, ...args: AmfValue[]): Promise<AmfValue[]> {
    if (this.state === 'closed') return Promise.reject(this.closedError());
    if (this.pending.size >= MAX_PENDING_CALLS) return Promise.reject(new OnAirError('ONAIR_ERR_LIMIT', `more than ${MAX_PENDING_CALLS} commands awaiting an answer`));
    const txn = this.nextTxn++;
    return new Promise((resolve, reject) => {
      this.pending.set(txn, { resolve, reject });
      this.sendCommand(0, encodeAmf0(name, txn, object, ...args));
    });
  }

  private dispatch(msg: RtmpMessage): void {
    switch (msg.typeId) {
      case MessageType.WINDOW_ACK_SIZE:
        this.acks.setWindowSize(decodeWindowAckSize(msg.payload).size);
        return;
      case MessageType.SET_PEER_BANDWIDTH: {
        // Spec 5.4.5: answer with our Window Acknowledgement Size when it differs from the last one we sent.
        const { size } = decodeSetPeerBandwidth(msg.payload);
        if (size > 0 && size !== this.announcedWindow) {
          this.announcedWindow = size;
          this.control(MessageType.WINDOW_ACK_SIZE, encodeWindowAckSize({ size }));
        }
        return;
      }
      case MessageType.USER_CONTROL: {
        const uc = decodeUserControl(msg.payload);
        if (uc.event === 'pingRequest') this.control(MessageType.USER_CONTROL, encodeUserControl({ event: 'pingResponse', timestamp: uc.timestamp }));
        return;
      }
      case MessageType.COMMAND_AMF0:
      case MessageType.COMMAND_AMF3:
        return this.onCommand(decodeCommand(msg.payload, msg.typeId === MessageType.COMMAND_AMF3), msg.streamId);
      case MessageType.AGGREGATE:
        for (const sub of splitAggregate(msg.payload, msg.timestamp, msg.streamId)) this.handler.onMessage({ ...sub, csid: msg.csid });
        return;
      case MessageType.AUDIO:
      case MessageType.VIDEO:
      case MessageType.DATA_AMF0:
      case MessageType.DATA_AMF3:
        this.handler.onMessage(msg);
        return;
      default:
        return; // Set Chunk Size and Abort were applied by the reader; acknowledgements need no answer
    }
  }

  private onCommand(cmd: RtmpCommand, streamId: number): void {
    switch (cmd.name) {
      case '_result':
      case '_error': {
        const p = this.pending.get(cmd.txn);
        if (!p) return; // releaseStream / FCPublish / FCUnpublish answers, or a stray one
        this.pending.delete(cmd.txn);
        if (cmd.name === '_result') p.resolve([cmd.object, ...cmd.args]);
        else p.reject(RtmpStatusError.from(amfObject(cmd.args[0]), 'NetConnection.Call.Failed'));
        return;
      }
      case 'onStatus': {
        const info = amfObject(cmd.args[0]);
        if (info) this.onStatus(streamId, info);
        return;
      }
      case 'close':
        // FMS/Wowza's "close" command: the server is ending the connection.
        this.close(new OnAirError('ONAIR_ERR_CLOSED', 'the server sent close'));
        return;
      default:
        return; // onBWDone, onFCPublish, _checkbw... carry nothing a publisher needs
    }
  }

  private onStatus(streamId: number, info: AmfObject): void {
    const code = typeof info.code === 'string' ? info.code.slice(0, MAX_STATUS_TEXT) : '';
    const isError = info.level === 'error';
    for (let i = 0; i < this.statusWaiters.length;) {
      const w = this.statusWaiters[i]!;
      const onItsStream = w.streamId === streamId || streamId === 0;
      if (onItsStream && w.code.test(code)) {
        this.statusWaiters.splice(i, 1);
        w.resolve(info);
      } else if (onItsStream && isError) {
        this.statusWaiters.splice(i, 1);
        w.reject(RtmpStatusError.from(info, 'NetStream.Failed'));
      } else i++;
    }
    this.handler.onStatus(streamId, info);
  }

  private control(typeId: number, payload: Buffer): void {
    this.send(CONTROL_CSID, typeId, 0, 0, payload);
  }

  private send(csid: number, typeId: number, streamId: number, timestamp: number, payload: Buffer): void {
    if (this.state === 'closed') return;
    this.handler.send(this.writer.write({ csid, typeId, streamId, timestamp, payload }));
  }

  private checkOpen(): void {
    if (this.state === 'closed') throw this.closedError();
  }

  private closedError(): Error {
    return this.closeReason ?? new OnAirError('ONAIR_ERR_CLOSED', 'session closed');
  }
}
