import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { HttpResponseError, HttpResponseParser, type ResponseHead } from '../../bench/lib/http/http-response-parser.js';
import { MAX_CHUNK_LINE_BYTES, MAX_HEAD_BYTES } from '../../bench/lib/http/limits.js';

interface Seen {
  head: ResponseHead;
  body: string;
  ended: boolean;
}

/** A parser whose events are recorded; bodies are copied here (the test's business, not the parser's). */
function recorder(): { parser: HttpResponseParser; seen: Seen[] } {
  const seen: Seen[] = [];
  const parser = new HttpResponseParser({
    head: (head) => void seen.push({ head, body: '', ended: false }),
    body: (bytes, start, end) => {
      assert.ok(start >= 0 && start < end && end <= bytes.length, `body range ${start}..${end} of ${bytes.length}`);
      seen[seen.length - 1]!.body += bytes.toString('latin1', start, end);
    },
    end: () => void (seen[seen.length - 1]!.ended = true),
  });
  return { parser, seen };
}

const crlf = (...lines: string[]): string => lines.join('\r\n');

/** One of every framing, back to back on one keep-alive connection; the last is delimited by the close. */
const STREAM = [
  crlf('HTTP/1.1 200 OK', 'Content-Type: application/vnd.apple.mpegurl', 'Content-Length: 5', '', 'hello'),
  crlf('HTTP/1.1 200 OK', 'Transfer-Encoding: chunked', 'X-Long-Header-Name-Of-Seventeen: ignored', '',
    '4;ext="a;b"', 'wiki', '5 ', 'pedia', 'A', '0123456789', '0', 'X-Trailer: yes', '', ''),
  crlf('HTTP/1.1 100 Continue', '', 'HTTP/1.1 404 Not Found', 'content-length: 12', 'CONNECTION: keep-alive', '', '{"error":{}}'),
  crlf('HTTP/1.1 204 No Content', 'Date: x', '', ''),
  crlf('HTTP/1.1 304 Not Modified', 'ETag: "1"', '', ''),
  // A bare LF ends lines too (RFC 9112 §2.2), and a body may hold CR and LF bytes.
  'HTTP/1.1 200 OK\nContent-Length: 4\n\n\r\n\r\n',
  crlf('HTTP/1.1 200 OK', 'Content-Length: 0', '', ''),
  crlf('HTTP/1.0 200 OK', 'Server: old', '', 'until the end'),
].join('');

const EXPECTED: Seen[] = [
  { head: { status: 200, contentLength: 5, chunked: false, keepAlive: true }, body: 'hello', ended: true },
  { head: { status: 200, contentLength: undefined, chunked: true, keepAlive: true }, body: 'wikipedia0123456789', ended: true },
  { head: { status: 404, contentLength: 12, chunked: false, keepAlive: true }, body: '{"error":{}}', ended: true },
  { head: { status: 204, contentLength: 0, chunked: false, keepAlive: true }, body: '', ended: true },
  { head: { status: 304, contentLength: 0, chunked: false, keepAlive: true }, body: '', ended: true },
  { head: { status: 200, contentLength: 4, chunked: false, keepAlive: true }, body: '\r\n\r\n', ended: true },
  { head: { status: 200, contentLength: 0, chunked: false, keepAlive: true }, body: '', ended: true },
  { head: { status: 200, contentLength: undefined, chunked: false, keepAlive: false }, body: 'until the end', ended: true },
];

/** Feeds `bytes` cut at `cuts` (sorted offsets), each piece inside a larger buffer as the shared read buffer is. */
function feed(parser: HttpResponseParser, bytes: Buffer, cuts: readonly number[]): void {
  let from = 0;
  for (const to of [...cuts, bytes.length]) {
    if (to <= from) continue;
    // Stale bytes around the piece, with line feeds in them: the parser must stay inside [start, end).
    const shared = Buffer.concat([Buffer.from('\n\n\n'), bytes.subarray(from, to), Buffer.from('\nHTTP/1.1 500\n\n')]);
    parser.push(shared, 3, 3 + to - from);
    from = to;
  }
}

