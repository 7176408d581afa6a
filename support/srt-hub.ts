import type { StreamMetadata } from '../src/core/media-packet.js';
import type { SubscriberSink } from '../src/hub/index.js';
import type { StartOptions } from '../src/app.js';
import { freeUdpPort, retryIfPortTaken } from './free-port.js';
import { startTestServer, type TestServer } from './onair.js';

// What the SRT tests and bench/srt-ingest.ts both use: a free UDP port and frame counts taken in the hub.

/** SRT's --srt-port 0 means off, so tests pick a free one (below the ephemeral range: see free-port.ts). */
export { freeUdpPort };

/**
 * startTestServer with SRT on a free UDP port (its `ports.srt`), started again on another one should the server find
 * it taken (it binds it seconds later: a start copies the database template).
 */
export function startSrtTestServer(flags: Record<string, string | number> = {}, options: StartOptions = {}): Promise<TestServer> {
  return retryIfPortTaken(async () => startTestServer({ ...flags, 'srt-port': await freeUdpPort() }, options), (err) => /already in use.*--srt-port/.test(err.message));
}

export interface FrameCounter {
  /** Frames delivered to this subscriber (which starts at the first video keyframe, like every player). */
  readonly video: number;
  readonly audio: number;
  /** Frames the hub took in from publishers on the path since the counter started (no keyframe gate). */
  ingested(): { video: number; audio: number };
  readonly keyframes: number;
  readonly publishers: number;
  close(): void;
}

/**
 * Counts the frames the hub delivers on `path` from before the publisher starts (an in-process subscriber,
 * waiting for a publisher): what every output of OnAir gets, to compare with the source clip.
 */
export function hubFrameCounter(server: TestServer, path: string): FrameCounter {
  const counts = { video: 0, audio: 0, keyframes: 0, publishers: 0 };
  const sink: SubscriberSink = {
    pendingBytes: 0,
    latencyToleranceMs: Infinity,
    onMetadata: (_m: StreamMetadata) => undefined,
    onPacket: (p) => {
      if (p.role !== 'frame') return;
      counts[p.kind]++;
      if (p.kind === 'video' && p.keyframe) counts.keyframes++;
    },
    onPublisherEnd: () => undefined,
    onPublisherStart: () => void counts.publishers++,
    onClose: () => undefined,
  };
  const sub = server.hub.subscribe(path, { protocol: 'test', remoteAddress: '127.0.0.1' }, sink, { waitForPublisher: true });
  // The stream may outlive a publisher (HLS keeps it for the reconnect window): count from now on.
  const { videoFrames: video0, audioFrames: audio0 } = server.hub.stream(path)!.stats;
  return {
    get video() { return counts.video; },
    get audio() { return counts.audio; },
    get keyframes() { return counts.keyframes; },
    get publishers() { return counts.publishers; },
    ingested: () => {
      const s = server.hub.stream(path)!.stats;
      return { video: s.videoFrames - video0, audio: s.audioFrames - audio0 };
    },
    close: () => sub.close('test done'),
  };
}
