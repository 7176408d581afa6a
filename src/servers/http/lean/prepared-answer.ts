import { STATUS_CODES } from 'node:http';

/** Response headers, flat (name, value, ...) as Node's writeHead takes them, or as an object. */
export type LeanHeaderList = readonly (string | number)[] | Readonly<Record<string, string>>;

/**
 * A response head as the lean front writes it, and as Node renders one: the status line, the given headers in
 * order, then Date, Connection and Keep-Alive, and the blank line.
 */
export function renderHead(status: number, headers: LeanHeaderList, date: string, keepAliveSeconds: number): string {
  let h = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'unknown'}\r\n`;
  if (isFlat(headers)) {
    for (let i = 0; i < headers.length; i += 2) h += `${headers[i]}: ${headers[i + 1]}\r\n`;
  } else {
    for (const name in headers) h += `${name}: ${headers[name]}\r\n`;
  }
  return `${h}Date: ${date}\r\nConnection: keep-alive\r\nKeep-Alive: timeout=${keepAliveSeconds}\r\n\r\n`;
}

function isFlat(h: LeanHeaderList): h is readonly (string | number)[] {
  return Array.isArray(h);
}

let dateSecond = -1;
let dateText = '';
/** The Date header's value, rendered once a second (Node caches its own the same way): the same string all second. */
export function utcDate(nowMs = Date.now()): string {
  const s = Math.floor(nowMs / 1000);
  if (s !== dateSecond) {
    dateSecond = s;
    dateText = new Date(s * 1000).toUTCString();
  }
  return dateText;
}

/**
 * One answer that many requests get byte for byte (a part, a rendered playlist: same status, headers and body
 * for every viewer asking in the same second), kept as the whole response, head and body in one Buffer, made
 * at most once per Date second (and again if the keep-alive timeout changes). Each request then costs one
 * write of a Buffer: no head built and encoded, no corked two-chunk writev. The body is copied once per
 * second per answer, never per request.
 */
export class PreparedAnswer {
  private date = '';
  private keepAlive = -1;
  private bytes: Buffer | undefined;
  /** Times the whole answer was made (tests, stats). */
  renders = 0;

  constructor(
    readonly status: number,
    private readonly headers: readonly (string | number)[],
    readonly body: Buffer,
  ) {}

  /** The whole response for a request now on a connection announcing `keepAliveSeconds`. */
  wire(keepAliveSeconds: number, date = utcDate()): Buffer {
    if (this.bytes && this.date === date && this.keepAlive === keepAliveSeconds) return this.bytes;
    const head = renderHead(this.status, this.headers, date, keepAliveSeconds);
    const headLength = Buffer.byteLength(head, 'latin1');
    const bytes = Buffer.allocUnsafe(headLength + this.body.length);
    bytes.write(head, 0, 'latin1');
    this.body.copy(bytes, headLength);
    this.bytes = bytes;
    this.date = date;
    this.keepAlive = keepAliveSeconds;
    this.renders++;
    return bytes;
  }
}

/** At most this many variants of one object are prepared (by Cache-Control and Origin); others take the usual path. */
export const MAX_PREPARED_VARIANTS = 4;

/**
 * The prepared answers of one object, by the two things that vary between its requests: a variant (the
 * Cache-Control of a playlist: blocking or not) and the request's Origin (CORS headers echo it). Bounded: past
 * MAX_PREPARED_VARIANTS a request is answered the usual way, so a client sending a new Origin per request
 * never makes a copy per request.
 */
export class PreparedAnswers {
  private readonly answers: { variant: string; origin: string | undefined; answer: PreparedAnswer }[] = [];

  find(variant: string, origin: string | undefined): PreparedAnswer | undefined {
    const list = this.answers;
    for (let i = 0; i < list.length; i++) {
      const a = list[i]!;
      if (a.variant === variant && a.origin === origin) return a.answer;
    }
    return undefined;
  }

  /** Keeps `answer` for (variant, origin); false when full (the caller answers without it). */
  add(variant: string, origin: string | undefined, answer: PreparedAnswer): boolean {
    if (this.answers.length >= MAX_PREPARED_VARIANTS) return false;
    this.answers.push({ variant, origin, answer });
    return true;
  }

  get size(): number {
    return this.answers.length;
  }
}
