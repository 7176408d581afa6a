import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { WebSocket } from 'ws';
import { startTestServer, type TestServer } from '../../support/onair.js';
import { clip } from '../support/media.js';
import { run, sleep, waitFor } from '../support/proc.js';

const BUDGET = 262_144;
let server: TestServer;
before(async () => {
  server = await startTestServer({ 'subscriber-budget-bytes': BUDGET, 'slow-subscriber-timeout-ms': 600_000 });
});
after(async () => {
  await server.close();
});

/** A raw HTTP/1.1 GET whose socket is then paused: the player stops reading, the kernel buffers fill. */
function stalledGet(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(server.ports.http, '127.0.0.1', () => {
      s.write(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`);
      s.once('data', () => {
        s.pause();
        resolve(s);
      });
    });
    s.setDefaultEncoding('latin1');
    s.on('error', reject);
  });
}

test('a stalled HTTP-FLV reader stays within its byte budget while a healthy one keeps up', async () => {
  // Published at 20x real time (~5 MB/s): the stalled reader's buffers fill within seconds, and the healthy one
  // is measured against the server, not against whatever rate this machine can push through one process.
  const file = await clip('bframes.flv');
  const pub = run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-readrate', '20', '-stream_loop', '-1', '-i', file, '-c', 'copy', '-f', 'flv', server.rtmpUrl('stall')], { timeoutMs: 60_000 });
  try {
    await waitFor('active', () => server.hub.stream('live/stall')?.isActive, 20_000);
    const stalled = await stalledGet('/live/stall.flv');
    const healthy = new WebSocket(server.httpUrl('/ws/live/stall.flv').replace('http', 'ws'));
    let healthyBytes = 0;
    healthy.on('message', (d: Buffer) => (healthyBytes += d.length));
    const stream = server.hub.stream('live/stall')!;
    await waitFor('the stalled reader is dropped to keyframes', () => [...stream.subscriptions()].some((s) => s.info.protocol === 'flv' && s.stats.dropEpisodes > 0), 20_000);
    const before = stream.stats.bytesIn;
    const healthyBefore = healthyBytes;
    await sleep(2000);
    const limit = BUDGET + server.config.maxMessageSize;
    const subs = [...stream.subscriptions()].filter((s) => s.info.protocol === 'flv' || s.info.protocol === 'ws-flv');
    assert.equal(subs.length, 2);
    for (const s of subs) assert.ok(s.pendingBytes <= limit, `pending ${s.pendingBytes} over ${limit}`);
    const published = stream.stats.bytesIn - before;
    const received = healthyBytes - healthyBefore;
    assert.ok(published > 1_000_000, `the publisher kept pushing (${published} bytes)`);
    // The healthy viewer may have skipped part of its start-up GOP burst, but keeps up with the stream since.
    assert.ok(received > published * 0.9, `healthy viewer got ${received} of ${published} bytes`);
    stalled.destroy();
    healthy.close();
    await waitFor('both viewers gone', () => [...stream.subscriptions()].every((s) => s.info.protocol !== 'flv' && s.info.protocol !== 'ws-flv'));
  } finally {
    await pub.kill();
  }
});

test('closing the server ends every HTTP-FLV and WS-FLV viewer', async () => {
  const own = await startTestServer();
  const file = await clip('av.flv');
  const pub = run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-re', '-stream_loop', '-1', '-i', file, '-c', 'copy', '-f', 'flv', own.rtmpUrl('bye')], { timeoutMs: 60_000 });
  try {
    await waitFor('active', () => own.hub.stream('live/bye')?.isActive, 20_000);
    const res = await fetch(own.httpUrl('/live/bye.flv'));
    const body = res.body!.getReader();
    await body.read();
    const ws = new WebSocket(own.httpUrl('/ws/live/bye.flv').replace('http', 'ws'));
    ws.on('error', () => {});
    const wsClosed = new Promise<number>((r) => ws.on('close', (code) => r(code)));
    await new Promise((r) => ws.once('open', r));
    const protocols = () => [...own.hub.stream('live/bye')!.subscriptions()].map((s) => s.info.protocol).filter((p) => p.includes('flv')).sort();
    await waitFor('two viewers', () => protocols().join() === 'flv,ws-flv');
    await own.close();
    assert.equal(await wsClosed, 1001);
    // The HTTP body ends (or is cut): reading finishes instead of hanging.
    for (;;) {
      const r = await body.read().catch(() => ({ done: true }));
      if (r.done) break;
    }
  } finally {
    await pub.kill();
    await own.close();
  }
});