test('every framing in one stream, whole', () => {
  const { parser, seen } = recorder();
  feed(parser, Buffer.from(STREAM, 'latin1'), []);
  parser.close();
  assert.deepEqual(seen, EXPECTED);
});

test('split at every byte: the same responses', () => {
  const bytes = Buffer.from(STREAM, 'latin1');
  for (let cut = 1; cut < bytes.length; cut++) {
    const { parser, seen } = recorder();
    feed(parser, bytes, [cut]);
    parser.close();
    assert.deepEqual(seen, EXPECTED, `cut at ${cut}`);
  }
});

test('one byte at a time: the same responses', () => {
  const bytes = Buffer.from(STREAM, 'latin1');
  const { parser, seen } = recorder();
  feed(parser, bytes, Array.from({ length: bytes.length - 1 }, (_, i) => i + 1));
  parser.close();
  assert.deepEqual(seen, EXPECTED);
});

test('any split into any number of pieces: the same responses', () => {
  const bytes = Buffer.from(STREAM, 'latin1');
  fc.assert(fc.property(fc.uniqueArray(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 40 }), (cuts) => {
    const { parser, seen } = recorder();
    feed(parser, bytes, [...cuts].sort((a, b) => a - b));
    parser.close();
    assert.deepEqual(seen, EXPECTED);
  }), { numRuns: 300 });
});

test('idle between responses, not inside one', () => {
  const { parser } = recorder();
  assert.equal(parser.idle, true);
  parser.push(Buffer.from('HTTP/1.1 200 OK\r\nContent-Le'));
  assert.equal(parser.idle, false);
  parser.push(Buffer.from('ngth: 2\r\n\r\nok'));
  assert.equal(parser.idle, true);
});

test('Connection: close and HTTP/1.0 without keep-alive end the connection', () => {
  const { parser, seen } = recorder();
  parser.push(Buffer.from(crlf('HTTP/1.1 503 Busy', 'Connection: keep-alive, close', 'Content-Length: 0', '', '')));
  parser.push(Buffer.from(crlf('HTTP/1.0 200 OK', 'Content-Length: 1', '', 'x')));
  parser.push(Buffer.from(crlf('HTTP/1.0 200 OK', 'Connection: Keep-Alive', 'Content-Length: 1', '', 'y')));
  assert.deepEqual(seen.map((s) => s.head.keepAlive), [false, false, true]);
});

test('Transfer-Encoding other than chunked last: body until close; chunked overrides Content-Length', () => {
  const { parser, seen } = recorder();
  parser.push(Buffer.from(crlf('HTTP/1.1 200 OK', 'Content-Length: 100', 'Transfer-Encoding: gzip, chunked', '', '2', 'ab', '0', '', '')));
  parser.push(Buffer.from(crlf('HTTP/1.1 200 OK', 'Transfer-Encoding: chunked, gzip', '', 'raw bytes')));
  parser.close();
  assert.deepEqual(seen.map((s) => [s.body, s.head.chunked, s.head.keepAlive]), [['ab', true, true], ['raw bytes', false, false]]);
});

