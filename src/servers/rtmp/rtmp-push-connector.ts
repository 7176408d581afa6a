import type { StreamHub } from '../../hub/index.js';
import { RtmpPush } from '../../bridges/rtmp/rtmp-push-sink.js';
import type { SharedChunks } from '../../bridges/rtmp/shared-chunks.js';
import type { FlushScheduler } from '../../core/flush-scheduler.js';
import { PUBLISHER_MAX_INBOUND_MESSAGE } from '../../protocols/rtmp/index.js';
import type { PushFailure, PushHandle, PushHooks, PushRequest, TargetConnector } from '../../services/repush/index.js';
import { RtmpClient } from './rtmp-client.js';
import { parseRtmpServerUrl } from './rtmp-url.js';
import { classifyPushError } from './push-error-class.js';

/**
 * Re-push over RTMP(S) with OnAir's own client: the services/repush TargetConnector port. The RTMP server's
 * SharedChunks and FlushScheduler serve the targets too: a packet is serialised once for every player and target
 * of a stream, and each writes once per round.
 */
export function rtmpPushConnector(hub: StreamHub, out: PushOutputs): TargetConnector {
  return (req, hooks) => new RtmpPushAttempt(hub, out, req, hooks);
}

/** What every target of the server shares: the serialisation cache and the write rounds (RtmpServer's). */
export interface PushOutputs {
  readonly shared: SharedChunks;
  readonly scheduler: FlushScheduler;
}

/** One connection to a target: connect, publish, relay (across publishers of the source) until it ends or is closed. */
class RtmpPushAttempt implements PushHandle {
  private client: RtmpClient | undefined;
  private push: RtmpPush | undefined;
  private ended = false;
  /** Stops a connect or publish in progress at close(), instead of letting it run to its deadline. */
  private readonly abort = new AbortController();

  constructor(
    private readonly hub: StreamHub,
    private readonly out: PushOutputs,
    private readonly req: PushRequest,
    private readonly hooks: PushHooks,
  ) {
    void this.run();
  }

  get bytesOut(): number {
    return this.push?.bytesOut ?? 0;
  }

  get droppedFrames(): number {
    return this.push?.droppedFrames ?? 0;
  }

  close(reason: string): void {
    if (this.ended) return;
    this.ended = true;
    this.push?.close(reason);
    if (this.client && this.push) this.client.close(); // live: unpublish politely
    else this.abort.abort();
  }

  private async run(): Promise<void> {
    try {
      // Plain handshake, as OBS (librtmp) does against every ingest; the key is the publish name.
      const client = await RtmpClient.connect(parseRtmpServerUrl(this.req.url), { onClose: (err) => this.end(err) }, {
        digest: false, rejectUnauthorized: this.req.tlsVerify, timeoutMs: this.req.timeoutMs, chunkSize: this.out.shared.chunkSize,
        maxMessageSize: PUBLISHER_MAX_INBOUND_MESSAGE, signal: this.abort.signal,
      });
      this.client = client;
      const streamId = await client.publish(this.req.streamKey);
      if (this.ended) return client.close();
      this.push = new RtmpPush(this.hub, this.req.hubPath, { session: client.session, output: client.output, streamId }, this.out,
        { budgetBytes: this.req.budgetBytes, slowTimeoutMs: this.req.slowTimeoutMs }, { onClose: (reason) => this.end(new TargetStalled(reason)) });
      this.hooks.onLive();
    } catch (err) {
      this.end(err);
    }
  }

  /** The connection ended by itself: report once, release everything. */
  private end(err: unknown): void {
    if (this.ended) return;
    this.ended = true;
    this.push?.close('target connection ended');
    this.client?.destroy();
    this.hooks.onEnd(failureOf(err));
  }
}

class TargetStalled extends Error {}

function failureOf(err: unknown): PushFailure {
  // The hub closed the subscription: over its byte budget for too long (or shutdown).
  if (err instanceof TargetStalled) return { class: 'timeout', message: `target stopped reading: ${err.message}` };
  if (err === undefined) return { class: 'closed', message: 'connection closed' };
  const message = err instanceof Error ? err.message : String(err);
  return { class: classifyPushError(err), message };
}
