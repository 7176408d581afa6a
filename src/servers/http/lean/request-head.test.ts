import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_LEAN_HEAD_BYTES } from './limits.js';
import { type HeadStep, RequestHeadReader } from './request-head.js';

const PLAYER = 'GET /hls/abc/src/media.m3u8?token=t HTTP/1.1\r\nHost: example.com\r\nUser-Agent: hls.js test\r\n' +
  'Origin: https://site.example\r\nRange: bytes=0-99\r\nIf-None-Match: "x"\r\nAccept: */*\r\nConnection: keep-alive\r\n\r\n';

function heads(steps: HeadStep[]): unknown[] {
  return steps.map((s) => (typeof s === 'string' ? s : s.head));
}

/** Every step the reader gives for `input` fed in the given pieces, draining held heads after each piece. */
function feed(pieces: Buffer[]): HeadStep[] {
  const r = new RequestHeadReader();
  const out: HeadStep[] = [];
  for (const p of pieces) {
    let step = r.next(p);
    while (step !== 'more') {
      out.push(step);
      if (step === 'not-mine') return out;
      step = r.next();
    }
  }
  return out;
}

test('a player request: method, target and the headers the answers read; other headers skipped', () => {
  const [step] = feed([Buffer.from(PLAYER, 'latin1')]);
  assert.ok(step && typeof step !== 'string');
  assert.deepEqual(step.head, {
    method: 'GET', url: '/hls/abc/src/media.m3u8?token=t',
    headers: { 'user-agent': 'hls.js test', origin: 'https://site.example', range: 'bytes=0-99', 'if-none-match': '"x"' },
  });
});

test('header names in any case; names of a known name\'s length that are not known are skipped; a repeat of a known one is not mine', () => {
  const mixed = 'GET /hls/a HTTP/1.1\r\nhOsT: x\r\nUSER-AGENT: Big\r\nOrigim: no\r\nUser-Agenu: no\r\nRANGE: bytes=1-2\r\nCONTENT-LENGTH: 0\r\n\r\n';
  const [step] = feed([Buffer.from(mixed, 'latin1')]);
  assert.ok(step && typeof step !== 'string');
  assert.deepEqual(step.head.headers, { 'user-agent': 'Big', range: 'bytes=1-2' });
  const twice = 'GET /hls/a HTTP/1.1\r\nHost: x\r\nuser-agent: a\r\nUser-Agent: b\r\n\r\n';
  assert.deepEqual(feed([Buffer.from(twice, 'latin1')]), ['not-mine']);
  const upgrade = 'GET /hls/a HTTP/1.1\r\nHost: x\r\nUPGRADE: websocket\r\n\r\n';
  assert.deepEqual(feed([Buffer.from(upgrade, 'latin1')]), ['not-mine']);
});

test('an edge\'s signed request keeps its x-onair-edge header (the owner answers it without viewer auth)', () => {
  const edge = 'GET /hls/abc/index.m3u8 HTTP/1.1\r\nHost: owner\r\nX-OnAir-Edge: 1700000000.sig live/abc\r\n\r\n';
  const [step] = feed([Buffer.from(edge, 'latin1')]);
  assert.ok(step && typeof step !== 'string');
  assert.equal(step.head.headers['x-onair-edge'], '1700000000.sig live/abc');
});

test('split at every byte (two pieces, and byte by byte): the same head', () => {
  const bytes = Buffer.from(PLAYER, 'latin1');
  const whole = heads(feed([bytes]));
  for (let i = 1; i < bytes.length; i++) {
    assert.deepEqual(heads(feed([bytes.subarray(0, i), bytes.subarray(i)])), whole, `split at ${i}`);
  }
  assert.deepEqual(heads(feed([...bytes].map((b) => Buffer.from([b])))), whole);
});

test('pipelined heads come out one at a time, in order, at any split', () => {
  const two = Buffer.from(PLAYER + PLAYER.replace('media.m3u8', 'seg-a-1.m4s').replace('GET', 'HEAD'), 'latin1');
  for (let i = 1; i < two.length; i++) {
    const got = heads(feed([two.subarray(0, i), two.subarray(i)])) as { method: string; url: string }[];
    assert.deepEqual(got.map((h) => `${h.method} ${h.url}`), ['GET /hls/abc/src/media.m3u8?token=t', 'HEAD /hls/abc/src/seg-a-1.m4s?token=t'], `split at ${i}`);
  }
});

