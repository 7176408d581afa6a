import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer } from '../../support/onair.js';
import { ffmpegPublish, ffprobeStreams } from '../support/clients.js';
import { runOk, waitFor } from '../support/proc.js';

test('ffmpeg publishes over rtmps:// (TLS) and the stream plays over rtmp://', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'onair-tls-'));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  await runOk('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost']);
  const server = await startTestServer({ 'tls-cert': cert, 'tls-key': key });
  try {
    assert.ok(server.ports.rtmps, 'rtmps listener opened');
    const pub = await ffmpegPublish(`rtmps://127.0.0.1:${server.ports.rtmps}/live/secure`);
    try {
      await waitFor('active over tls', () => server.hub.stream('live/secure')?.isActive);
      assert.equal(server.hub.stream('live/secure')!.publisher!.info.protocol, 'rtmps');
      const streams = await ffprobeStreams(server.rtmpUrl('secure'));
      assert.deepEqual(streams.map((s) => s.codec_name).sort(), ['aac', 'h264']);
    } finally {
      await pub.kill();
    }
  } finally {
    await server.close();
  }
});
