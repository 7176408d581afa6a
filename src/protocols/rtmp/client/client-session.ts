import { OnAirError } from '../../../core/errors.js';
import { amfObject, encodeAmf0, type AmfObject, type AmfValue } from '../../../formats/amf/index.js';
import { ClientHandshake } from '../handshake/client-handshake.js';
import { ChunkReader } from '../chunk/chunk-reader.js';
import { ChunkWriter } from '../chunk/chunk-writer.js';
import { AckCounter } from '../chunk/ack-counter.js';
import type { RtmpMessage } from '../chunk/rtmp-message.js';
import { CONTROL_CSID, MessageType } from '../messages/message-types.js';
import { encodeSetChunkSize } from '../messages/set-chunk-size.js';
import { decodeWindowAckSize, encodeWindowAckSize } from '../messages/window-ack-size.js';
import { encodeAcknowledgement } from '../messages/acknowledgement.js';
import { decodeUserControl, encodeUserControl } from '../messages/user-control.js';
import { splitAggregate } from '../messages/aggregate.js';
import { decodeCommand } from '../session/command.js';
import { Csid } from '../session/server-session.js';

export interface ClientSessionHandler {
  send(bytes: Buffer): void;
  /** Audio, video and data messages (after Play.Start). */
  onMessage(msg: RtmpMessage): void;
  /** An onStatus info object on a message stream. */
  onStatus(streamId: number, info: AmfObject): void;
}

export interface ClientSessionOptions {
  app: string;
  tcUrl: string;
  /** Digest ("complex") handshake like ffmpeg; default true. */
  digest?: boolean;
  /** Our outgoing chunk size, announced before connect like OBS. Default 4096. */
  chunkSize?: number;
  maxMessageSize?: number;
}

interface Pending {
  resolve(values: AmfValue[]): void;
  reject(err: Error): void;
}

/**
 * Client side of an RTMP connection, sans-IO: the same chunk layer as the server, the command sequence
 * of ffmpeg (connect, createStream, publish/play) with promises resolved from `_result` / onStatus.
 * Used by tests, benchmarks and (later) re-push.
 */
export class ClientSession {
  readonly writer: ChunkWriter;
  private readonly handshake: ClientHandshake;
  private readonly reader: ChunkReader;
  private readonly acks = new AckCounter();
  private readonly pending = new Map<number, Pending>();
  private nextTxn = 1;
  private handshakeDone = false;
  private readonly handshaken: Promise<void>;
  private markHandshaken!: () => void;

  constructor(
    private readonly handler: ClientSessionHandler,
    private readonly options: ClientSessionOptions,
  ) {
    this.handshake = new ClientHandshake({ digest: options.digest ?? true });
    this.reader = new ChunkReader({ maxMessageSize: options.maxMessageSize ?? 16 * 1024 * 1024 });
    this.writer = new ChunkWriter({ chunkSize: 128 });
    this.handshaken = new Promise((resolve) => (this.markHandshaken = resolve));
  }

  /** Begins the handshake (C0+C1). */
  start(): void {
    this.handler.send(this.handshake.start());
  }

  push(bytes: Buffer): void {
    let data = bytes;
    if (!this.handshakeDone) {
      const step = this.handshake.push(bytes);
      for (const b of step.send) this.handler.send(b);
      if (!step.done) return;
      this.handshakeDone = true;
      this.markHandshaken();
      data = step.rest;
      if (data.length === 0) return;
    }
    const due = this.acks.add(data.length);
    for (const msg of this.reader.push(data)) this.dispatch(msg);
    if (due !== null) this.control(MessageType.ACKNOWLEDGEMENT, encodeAcknowledgement({ sequenceNumber: due }));
  }

  /** Waits for the handshake (C2 must precede every chunk), then sends connect like OBS: chunk size first. */
  async connect(extra: AmfObject = {}): Promise<AmfObject> {
    await this.handshaken;
    const size = this.options.chunkSize ?? 4096;
    this.control(MessageType.SET_CHUNK_SIZE, encodeSetChunkSize({ chunkSize: size }));
    this.writer.setChunkSize(size);
    const [, info] = await this.call('connect', { app: this.options.app, tcUrl: this.options.tcUrl, flashVer: 'FMLE/3.0 (compatible; OnAir)', type: 'nonprivate', ...extra });
    const obj = amfObject(info);
    if (obj?.code !== 'NetConnection.Connect.Success') throw new OnAirError('ONAIR_ERR_UNAUTHORIZED', `connect failed: ${String(obj?.code)}`);
    return obj;
  }