test('not mine: other methods and versions, bodies, upgrades, malformed or unusual heads (Node answers them)', () => {
  const cases: Record<string, string> = {
    post: 'POST /hls/a HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nab',
    options: 'OPTIONS /hls/a HTTP/1.1\r\nHost: x\r\n\r\n',
    http10: 'GET /hls/a HTTP/1.0\r\nHost: x\r\n\r\n',
    http2preface: 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n',
    noHost: 'GET /hls/a HTTP/1.1\r\nAccept: */*\r\n\r\n',
    twoHosts: 'GET /hls/a HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n',
    chunked: 'GET /hls/a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    body: 'GET /hls/a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello',
    upgrade: 'GET /hls/a HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n',
    close: 'GET /hls/a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    expect: 'GET /hls/a HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n\r\n',
    bareLf: 'GET /hls/a HTTP/1.1\r\nHost: x\nAccept: y\r\n\r\n',
    obsFold: 'GET /hls/a HTTP/1.1\r\nHost: x\r\nUser-Agent: a\r\n b\r\n\r\n',
    spaceBeforeColon: 'GET /hls/a HTTP/1.1\r\nHost : x\r\n\r\n',
    noColon: 'GET /hls/a HTTP/1.1\r\nHost x\r\n\r\n',
    ctlInValue: 'GET /hls/a HTTP/1.1\r\nHost: x\r\nOrigin: a\x01b\r\n\r\n',
    twoRanges: 'GET /hls/a HTTP/1.1\r\nHost: x\r\nRange: bytes=0-1\r\nRange: bytes=2-3\r\n\r\n',
    absoluteForm: 'GET http://x/hls/a HTTP/1.1\r\nHost: x\r\n\r\n',
    nonAsciiTarget: 'GET /hls/\xe9 HTTP/1.1\r\nHost: x\r\n\r\n',
    extraSpace: 'GET  /hls/a HTTP/1.1\r\nHost: x\r\n\r\n',
    lowerVersion: 'GET /hls/a http/1.1\r\nHost: x\r\n\r\n',
    bareLfHead: 'GET /hls/a HTTP/1.1\nHost: x\n\n\r\n\r\n',
  };
  for (const [name, text] of Object.entries(cases)) {
    assert.deepEqual(heads(feed([Buffer.from(text, 'latin1')])), ['not-mine'], name);
  }
});

test('what is not mine is held whole for Node: every byte read, the refused head first', () => {
  const text = 'GET /hls/a HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\nGET /next HTTP/1.1\r\n';
  const r = new RequestHeadReader();
  assert.equal(r.next(Buffer.from(text.slice(0, 10))), 'more');
  assert.equal(r.next(Buffer.from(text.slice(10))), 'not-mine');
  assert.equal(r.held()?.toString('latin1'), text);
});

test('an incomplete head is bounded: past MAX_LEAN_HEAD_BYTES it is not mine, complete or not', () => {
  const r = new RequestHeadReader();
  assert.equal(r.next(Buffer.from('GET /hls/a HTTP/1.1\r\nHost: x\r\nX-Pad: ')), 'more');
  assert.equal(r.next(Buffer.alloc(MAX_LEAN_HEAD_BYTES, 0x61)), 'not-mine');
  const long = `GET /hls/a HTTP/1.1\r\nHost: x\r\nX-Pad: ${'a'.repeat(MAX_LEAN_HEAD_BYTES)}\r\n\r\n`;
  assert.deepEqual(heads(feed([Buffer.from(long)])), ['not-mine']);
});

test('truncated heads wait for more, and Content-Length: 0 is no body', () => {
  const full = 'GET /hls/a HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n';
  for (let i = 0; i < full.length; i++) assert.equal(new RequestHeadReader().next(Buffer.from(full.slice(0, i))), 'more', `first ${i} bytes`);
  assert.equal((heads(feed([Buffer.from(full)])) as { url: string }[])[0]?.url, '/hls/a');
});
