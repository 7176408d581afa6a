import type { StreamHub } from '../../hub/index.js';
import { RtmpRelayIngest } from '../../bridges/relay/index.js';
import { EDGE_TOKEN_PARAM, type PullConnector, type PullHandle, type PullHooks, type PullRequest } from '../../services/edge/index.js';
import { RtmpStatusError } from '../../protocols/rtmp/index.js';
import { RtmpClient } from './rtmp-client.js';
import { parseRtmpUrl } from './rtmp-url.js';

/**
 * Internal pulls over RTMP with OnAir's own client: the services/edge PullConnector port. Plays
 * `<owner>/<hub path>?onair_edge=<token>` and relays what the owner
 * plays into the local hub (bridges/relay).
 */
export function rtmpPullConnector(hub: StreamHub): PullConnector {
  return (req, hooks) => new RtmpPullAttempt(hub, req, hooks);
}

/**
 * The play URL of a pull: the hub path is app + name (the last segment is the name, as the owner's server splits
 * it, so `app/name` is the path again). Carries the token, so it is never logged.
 */
export function pullUrl(req: Pick<PullRequest, 'owner' | 'path' | 'token'>): string {
  return `${req.owner.rtmpUrl}/${req.path}?${EDGE_TOKEN_PARAM}=${req.token}`;
}

class RtmpPullAttempt implements PullHandle {
  private client: RtmpClient | undefined;
  private readonly relay: RtmpRelayIngest;
  private ended = false;
  private readonly abort = new AbortController();

  constructor(hub: StreamHub, private readonly req: PullRequest, private readonly hooks: PullHooks) {
    this.relay = new RtmpRelayIngest(hub, req.path, req.publisher, (reason) => this.end(new Error(`local publisher kicked: ${reason}`)));
    void this.run();
  }

  close(reason: string): void {
    if (this.ended) return;
    this.ended = true;
    this.relay.close(reason);
    if (this.client) this.client.close();
    else this.abort.abort();
  }

  private async run(): Promise<void> {
    try {
      const url = parseRtmpUrl(pullUrl(this.req));
      // The relay exists before play: media can follow Play.Start in the same read, before play() resolves.
      const client = await RtmpClient.connect(url, {
        onMessage: (m) => this.relay.onMessage(m),
        onStatus: (_sid, info) => {
          try {
            if (typeof info.code === 'string') this.relay.onStatus(info.code);
          } catch (err) {
            this.end(err);
          }
        },
        onClose: (err) => this.end(err),
      }, { digest: false, timeoutMs: this.req.timeoutMs, signal: this.abort.signal });
      this.client = client;
      await client.play(url.name);
      if (this.ended) return client.close();
      this.hooks.onLive();
    } catch (err) {
      this.end(err);
    }
  }

  private end(err: unknown): void {
    if (this.ended) return;
    this.ended = true;
    this.relay.close('pull ended');
    this.client?.destroy();
    this.abort.abort();
    const notFound = err instanceof RtmpStatusError && err.statusCode === 'NetStream.Play.StreamNotFound';
    this.hooks.onEnd(err instanceof Error ? err : err === undefined ? undefined : new Error(String(err)), notFound);
  }
}
