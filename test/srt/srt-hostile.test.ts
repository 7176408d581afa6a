import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSocket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { ControlType, encodeControl, encodeDataHeader, ExtType, RejectReason } from '../../src/protocols/srt/index.js';
import { type TestServer } from '../../support/onair.js';
import { sleep, waitFor, type Proc } from '../support/proc.js';
import { ffmpegSrtPublish, srtUrl } from '../support/srt-clients.js';
import { hubFrameCounter, type FrameCounter, startSrtTestServer } from '../../support/srt-hub.js';
import { RawSrtCaller } from '../support/raw-srt-caller.js';

/**
 * Hostile input on the SRT port while a real encoder publishes: garbage and truncated datagrams, forged
 * cookies, handshake floods from many source ports, hostile stream ids, idle callers. Safe means: the
 * legitimate stream keeps flowing, the listener keeps no state for what it refused, and each refusal has
 * the right reason.
 */
describe('SRT hostile input (--auth open)', () => {
  let server: TestServer;
  let port: number;
  let steady: Proc;
  let counter: FrameCounter;
  before(async () => {
    server = await startSrtTestServer({ 'log-level': 'info' });
    port = server.ports.srt!;
    counter = hubFrameCounter(server, 'live/steady');
    steady = await ffmpegSrtPublish(srtUrl(port, '#!::r=live/steady,m=publish'), { loop: true });
    await waitFor('steady stream active', () => server.hub.stream('live/steady')?.isActive, 20_000);
  });
  after(async () => {
    counter.close();
    await steady.kill();
    await server.close();
  });

  /** The legitimate stream still gets frames at about its rate. */
  async function steadyFlows(): Promise<void> {
    const before = counter.video;
    await waitFor('the steady stream keeps flowing', () => counter.video >= before + 25, 10_000);
    assert.equal(counter.publishers, 1, 'still the first publisher');
  }

  test('garbage, truncated and misaddressed datagrams are dropped and counted; nothing else happens', async () => {
    const s = createSocket('udp4');
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
    const live = server.srt!.sessionStats()[0]!;
    assert.equal(live.path, 'live/steady');
    const datagrams: Buffer[] = [];
    for (let i = 0; i < 500; i++) datagrams.push(randomBytes(Math.floor(Math.random() * 1600)));
    for (let n = 0; n < 16; n++) datagrams.push(randomBytes(n)); // shorter than a header
    datagrams.push(Buffer.alloc(2000)); // over the MSS
    for (let i = 0; i < 50; i++) datagrams.push(Buffer.concat([encodeDataHeader({ seq: i, msgNo: 1, timestamp: 0, dstSocketId: 1 + i }), randomBytes(100)]));
    for (const type of [ControlType.keepalive, ControlType.ack, ControlType.nak, ControlType.shutdown, ControlType.ext]) {
      datagrams.push(encodeControl({ type, timestamp: 0, dstSocketId: 0 }, randomBytes(8))); // to the listener, not a handshake
    }
    datagrams.push(encodeControl({ type: ControlType.handshake, timestamp: 0, dstSocketId: 0 }, randomBytes(20))); // truncated handshake
    for (const d of datagrams) s.send(d, port, '127.0.0.1');
    await steadyFlows();
    s.close();
    const counts = server.srt!.hostileCounts;
    assert.ok((counts.malformed ?? 0) + (counts.oversized ?? 0) + (counts['unknown-socket'] ?? 0) + (counts['not-handshake'] ?? 0) >= 500, JSON.stringify(counts));
    assert.equal(server.srt!.sessionCount, 1);
    assert.equal(server.srt!.handshakesInProgress, 0);
  });

  test('a conclusion with a forged cookie gets no answer and creates nothing', async () => {
    const c = await new RawSrtCaller(port).open();
    try {
      assert.deepEqual(await c.conclude('#!::r=live/forged,m=publish', { cookie: 0x12345678, waitMs: 600 }), { kind: 'silence' });
      assert.equal(server.hub.stream('live/forged'), undefined);
      assert.equal(server.srt!.sessionCount, 1);
    } finally {
      c.close();
    }
  });

  test('an induction flood from 300 source ports is answered statelessly', async () => {
    const callers = await Promise.all(Array.from({ length: 300 }, () => new RawSrtCaller(port).open()));
    try {
      const cookies = await Promise.all(callers.map((c) => c.induction()));
      assert.equal(new Set(cookies).size, 300, 'each source port gets its own cookie');
      assert.equal(server.srt!.sessionCount, 1);
      assert.equal(server.srt!.handshakesInProgress, 0);
      await steadyFlows();
    } finally {
      for (const c of callers) c.close();
    }
  });

  test('hostile stream ids are refused with the access-control reason and never become a stream', async () => {
    const cases: [string, number][] = [
      ['#!::r=../../etc/passwd,m=publish', RejectReason.badRequest],
      ['#!::r=live/%2e%2e/x,m=publish', RejectReason.badRequest],
      ['live/a\u0000b', RejectReason.badRequest],
      ['live/ключ', RejectReason.badRequest],
      [`live/${'x'.repeat(400)}`, RejectReason.badRequest],
      ['#!:{r=live/x}', RejectReason.badRequest],
      ['#!::m=publish', RejectReason.badRequest],
      ['#!::r=live/x,m=bidirectional', RejectReason.badMode],
      ['#!::r=live/x,t=file,m=publish', RejectReason.badMode],
      ['', RejectReason.badRequest],
      ['#!::r=live/nobody-publishes,m=request', RejectReason.notFound],
    ];
    const streamsBefore = [...server.hub.streams()].length;
    for (const [sid, reason] of cases) {
      const c = await new RawSrtCaller(port).open();
      try {
        assert.deepEqual(await c.conclude(sid), { kind: 'rejected', reason }, JSON.stringify(sid));
        // A repeated conclusion (our rejection "lost") gets the same answer without a second decision.
        assert.deepEqual(await c.conclude(sid), { kind: 'rejected', reason }, `${JSON.stringify(sid)} repeated`);
      } finally {
        c.close();
      }
    }
    assert.equal([...server.hub.streams()].length, streamsBefore);
    assert.equal(server.srt!.sessionCount, 1);
    assert.ok(!server.logs.some((l) => l.includes('ключ') || l.includes('x'.repeat(100))), 'hostile names are not logged in full');
    await steadyFlows();
  });

  test('FEC and bonding requests are refused by reason; the stream publishing is untouched', async () => {
    const c = await new RawSrtCaller(port).open();
    const d = await new RawSrtCaller(port).open();
    try {
      const fec = await c.conclude('#!::r=live/fec,m=publish', { extra: [{ type: ExtType.filter, body: Buffer.from('cef,\0\0\0\0') }] });
      assert.deepEqual(fec, { kind: 'rejected', reason: RejectReason.filter });
      const group = await d.conclude('#!::r=live/group,m=publish', { extra: [{ type: ExtType.group, body: Buffer.alloc(8) }] });
      assert.deepEqual(group, { kind: 'rejected', reason: RejectReason.group });
      await steadyFlows();
    } finally {
      c.close();
      d.close();
    }
  });

  test('callers that connect and go silent are closed after the peer idle timeout', async () => {
    const callers = await Promise.all(Array.from({ length: 20 }, () => new RawSrtCaller(port).open()));
    try {
      const outcomes = await Promise.all(callers.map((c, i) => c.conclude(`#!::r=live/idle${i},m=publish`)));
      assert.ok(outcomes.every((o) => o.kind === 'accepted'), JSON.stringify(outcomes));
      assert.equal(server.srt!.sessionCount, 21);
      await waitFor('idle callers timed out', () => server.srt!.sessionCount === 1, 15_000);
      assert.equal([...server.hub.streams()].filter((s) => s.path.startsWith('live/idle') && s.publisher).length, 0);
      await steadyFlows();
    } finally {
      for (const c of callers) c.close();
    }
  });
});