const MALFORMED: Record<string, string> = {
  'not HTTP': 'SSH-2.0-OpenSSH\r\n',
  'status not three digits': 'HTTP/1.1 20 OK\r\n\r\n',
  'HTTP/2 status line': 'HTTP/2 200\r\n\r\n',
  'header without colon': crlf('HTTP/1.1 200 OK', 'Content-Length 5', '', ''),
  'empty header name': crlf('HTTP/1.1 200 OK', ': x', '', ''),
  'obsolete line folding': crlf('HTTP/1.1 200 OK', 'X-A: 1', ' folded', '', ''),
  'negative Content-Length': crlf('HTTP/1.1 200 OK', 'Content-Length: -1', '', ''),
  'Content-Length not a number': crlf('HTTP/1.1 200 OK', 'Content-Length: 12abc', '', ''),
  'Content-Length too long': crlf('HTTP/1.1 200 OK', 'Content-Length: 1234567890123456', '', ''),
  'conflicting Content-Length': crlf('HTTP/1.1 200 OK', 'Content-Length: 1', 'Content-Length: 2', '', ''),
  'chunk size not hex': crlf('HTTP/1.1 200 OK', 'Transfer-Encoding: chunked', '', 'zz', ''),
  'chunk size too many digits': crlf('HTTP/1.1 200 OK', 'Transfer-Encoding: chunked', '', '10000000000000', ''),
  'chunk longer than its size': crlf('HTTP/1.1 200 OK', 'Transfer-Encoding: chunked', '', '2', 'abc', ''),
  '101 without upgrade': crlf('HTTP/1.1 101 Switching Protocols', '', ''),
  'head over the bound': crlf('HTTP/1.1 200 OK', `X-Big: ${'a'.repeat(MAX_HEAD_BYTES)}`, '', ''),
  'head over the bound, unterminated': `HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(MAX_HEAD_BYTES)}`,
  'chunk line over the bound': crlf('HTTP/1.1 200 OK', 'Transfer-Encoding: chunked', '', `1;${'e'.repeat(MAX_CHUNK_LINE_BYTES)}`),
  'trailers over the bound': crlf('HTTP/1.1 200 OK', 'Transfer-Encoding: chunked', '', '0', `X-T: ${'t'.repeat(MAX_HEAD_BYTES)}`, '', ''),
};

for (const [name, input] of Object.entries(MALFORMED)) {
  test(`malformed: ${name} throws HttpResponseError, whole or byte by byte`, () => {
    assert.throws(() => recorder().parser.push(Buffer.from(input, 'latin1')), HttpResponseError);
    const { parser } = recorder();
    const bytes = Buffer.from(input, 'latin1');
    assert.throws(() => feed(parser, bytes, Array.from({ length: bytes.length - 1 }, (_, i) => i + 1)), HttpResponseError);
  });
}

const TRUNCATED: Record<string, string> = {
  'in the status line': 'HTTP/1.1 2',
  'in the headers': crlf('HTTP/1.1 200 OK', 'Content-Length: 5', ''),
  'in a Content-Length body': crlf('HTTP/1.1 200 OK', 'Content-Length: 5', '', 'hel'),
  'in a chunk': crlf('HTTP/1.1 200 OK', 'Transfer-Encoding: chunked', '', '5', 'pe'),
  'before the last chunk': crlf('HTTP/1.1 200 OK', 'Transfer-Encoding: chunked', '', '1', 'a', ''),
  'in the trailers': crlf('HTTP/1.1 200 OK', 'Transfer-Encoding: chunked', '', '0', 'X-T: 1', ''),
};

for (const [name, input] of Object.entries(TRUNCATED)) {
  test(`truncated ${name}: close() throws; no end event`, () => {
    const { parser, seen } = recorder();
    parser.push(Buffer.from(input, 'latin1'));
    assert.throws(() => parser.close(), HttpResponseError);
    assert.equal(seen.some((s) => s.ended), false);
  });
}

test('bytes after close are refused', () => {
  const { parser } = recorder();
  parser.close();
  assert.throws(() => parser.push(Buffer.from('HTTP/1.1 200 OK\r\n')), HttpResponseError);
});

test('a large Content-Length body arrives as ranges of the pushed buffers, never more than was pushed', () => {
  const size = 300_000;
  const body = Buffer.alloc(size, 0x47);
  const whole = Buffer.concat([Buffer.from(crlf('HTTP/1.1 200 OK', `Content-Length: ${size}`, '', '')), body]);
  let counted = 0;
  let pieces = 0;
  const parser = new HttpResponseParser({ head: () => undefined, body: (_b, s, e) => { counted += e - s; pieces++; }, end: () => undefined });
  for (let i = 0; i < whole.length; i += 65_536) parser.push(whole, i, Math.min(whole.length, i + 65_536));
  assert.equal(counted, size);
  assert.ok(pieces >= Math.ceil(size / 65_536));
  assert.equal(parser.idle, true);
});
