/**
 * A real small volume (a tmpfs, mounted as root): the free-space floor stops a recording with ffmpeg
 * publishing (statfs read by the server), and a volume that really fills up (no floor) ends the recording
 * as write_failed with a playable file. Mounting needs root (npm test runs as root to install packages);
 * without it these tests are skipped and the floor logic is covered with an injected free-space reader in
 * src/services/recording/recording-service.test.ts.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, TEST_API_TOKEN, type TestServer } from '../../support/onair.js';
import type { Proc } from '../support/proc.js';
import { encodeTestMedia } from '../../src/formats/fmp4/testing/ffmpeg-media.js';
import { recorderRig } from '../../src/bridges/record/testing/recorder-harness.js';
import { apiClient, probeMp4, publishLooped, waitAsset } from '../support/record-api.js';

const root = process.getuid?.() === 0;
const skip = root ? false : 'mounting a tmpfs needs root';

function mountTmpfs(sizeKb: number): { dir: string; unmount(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'onair-tmpfs-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKb}k`, 'tmpfs', dir]);
  return {
    dir,
    unmount: () => {
      execFileSync('umount', [dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

describe('recordings on a small volume', { skip }, () => {
  let volume: ReturnType<typeof mountTmpfs>;
  let server: TestServer;
  before(async () => {
    volume = mountTmpfs(8 * 1024);
    // The floor is 1 MB under the volume's size: the second megabyte recorded crosses it.
    server = await startTestServer({ auth: 'keys', 'log-level': 'info', 'record-dir': volume.dir, 'record-min-free-mb': 7 });
  });
  after(async () => {
    await server?.close();
    volume?.unmount();
  });

  test('below --record-min-free-mb the recording stops: failed, disk_full, what was written stays playable; none starts', async () => {
    const api = apiClient(server.httpUrl(''), TEST_API_TOKEN);
    const stream = await api('POST', '/streams', { settings: { record: true, reconnectWindowSec: 0 } });
    let pub: Proc | undefined = await publishLooped(`${stream.ingest.rtmp}/${stream.streamKey}`, 'bframes.flv');
    try {
      const failed = await waitAsset(api, stream.id, (a) => a.status === 'failed', 'the floor stops the recording', 60_000);
      assert.equal(failed.endReason, 'disk_full');
      assert.match(failed.error, /MB free on the recordings volume, below the floor of 7 MB \(--record-min-free-mb\)/);
      const mp4 = await probeMp4(join(volume.dir, failed.id, 'recording.mp4'));
      assert.ok(Math.abs(mp4.durationSec - failed.durationSec) < 0.3, `file ${mp4.durationSec} s, asset ${failed.durationSec} s`);
      assert.ok(failed.durationSec > 1);
      await pub.kill();
      pub = await publishLooped(`${stream.ingest.rtmp}/${stream.streamKey}`, 'bframes.flv');
      const refused = await waitAsset(api, stream.id, (a) => a.id !== failed.id, 'a second publish', 30_000);
      assert.equal(refused.status, 'failed');
      assert.equal(refused.endReason, 'disk_full');
      assert.equal(refused.sizeBytes, 0);
    } finally {
      await pub?.kill();
    }
  });

  test('a volume that fills up (no floor): write_failed with ENOSPC, the file cut back to whole fragments', async () => {
    const small = mountTmpfs(256);
    const rig = recorderRig({ dir: join(small.dir, 'rec') });
    try {
      rig.publish(encodeTestMedia(10, 25)); // ~0.5 MB of media for 256 KB
      const result = await rig.finished;
      assert.equal(result.reason, 'write_failed');
      assert.match(result.error ?? '', /ENOSPC/);
      const mp4 = await probeMp4(join(small.dir, 'rec', 'recording.mp4'));
      assert.ok(Math.abs(mp4.durationSec - result.durationMs / 1000) < 0.2, `file ${mp4.durationSec} s, recorded ${result.durationMs} ms`);
    } finally {
      rig.cleanup();
      small.unmount();
    }
  });
});
