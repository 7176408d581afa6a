import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, TEST_API_TOKEN, type TestServer } from '../../support/onair.js';
import { ffmpegPublish } from '../support/clients.js';
import { sleep, waitFor, type Proc } from '../support/proc.js';
import { checkMediaPlaylist, parseMediaPlaylist } from '../../src/formats/m3u8/index.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- API responses are checked field by field */

async function createStream(server: TestServer, settings: Record<string, unknown>): Promise<any> {
  const res = await fetch(server.httpUrl('/api/v1/streams'), {
    method: 'POST', headers: { authorization: `Bearer ${TEST_API_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ settings }),
  });
  assert.equal(res.status, 201);
  return res.json();
}

/** The first media playlist the master playlist of `playbackId` lists, once it has a segment. */
async function mediaPlaylist(server: TestServer, playbackId: string): Promise<string> {
  const master = await (await fetch(server.httpUrl(`/hls/${playbackId}/index.m3u8`))).text();
  const uri = master.split('\n').find((l) => l && !l.startsWith('#'));
  assert.ok(uri, `master playlist lists a media playlist:\n${master}`);
  return (await fetch(server.httpUrl(`/hls/${playbackId}/${uri}`))).text();
}

/** An HTTP-FLV viewer reading in the background: bytes so far, whether the server ended the response. */
async function flvViewer(url: string): Promise<{ bytes(): number; ended(): boolean; close(): void }> {
  const abort = new AbortController();
  const res = await fetch(url, { signal: abort.signal });
  assert.equal(res.status, 200);
  const reader = res.body!.getReader();
  let bytes = 0;
  let ended = false;
  void (async () => {
    for (;;) {
      const r = await reader.read();
      if (r.done) break;
      bytes += r.value.length;
    }
    ended = true;
  })().catch(() => {}); // aborted by close()
  return { bytes: () => bytes, ended: () => ended, close: () => abort.abort() };
}

describe('per-stream latency mode and reconnect window (API settings) reach HLS', () => {
  let server: TestServer;
  let low: any;
  let standard: any;
  let lowest: any;
  const publishers: Proc[] = [];
  before(async () => {
    // The server default is low latency with a 60 s reconnect window; the second stream asks for neither.
    server = await startTestServer({ auth: 'keys' });
    low = await createStream(server, {});
    standard = await createStream(server, { latencyMode: 'standard', reconnectWindowSec: 0 });
    lowest = await createStream(server, { latencyMode: 'lowest' });
    for (const s of [low, standard, lowest]) publishers.push(await ffmpegPublish(`${s.ingest.rtmp}/${s.streamKey}`, 'av.flv'));
  });
  after(async () => {
    for (const p of publishers) await p.kill();
    await server.close();
  });

  test('latencyMode: the low stream has LL-HLS parts, the standard one plain segments', async () => {
    const withSegment = (id: string) => waitFor(`${id} has a segment`, async () => {
      const text = await mediaPlaylist(server, id);
      return /#EXTINF:/.test(text) ? text : undefined;
    }, 30_000);
    const lowText = await withSegment(low.playbackId);
    const standardText = await withSegment(standard.playbackId);
    assert.match(lowText, /#EXT-X-PART-INF:PART-TARGET=/);
    assert.match(lowText, /#EXT-X-PART:/);
    assert.doesNotMatch(standardText, /#EXT-X-PART/);
    assert.doesNotMatch(standardText, /CAN-BLOCK-RELOAD/);
    const target = (t: string) => Number(/#EXT-X-TARGETDURATION:(\d+)/.exec(t)?.[1]);
    assert.ok(target(standardText) > target(lowText), `standard segments are longer (${target(standardText)} s vs ${target(lowText)} s)`);
  });

  test('latencyMode lowest: PART-TARGET 0.135 s, PART-HOLD-BACK 2 part targets, parts within the rules; the low stream beside it keeps its own', async () => {
    // Complete segments with parts, over several reloads (a part cut late would show on one of them).
    let nonFinal = 0;
    let prev: ReturnType<typeof parseMediaPlaylist> | undefined;
    for (let i = 0; i < 6; i++) {
      const text = await waitFor('lowest has a segment', async () => {
        const t = await mediaPlaylist(server, lowest.playbackId);
        return /#EXTINF:/.test(t) ? t : undefined;
      }, 30_000);
      assert.match(text, /#EXT-X-PART-INF:PART-TARGET=0\.135\n/, text);
      assert.match(text, /PART-HOLD-BACK=0\.27\b/, text);
      const p = parseMediaPlaylist(text);
      assert.deepEqual(checkMediaPlaylist(p, prev), [], `reload ${i}`);
      prev = p;
      // Parts of complete segments: every one <= PART-TARGET, every non-final one >= 85 % of it.
      for (const seg of p.segments) {
        const parts = seg.parts ?? [];
        for (const part of parts) assert.ok(part.duration <= 0.135 + 1e-9, `part of ${part.duration} s over PART-TARGET 0.135`);
        for (const part of parts.slice(0, -1)) {
          assert.ok(part.duration >= 0.85 * 0.135 - 1e-9, `non-final part of ${part.duration} s under 85 % of 0.135`);
          nonFinal++;
        }
      }
      await sleep(300);
    }
    assert.ok(nonFinal >= 20, `${nonFinal} non-final parts checked`);
    const lowText = await mediaPlaylist(server, low.playbackId);
    assert.match(lowText, /#EXT-X-PART-INF:PART-TARGET=0\.21\n/, lowText);
    assert.match(lowText, /PART-HOLD-BACK=0\.63\b/, lowText);
  });

  test('reconnectWindowSec: 0 ends the playlist and HTTP-FLV viewers when the publisher leaves; the default window keeps the other open', async () => {
    const flvStandard = await flvViewer(server.httpUrl(`/live/${standard.playbackId}.flv`));
    const flvLow = await flvViewer(server.httpUrl(`/live/${low.playbackId}.flv`));
    try {
      await waitFor('both FLV viewers receive media', () => flvStandard.bytes() > 10_000 && flvLow.bytes() > 10_000, 10_000);
      for (const p of publishers.splice(0)) await p.kill();
      const ended = await waitFor('standard stream ENDLIST', async () => /#EXT-X-ENDLIST/.test(await mediaPlaylist(server, standard.playbackId)), 10_000);
      assert.ok(ended);
      await waitFor('the standard stream\'s FLV response ends', () => flvStandard.ended(), 5_000);
      await sleep(1_000);
      assert.doesNotMatch(await mediaPlaylist(server, low.playbackId), /#EXT-X-ENDLIST/, 'the low stream waits out its 60 s window');
      assert.equal(flvLow.ended(), false, 'its FLV viewer waits for the publisher too');
    } finally {
      flvStandard.close();
      flvLow.close();
    }
  });
});
