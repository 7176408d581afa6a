import { KeepAliveConnection } from './keep-alive-connection.js';
import { RETRY_DELAY_MS } from './limits.js';
import type { Viewer, ViewerEnv } from './viewer.js';
import { ViewerCounters } from './viewer-counters.js';

/**
 * An HTTP-FLV viewer (mpegts.js, ffplay): one long GET whose body is the live stream, read eagerly and counted as it
 * arrives. The stream ending (or a refusal) is counted as `flv ended <status>` and the viewer asks again after a pause.
 */
export class FlvViewer implements Viewer {
  readonly counters = new ViewerCounters();
  private readonly conn: KeepAliveConnection;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly env: ViewerEnv, private readonly phaseMs: number) {
    this.conn = new KeepAliveConnection(env.target, this.counters);
  }

  start(): void {
    this.timer = setTimeout(this.play, this.phaseMs);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.conn.close();
  }

  private readonly play = (): void => {
    if (!this.stopped) this.conn.get(this.env.path, 'media', this.onEnd);
  };

  private readonly onEnd = (status: number): void => {
    if (this.stopped) return;
    this.counters.error('flv ended', status);
    this.timer = setTimeout(this.play, RETRY_DELAY_MS);
  };
}
