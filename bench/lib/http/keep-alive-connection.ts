import { connect, type Socket } from 'node:net';
import { HttpResponseError, HttpResponseParser, type ResponseHead } from './http-response-parser.js';
import { MAX_PLAYLIST_BYTES, READ_BUFFER_BYTES } from './limits.js';
import type { ViewerCounters } from './viewer-counters.js';

export interface HttpTarget {
  readonly host: string;
  readonly port: number;
}

/** What a response is, for the counters: media bodies are counted only, playlist bodies are also kept as text. */
export type BodyKind = 'media' | 'playlist' | 'other';

/**
 * The end of one exchange: the status (0 when the request failed: socket error, closed mid-response, malformed
 * response), the body's byte count, and for a playlist its text.
 */
export type Completion = (status: number, bytes: number, text: string | undefined) => void;

/**
 * Every socket reads into this one buffer (net's `onread`): a read is handed to the parser synchronously and never
 * kept, so one buffer serves the whole process and a read allocates nothing.
 */
const sharedReadBuffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);

/**
 * One keep-alive HTTP/1.1 connection of a simulated viewer (a browser tab's connection): one request at a time, as
 * browsers send them (no pipelining), reopened when the server closed it. Request heads are written by hand and
 * responses parsed by HttpResponseParser; bodies of 200 responses are counted into the viewer's counters as they
 * arrive, so a long body (HTTP-FLV) shows in a window while it is still being received.
 */
export class KeepAliveConnection {
  private socket: Socket | undefined;
  private kind: BodyKind = 'other';
  private done: Completion | undefined;
  private status = 0;
  private bytes = 0;
  private text: string | undefined;
  private keepAlive = true;
  private closed = false;
  private readonly requestTail: string;

  constructor(private readonly target: HttpTarget, private readonly counters: ViewerCounters) {
    this.requestTail = ` HTTP/1.1\r\nHost: ${target.host}:${target.port}\r\nUser-Agent: onair-bench-viewer\r\nAccept: */*\r\n\r\n`;
  }

  /** A request is in flight. */
  get busy(): boolean {
    return this.done !== undefined;
  }

  /** GET `path`; `done` is called once with the outcome. */
  get(path: string, kind: BodyKind, done: Completion): void {
    if (this.closed) throw new Error('connection closed');
    if (this.done) throw new Error('a request is already in flight on this connection');
    this.kind = kind;
    this.done = done;
    this.status = 0;
    this.bytes = 0;
    this.text = undefined;
    this.counters.requests++;
    (this.socket ?? this.open()).write(`GET ${path}${this.requestTail}`, 'latin1');
  }

  /** Ends the connection; a request in flight is abandoned without its completion. Safe to call twice. */
  close(): void {
    this.closed = true;
    this.done = undefined;
    this.drop();
  }

  private open(): Socket {
    const parser = new HttpResponseParser({
      head: (head) => this.onHead(head),
      body: (bytes, start, end) => this.onBody(bytes, start, end),
      end: () => this.finish(this.status),
    });
    const socket: Socket = connect({
      host: this.target.host,
      port: this.target.port,
      noDelay: true,
      onread: {
        buffer: sharedReadBuffer,
        callback: (n: number, buffer: Uint8Array): boolean => this.onRead(socket, parser, buffer as Buffer, n),
      },
    });
    socket.on('error', () => undefined); // 'close' follows and reports the failure
    socket.on('close', () => this.onClose(socket, parser));
    this.counters.connects++;
    this.socket = socket;
    return socket;
  }

  private onRead(socket: Socket, parser: HttpResponseParser, buffer: Buffer, n: number): boolean {
    if (socket !== this.socket) return false;
    try {
      parser.push(buffer, 0, n);
    } catch (err) {
      if (!(err instanceof HttpResponseError)) throw err;
      this.counters.protocolErrors++;
      this.drop();
      this.finish(0);
    }
    return true;
  }

  private onHead(head: ResponseHead): void {
    this.status = head.status;
    this.keepAlive = head.keepAlive;
    if (head.status === 200 && this.kind === 'playlist') this.text = '';
  }

  private onBody(bytes: Buffer, start: number, end: number): void {
    const n = end - start;
    this.bytes += n;
    if (this.status !== 200) {
      this.counters.otherBytes += n;
    } else if (this.kind === 'media') {
      this.counters.mediaBytes += n;
    } else if (this.kind === 'playlist') {
      this.counters.playlistBytes += n;
      if (this.text !== undefined) this.text = this.bytes <= MAX_PLAYLIST_BYTES ? this.text + bytes.toString('latin1', start, end) : undefined;
    } else {
      this.counters.otherBytes += n;
    }
  }

  private onClose(socket: Socket, parser: HttpResponseParser): void {
    if (socket !== this.socket) return;
    this.socket = undefined;
    try {
      parser.close(); // ends a body delimited by the close (its completion runs from the parser's end event)
    } catch (err) {
      if (!(err instanceof HttpResponseError)) throw err;
    }
    if (this.done) this.finish(0);
  }

  /** The exchange is over: the connection is ready for the next request (reopened if the server closes it). */
  private finish(status: number): void {
    const done = this.done;
    if (!done) return;
    this.done = undefined;
    if (!this.keepAlive || status === 0) this.drop();
    this.keepAlive = true;
    done(status, this.bytes, status === 200 ? this.text : undefined);
  }

  private drop(): void {
    const socket = this.socket;
    this.socket = undefined;
    socket?.destroy();
  }
}
