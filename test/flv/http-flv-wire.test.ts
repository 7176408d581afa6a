import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { FlvReader, type FlvTag } from '../../src/formats/flv/index.js';
import { startTestServer, type TestServer } from '../../support/onair.js';
import { ffmpegPublish } from '../support/clients.js';
import { type Proc, waitFor } from '../support/proc.js';

let server: TestServer;
let publisher: Proc;
before(async () => {
  server = await startTestServer();
  publisher = await ffmpegPublish(server.rtmpUrl('wire'));
  await waitFor('wire active', () => server.hub.stream('live/wire')?.isActive, 20_000);
});
after(async () => {
  await publisher.kill();
  await server.close();
});

/** Sends `request` on a raw socket and collects the bytes until `enough` says so (bounded by 15 s), then closes. */
function rawExchange(request: string, enough: (bytes: Buffer) => boolean): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const s = connect(server.ports.http, '127.0.0.1', () => s.write(request));
    const done = (): void => {
      clearTimeout(timer);
      s.destroy();
      resolve(Buffer.concat(chunks));
    };
    const timer = setTimeout(done, 15_000);
    s.on('data', (b: Buffer) => {
      chunks.push(b);
      if (enough(Buffer.concat(chunks))) done();
    });
    s.on('end', done);
    s.on('error', reject);
  });
}

/** Splits a response into head and body. */
function splitHead(bytes: Buffer): { head: string; body: Buffer } {
  const at = bytes.indexOf('\r\n\r\n');
  assert.ok(at > 0, 'a response head');
  return { head: bytes.subarray(0, at).toString('latin1'), body: bytes.subarray(at + 4) };
}

/** Strict HTTP/1.1 chunked decoding of whole chunks: every size line matches its data and ends in CRLF. */
function dechunk(body: Buffer): { data: Buffer; chunks: number } {
  const out: Buffer[] = [];
  let at = 0;
  let chunks = 0;
  for (;;) {
    const eol = body.indexOf('\r\n', at);
    if (eol < 0) break;
    const sizeLine = body.subarray(at, eol).toString('latin1');
    assert.match(sizeLine, /^[0-9a-f]+$/, `chunk size line ${JSON.stringify(sizeLine)}`);
    const size = parseInt(sizeLine, 16);
    assert.ok(size > 0, 'no last chunk while the stream is live');
    if (eol + 2 + size + 2 > body.length) break; // the chunk the client stopped in
    out.push(body.subarray(eol + 2, eol + 2 + size));
    assert.equal(body.subarray(eol + 2 + size, eol + 4 + size).toString('latin1'), '\r\n');
    at = eol + 4 + size;
    chunks++;
  }
  return { data: Buffer.concat(out), chunks };
}

function tagsOf(flv: Buffer): FlvTag[] {
  const r = new FlvReader().push(flv);
  assert.deepEqual([r.header?.audio, r.header?.video], [true, true]);
  return r.tags;
}

test('HTTP/1.1: batches go out as well-formed chunks whose concatenation is a valid FLV stream', async () => {
  const bytes = await rawExchange('GET /live/wire.flv HTTP/1.1\r\nHost: x\r\n\r\n', (b) => b.length > 400_000);
  const { head, body } = splitHead(bytes);
  assert.match(head, /^HTTP\/1\.1 200/);
  assert.match(head, /\r\ntransfer-encoding: chunked/i);
  const { data, chunks } = dechunk(body);
  assert.ok(chunks > 10, `${chunks} chunks`);
  const tags = tagsOf(data);
  assert.ok(tags.filter((t) => t.typeId === 9).length > 20, 'video tags');
  assert.ok(tags.filter((t) => t.typeId === 8).length > 20, 'audio tags');
});

test('HTTP/1.0: the FLV stream is the close-delimited body itself', async () => {
  const bytes = await rawExchange('GET /live/wire.flv HTTP/1.0\r\nHost: x\r\n\r\n', (b) => b.length > 200_000);
  const { head, body } = splitHead(bytes);
  assert.match(head, /^HTTP\/1\.[01] 200/);
  assert.doesNotMatch(head, /transfer-encoding/i);
  assert.match(head, /\r\nconnection: close/i);
  const tags = tagsOf(body);
  assert.ok(tags.some((t) => t.typeId === 9) && tags.some((t) => t.typeId === 8));
});