  async createStream(): Promise<number> {
    const [, id] = await this.call('createStream', null);
    if (typeof id !== 'number') throw new OnAirError('ONAIR_ERR_MALFORMED', 'createStream result is not a number');
    return id;
  }

  publish(streamId: number, name: string, type = 'live'): void {
    this.sendCommand(streamId, encodeAmf0('publish', 0, null, name, type));
  }

  play(streamId: number, name: string, start = -2): void {
    this.control(MessageType.WINDOW_ACK_SIZE, encodeWindowAckSize({ size: 2_500_000 }));
    this.sendCommand(streamId, encodeAmf0('play', 0, null, name, start));
    this.control(MessageType.USER_CONTROL, encodeUserControl({ event: 'setBufferLength', streamId, bufferLengthMs: 3000 }));
  }

  deleteStream(streamId: number): void {
    this.sendCommand(0, encodeAmf0('deleteStream', 0, null, streamId));
  }

  /** Sends a raw command (tests use it for out-of-order and wrong-typed commands). */
  sendCommand(streamId: number, payload: Buffer): void {
    this.handler.send(this.writer.write({ csid: streamId === 0 ? Csid.command : Csid.data, typeId: MessageType.COMMAND_AMF0, streamId, timestamp: 0, payload }));
  }

  /** Sends one media or data message as a publisher. */
  sendMedia(streamId: number, typeId: number, timestamp: number, payload: Buffer): void {
    const csid = typeId === MessageType.VIDEO ? Csid.video : typeId === MessageType.AUDIO ? Csid.audio : Csid.data;
    this.handler.send(this.writer.write({ csid, typeId, streamId, timestamp, payload }));
  }

  private call(name: string, object: AmfValue, ...args: AmfValue[]): Promise<AmfValue[]> {
    const txn = this.nextTxn++;
    return new Promise((resolve, reject) => {
      this.pending.set(txn, { resolve, reject });
      this.sendCommand(0, encodeAmf0(name, txn, object, ...args));
    });
  }

  /** Rejects every pending call (the connection closed). */
  fail(err: Error): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  private dispatch(msg: RtmpMessage): void {
    switch (msg.typeId) {
      case MessageType.WINDOW_ACK_SIZE:
        this.acks.setWindowSize(decodeWindowAckSize(msg.payload).size);
        return;
      case MessageType.USER_CONTROL: {
        const uc = decodeUserControl(msg.payload);
        if (uc.event === 'pingRequest') this.control(MessageType.USER_CONTROL, encodeUserControl({ event: 'pingResponse', timestamp: uc.timestamp }));
        return;
      }
      case MessageType.COMMAND_AMF0:
      case MessageType.COMMAND_AMF3:
        return this.onCommand(msg);
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
        return;
    }
  }

  private onCommand(msg: RtmpMessage): void {
    const cmd = decodeCommand(msg.payload, msg.typeId === MessageType.COMMAND_AMF3);
    if (cmd.name === '_result' || cmd.name === '_error') {
      const p = this.pending.get(cmd.txn);
      if (!p) return;
      this.pending.delete(cmd.txn);
      if (cmd.name === '_result') p.resolve([cmd.object, ...cmd.args]);
      else p.reject(new OnAirError('ONAIR_ERR_UNAUTHORIZED', `_error: ${JSON.stringify(amfObject(cmd.args[0])?.code ?? '')}`));
      return;
    }
    if (cmd.name === 'onStatus') {
      const info = amfObject(cmd.args[0]);
      if (info) this.handler.onStatus(msg.streamId, info);
    }
  }

  private control(typeId: number, payload: Buffer): void {
    this.handler.send(this.writer.write({ csid: CONTROL_CSID, typeId, streamId: 0, timestamp: 0, payload }));
  }
}