describe('SRT conclusion flood while auth is slow (--auth callback)', () => {
  let server: TestServer;
  let hook: Server;
  let port: number;
  before(async () => {
    // An auth callback that never answers: every conclusion waits for the callback timeout.
    hook = createServer(() => undefined);
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', () => r()));
    server = await startSrtTestServer({
      auth: 'callback', 'auth-callback-url': `http://127.0.0.1:${(hook.address() as AddressInfo).port}/`, 'auth-callback-timeout-ms': 1500,
    });
    port = server.ports.srt!;
  });
  after(async () => {
    await server.close();
    hook.closeAllConnections();
    await new Promise<void>((r) => hook.close(() => r()));
  });

  test('pending decisions are capped per address; the rest are refused as backlog; nothing is left after', async () => {
    const callers = await Promise.all(Array.from({ length: 60 }, () => new RawSrtCaller(port).open()));
    try {
      const cookies = await Promise.all(callers.map((c) => c.induction()));
      // Each caller waits for its answer well past the callback's 1.5 s timeout (a bound: the refusal is the answer).
      const outcomes = callers.map((c, i) => c.conclude(`#!::r=live/flood${i},m=publish`, { cookie: cookies[i]!, waitMs: 10_000 }));
      await sleep(300);
      assert.equal(server.srt!.handshakesInProgress, 16, 'at most 16 pending from one address');
      const results = await Promise.all(outcomes);
      const backlog = results.filter((r) => r.kind === 'rejected' && r.reason === RejectReason.backlog).length;
      const unauthorized = results.filter((r) => r.kind === 'rejected' && r.reason === RejectReason.unauthorized).length;
      assert.equal(backlog, 44, JSON.stringify(results));
      assert.equal(unauthorized, 16, 'the callback timed out: refused');
      assert.equal(server.srt!.handshakesInProgress, 0);
      assert.equal(server.srt!.sessionCount, 0);
    } finally {
      for (const c of callers) c.close();
    }
  });
});
