/**
 * Incremental HTTP/1.1 response parser of the viewer load client: the status line, the headers framing needs
 * (Content-Length, Transfer-Encoding, Connection) and bodies framed by Content-Length, chunked coding (RFC 9112
 * §7.1, extensions and trailers read and dropped) or the connection's end. Bodies are handed out as ranges of the
 * pushed buffer and never copied, so a viewer that only counts bytes pays nothing per byte. Bytes may arrive split
 * anywhere; every partial line is kept within a named bound; malformed input throws HttpResponseError.
 */
import { MAX_CHUNK_LINE_BYTES, MAX_CHUNK_SIZE_DIGITS, MAX_CONTENT_LENGTH_DIGITS, MAX_HEAD_BYTES } from './limits.js';

export interface ResponseHead {
  readonly status: number;
  /** Body length from Content-Length; undefined when chunked or delimited by the connection's end. */
  readonly contentLength: number | undefined;
  readonly chunked: boolean;
  /** The connection stays open for the next request (HTTP/1.1 without `Connection: close`, or a 1.0 keep-alive). */
  readonly keepAlive: boolean;
}

export interface ResponseEvents {
  head(head: ResponseHead): void;
  /** One piece of the body: bytes[start, end). Valid only during the call: the buffer is reused for the next read. */
  body(bytes: Buffer, start: number, end: number): void;
  end(): void;
}

export class HttpResponseError extends Error {
  override readonly name = 'HttpResponseError';
}

type State = 'status' | 'headers' | 'length-body' | 'chunk-size' | 'chunk-data' | 'chunk-data-end' | 'trailers' | 'until-close' | 'closed';

const STATUS_LINE = /^HTTP\/1\.([01]) ([1-9][0-9]{2})(?: .*)?$/;
const CHUNK_SIZE_LINE = new RegExp(`^([0-9A-Fa-f]{1,${MAX_CHUNK_SIZE_DIGITS}})[ \\t]*(?:;.*)?$`);
const CONTENT_LENGTH = new RegExp(`^[0-9]{1,${MAX_CONTENT_LENGTH_DIGITS}}$`);
const LF = 0x0a;

export class HttpResponseParser {
  private state: State = 'status';
  /** The unterminated start of the current line (latin1), from earlier pushes. */
  private partialLine = '';
  /** Bytes of the current head (or trailers) so far, against MAX_HEAD_BYTES. */
  private headBytes = 0;
  private remaining = 0;
  private head = { version: 1, status: 0, contentLength: undefined as number | undefined, chunked: false, otherCoding: false, close: false, keepAliveToken: false };

  constructor(private readonly events: ResponseEvents) {}

  /** Between responses: nothing of a next response has arrived. */
  get idle(): boolean {
    return this.state === 'status' && this.partialLine === '';
  }

  /** Feeds bytes[start, end) (default: all of it). Throws HttpResponseError on malformed input. */
  push(bytes: Buffer, start = 0, end = bytes.length): void {
    if (this.state === 'closed') throw new HttpResponseError('bytes after the connection closed');
    let pos = start;
    while (pos < end) {
      if (this.state === 'length-body' || this.state === 'chunk-data') {
        const n = Math.min(this.remaining, end - pos);
        this.events.body(bytes, pos, pos + n);
        pos += n;
        this.remaining -= n;
        if (this.remaining === 0) this.afterData();
      } else if (this.state === 'until-close') {
        this.events.body(bytes, pos, end);
        pos = end;
      } else {
        const nl = bytes.indexOf(LF, pos);
        if (nl < 0 || nl >= end) {
          this.keepPartial(bytes, pos, end);
          return;
        }
        this.checkLineBound(nl + 1 - pos);
        const line = this.partialLine + bytes.toString('latin1', pos, nl);
        this.partialLine = '';
        pos = nl + 1;
        // Lines end in CRLF; a bare LF is accepted too (RFC 9112 §2.2).
        this.onLine(line.endsWith('\r') ? line.slice(0, -1) : line);
      }
    }
  }

  /** The connection closed: ends a body delimited by the close; throws if a response was cut short. */
  close(): void {
    const state = this.state;
    this.state = 'closed';
    if (state === 'until-close') this.events.end();
    else if (state !== 'status' || this.partialLine !== '') throw new HttpResponseError(`connection closed mid-response (${state})`);
  }

  private keepPartial(bytes: Buffer, pos: number, end: number): void {
    this.checkLineBound(end - pos);
    this.partialLine += bytes.toString('latin1', pos, end);
  }

  /** Counts `n` more bytes of the current line against the bound of the state it is read in. */
  private checkLineBound(n: number): void {
    const lineBytes = this.partialLine.length + n;
    if (this.state === 'chunk-size' || this.state === 'chunk-data-end') {
      if (lineBytes > MAX_CHUNK_LINE_BYTES) throw new HttpResponseError('chunk-size line too long');
    } else if (this.headBytes + lineBytes > MAX_HEAD_BYTES) {
      throw new HttpResponseError(`response head over ${MAX_HEAD_BYTES} bytes`);
    }
  }

