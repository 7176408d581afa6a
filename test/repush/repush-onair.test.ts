import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import selfsigned from 'selfsigned';
import { startTestServer, type TestServer } from '../../support/onair.js';
import { clip } from '../support/media.js';
import { ffmpegPublish, ffprobeStreams } from '../support/clients.js';
import { waitFor } from '../support/proc.js';
import { addTarget, apiOk, createStream, packetCounts, publishOnce, waitTarget } from '../support/repush-harness.js';

/** A self-signed certificate for 127.0.0.1 / localhost (valid names: only the chain is untrusted). */
async function selfSignedFiles(dir: string): Promise<{ cert: string; key: string }> {
  const pems = await selfsigned.generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec', notAfterDate: new Date(Date.now() + 24 * 3600 * 1000),
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] }],
  });
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  writeFileSync(cert, pems.cert);
  writeFileSync(key, pems.private);
  return { cert, key };
}

describe('re-push to a second OnAir over RTMP and RTMPS', () => {
  let source: TestServer;
  let target: TestServer;
  let certDir: string;
  before(async () => {
    certDir = mkdtempSync(join(tmpdir(), 'onair-repush-tls-'));
    const { cert, key } = await selfSignedFiles(certDir);
    source = await startTestServer({ auth: 'keys', 'repush-retry-min-ms': 300, 'repush-retry-max-ms': 2000 });
    // The one-GOP clip stays whole in the target's GOP cache, so a reader that joins late still gets every frame.
    target = await startTestServer({ auth: 'open', 'tls-cert': cert, 'tls-key': key, 'gop-cache-max-ms': 30_000 });
  });
  after(async () => {
    await source?.close();
    await target?.close();
    rmSync(certDir, { recursive: true, force: true });
  });

  test('RTMP and RTMPS targets get every frame; a verified RTMPS target refuses the self-signed certificate', async () => {
    // A 1 s reconnect window: the targets end (and the readers of the target with them) soon after the source.
    const stream = await createStream(source, { reconnectWindowSec: 1 });
    const plainUrl = `rtmp://127.0.0.1:${target.ports.rtmp}/live`;
    const tlsUrl = `rtmps://127.0.0.1:${target.ports.rtmps}/live`;
    const plain = await addTarget(source, stream.id, { url: plainUrl, streamKey: 'onair-rtmp-target-01' });
    const tls = await addTarget(source, stream.id, { url: tlsUrl, streamKey: 'onair-rtmps-target-1', tlsVerify: false });
    const verified = await addTarget(source, stream.id, { url: tlsUrl, streamKey: 'onair-rtmps-verified' });
    assert.equal(verified.tlsVerify, true, 'certificate verification is on by default');

    const pub = await publishOnce(stream.ingest, 'one-gop.flv');
    await waitTarget(source, stream.id, plain.id, 'rtmp target live', (t) => t.status === 'live');
    await waitTarget(source, stream.id, tls.id, 'rtmps target live', (t) => t.status === 'live');
    await waitFor('target streams published', () => target.hub.stream('live/onair-rtmp-target-01')?.publisher && target.hub.stream('live/onair-rtmps-target-1')?.publisher);
    assert.equal(target.hub.stream('live/onair-rtmps-target-1')!.publisher!.info.protocol, 'rtmps', 'arrived over TLS');
    // Readers of the target: they end when the re-push ends (UnpublishNotify).
    const readPlain = packetCounts(target.rtmpUrl('onair-rtmp-target-01'));
    const readTls = packetCounts(target.rtmpUrl('onair-rtmps-target-1'));
    for (const read of [readPlain, readTls]) read.catch(() => {}); // awaited below, after other assertions
    const probed = await ffprobeStreams(target.rtmpUrl('onair-rtmps-target-1'));
    assert.deepEqual(probed.map((s) => s.codec_name).sort(), ['aac', 'h264']);

    const refused = await waitTarget(source, stream.id, verified.id, 'verified target refused', (t) => t.lastError !== null);
    assert.equal(refused.lastError.class, 'tls', refused.lastError.message);
    assert.notEqual(refused.status, 'live');
    assert.equal(target.hub.stream('live/onair-rtmps-verified')?.publisher, undefined);

    assert.equal(await pub.exited, 0, pub.stderr());
    const sourceCounts = await packetCounts(await clip('one-gop.flv'));
    for (const [name, read] of [['rtmp', readPlain], ['rtmps', readTls]] as const) {
      const got = await read;
      assert.ok(Math.abs(got.video - sourceCounts.video) <= sourceCounts.video * 0.01, `${name} video: ${got.video} vs source ${sourceCounts.video}`);
      assert.ok(Math.abs(got.audio - sourceCounts.audio) <= sourceCounts.audio * 0.01, `${name} audio: ${got.audio} vs source ${sourceCounts.audio}`);
      assert.ok(got.firstVideoKey, `${name}: starts at a keyframe`);
    }
    await waitTarget(source, stream.id, plain.id, 'idle after the source ended', (t) => t.status === 'idle');
  });

  test('a target pushes a ladder rung; disable stops it at once and enable starts it again', async () => {
    const stream = await createStream(source, { ladder: [{ name: '240p', height: 240, videoBitrateKbps: 300 }] });
    const rung = await addTarget(source, stream.id, { url: `rtmp://127.0.0.1:${target.ports.rtmp}/live`, streamKey: 'onair-rung-target-01', rendition: '240p' });
    const pub = await ffmpegPublish(stream.ingest);
    try {
      await waitTarget(source, stream.id, rung.id, 'rung target live', (t) => t.status === 'live', 60_000);
      const streams = await ffprobeStreams(target.rtmpUrl('onair-rung-target-01'));
      assert.equal(streams.find((s) => s.codec_type === 'video')?.height, 240, 'the target got the 240p rendition');

      const off = await apiOk(source, 'PATCH', `/streams/${stream.id}/targets/${rung.id}`, { enabled: false });
      assert.equal(off.status, 'idle', 'disable takes effect before the answer');
      await waitFor('target unpublished', () => !target.hub.stream('live/onair-rung-target-01')?.publisher);
      const on = await apiOk(source, 'PATCH', `/streams/${stream.id}/targets/${rung.id}`, { enabled: true });
      assert.ok(['connecting', 'live'].includes(on.status), on.status);
      await waitTarget(source, stream.id, rung.id, 'live again', (t) => t.status === 'live');
      await waitFor('target published again', () => target.hub.stream('live/onair-rung-target-01')?.publisher);

      await apiOk(source, 'DELETE', `/streams/${stream.id}/targets/${rung.id}`);
      await waitFor('target unpublished after delete', () => !target.hub.stream('live/onair-rung-target-01')?.publisher);
    } finally {
      await pub.kill();
    }
  });
});
