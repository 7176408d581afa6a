import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { once } from 'node:events';
import { mountLeanFront } from './lean-front.js';
import { MAX_PREPARED_VARIANTS, PreparedAnswer, PreparedAnswers, renderHead, utcDate } from './prepared-answer.js';

const HEADERS = ['content-type', 'video/mp4', 'etag', '"a-1"', 'content-length', 5] as const;
const DATE_A = 'Sat, 05 Dec 2026 02:00:00 GMT';
const DATE_B = 'Sat, 05 Dec 2026 02:00:01 GMT';

test('renderHead: status line, the headers in order, then Date, Connection, Keep-Alive and the blank line', () => {
  assert.equal(
    renderHead(200, HEADERS, DATE_A, 5),
    `HTTP/1.1 200 OK\r\ncontent-type: video/mp4\r\netag: "a-1"\r\ncontent-length: 5\r\nDate: ${DATE_A}\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n\r\n`,
  );
  assert.equal(renderHead(204, { allow: 'GET' }, DATE_A, 0).split('\r\n').slice(0, 2).join('|'), 'HTTP/1.1 204 No Content|allow: GET');
});

test('utcDate: the same text all second, a new one the next second', () => {
  const t = Date.UTC(2026, 11, 5, 2, 0, 0);
  const a = utcDate(t + 10);
  assert.equal(a, DATE_A);
  assert.equal(utcDate(t + 999), a);
  assert.equal(utcDate(t + 1000), DATE_B);
});

test('PreparedAnswer: head and body in one Buffer, made once per Date second and keep-alive timeout', () => {
  const body = Buffer.from('hello');
  const a = new PreparedAnswer(200, HEADERS, body);
  const first = a.wire(5, DATE_A);
  assert.equal(first.toString('latin1'), renderHead(200, HEADERS, DATE_A, 5) + 'hello');
  assert.equal(a.wire(5, DATE_A), first, 'the same Buffer within the second');
  assert.equal(a.renders, 1);
  const next = a.wire(5, DATE_B);
  assert.notEqual(next, first);
  assert.ok(next.toString('latin1').includes(`Date: ${DATE_B}\r\n`));
  assert.equal(first.toString('latin1').includes(DATE_A), true, 'a Buffer handed out is never changed (a slow socket may still hold it)');
  assert.ok(a.wire(7, DATE_B).toString('latin1').includes('Keep-Alive: timeout=7\r\n'));
  assert.equal(a.renders, 3);
});

test('PreparedAnswers: by variant and origin, bounded (past the bound the caller answers without one)', () => {
  const set = new PreparedAnswers();
  const mk = (): PreparedAnswer => new PreparedAnswer(200, HEADERS, Buffer.from('hello'));
  const plain = mk();
  assert.equal(set.add('max-age=1', undefined, plain), true);
  assert.equal(set.find('max-age=1', undefined), plain);
  assert.equal(set.find('max-age=1', 'https://a.example'), undefined);
  assert.equal(set.find('max-age=0', undefined), undefined);
  for (let i = 1; i < MAX_PREPARED_VARIANTS; i++) assert.equal(set.add('max-age=1', `https://${i}.example`, mk()), true);
  assert.equal(set.add('max-age=1', 'https://one-too-many.example', mk()), false);
  assert.equal(set.size, MAX_PREPARED_VARIANTS);
  assert.equal(set.find('max-age=1', 'https://one-too-many.example'), undefined);
});

test('endPrepared on the lean front: the bytes writeHead + end send, pipelined answers in order, keep-alive kept', async () => {
  const body = Buffer.from('part-bytes');
  const headers = ['cache-control', 'public', 'content-type', 'video/mp4', 'content-length', body.length];
  const prepared = new PreparedAnswer(200, headers, body);
  const s = createServer(() => assert.fail('node:http is not reached'));
  s.keepAliveTimeout = 5000;
  mountLeanFront(s, () => true, (req, res) => {
    if (req.url === '/prepared') res.endPrepared(prepared);
    else res.writeHead(200, headers).end(body);
  });
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  try {
    const sock = connect((s.address() as AddressInfo).port, '127.0.0.1');
    await once(sock, 'connect');
    let got = '';
    sock.on('data', (d: Buffer) => (got += d.toString('latin1')));
    const req = (path: string): string => `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`;
    sock.write(req('/prepared') + req('/plain') + req('/prepared'));
    const deadline = Date.now() + 3000;
    while ((got.match(/part-bytes/g) ?? []).length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    sock.destroy();
    const answers = got.replace(/Date: [^\r]+\r\n/g, 'Date: -\r\n').split('part-bytes').slice(0, 3);
    assert.equal(answers.length, 3, got);
    assert.equal(answers[0], answers[1], 'prepared and written answers are the same bytes');
    assert.equal(answers[2], answers[1]);
    assert.ok(answers[0]!.endsWith('Keep-Alive: timeout=5\r\n\r\n'), answers[0]);
  } finally {
    s.close();
  }
});