  private onLine(line: string): void {
    switch (this.state) {
      case 'status': return this.onStatusLine(line);
      case 'headers': return line === '' ? this.onHeadDone() : this.onHeaderLine(line);
      case 'chunk-size': return this.onChunkSizeLine(line);
      case 'chunk-data-end':
        if (line !== '') throw new HttpResponseError('chunk data longer than its size');
        this.state = 'chunk-size';
        return;
      case 'trailers':
        this.headBytes += line.length + 2;
        if (line === '') this.finish();
        return;
    }
  }

  private onStatusLine(line: string): void {
    const m = STATUS_LINE.exec(line);
    if (!m) throw new HttpResponseError(`bad status line ${JSON.stringify(line.slice(0, 64))}`);
    this.head = { version: Number(m[1]), status: Number(m[2]), contentLength: undefined, chunked: false, otherCoding: false, close: false, keepAliveToken: false };
    this.headBytes += line.length + 2;
    this.state = 'headers';
  }

  private onHeaderLine(line: string): void {
    this.headBytes += line.length + 2;
    const colon = line.indexOf(':');
    if (colon <= 0 || line.charCodeAt(0) === 0x20 || line.charCodeAt(0) === 0x09) throw new HttpResponseError(`bad header line ${JSON.stringify(line.slice(0, 64))}`);
    // Only three names matter for framing; their lengths pick the candidates before any lower-casing.
    if (colon !== 10 && colon !== 14 && colon !== 17) return;
    const name = line.slice(0, colon).toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'content-length') this.onContentLength(value);
    else if (name === 'transfer-encoding') this.onTransferEncoding(value.toLowerCase());
    else if (name === 'connection') this.onConnection(value.toLowerCase());
  }

  private onContentLength(value: string): void {
    if (!CONTENT_LENGTH.test(value)) throw new HttpResponseError(`bad Content-Length ${JSON.stringify(value.slice(0, 32))}`);
    const n = Number(value);
    if (this.head.contentLength !== undefined && this.head.contentLength !== n) throw new HttpResponseError('conflicting Content-Length headers');
    this.head.contentLength = n;
  }

  private onTransferEncoding(value: string): void {
    // RFC 9112 §6.3: in a response, chunked as the final coding frames the body; any other coding means "until close".
    const codings = value.split(',').map((c) => c.trim()).filter(Boolean);
    if (codings.length === 0) return;
    this.head.chunked = codings[codings.length - 1] === 'chunked';
    this.head.otherCoding = !this.head.chunked;
  }

  private onConnection(value: string): void {
    for (const token of value.split(',')) {
      const t = token.trim();
      if (t === 'close') this.head.close = true;
      else if (t === 'keep-alive') this.head.keepAliveToken = true;
    }
  }

  private onHeadDone(): void {
    const h = this.head;
    if (h.status < 200) {
      // 100 Continue, 103 Early Hints: a final response follows. 101 would switch protocols, which no viewer asks for.
      if (h.status === 101) throw new HttpResponseError('101 Switching Protocols without an upgrade request');
      this.state = 'status';
      return;
    }
    const framedByTransfer = h.chunked;
    const untilClose = !h.chunked && (h.otherCoding || h.contentLength === undefined);
    const noBody = h.status === 204 || h.status === 304;
    const keepAlive = !h.close && !(untilClose && !noBody) && (h.version === 1 || h.keepAliveToken);
    this.events.head({
      status: h.status,
      contentLength: noBody ? 0 : framedByTransfer ? undefined : h.contentLength,
      chunked: !noBody && framedByTransfer,
      keepAlive,
    });
    if (noBody) return this.finish();
    if (framedByTransfer) {
      this.state = 'chunk-size';
    } else if (untilClose) {
      this.state = 'until-close';
    } else if (h.contentLength === 0) {
      this.finish();
    } else {
      this.remaining = h.contentLength!;
      this.state = 'length-body';
    }
  }

  private onChunkSizeLine(line: string): void {
    const m = CHUNK_SIZE_LINE.exec(line);
    if (!m) throw new HttpResponseError(`bad chunk size ${JSON.stringify(line.slice(0, 32))}`);
    const size = parseInt(m[1]!, 16);
    if (size === 0) {
      this.state = 'trailers';
      this.headBytes = 0;
      return;
    }
    this.remaining = size;
    this.state = 'chunk-data';
  }

  private afterData(): void {
    if (this.state === 'chunk-data') this.state = 'chunk-data-end';
    else this.finish();
  }

  private finish(): void {
    this.state = 'status';
    this.headBytes = 0;
    this.events.end();
  }
}
