/**
 * The HTTP viewer load client of bench/hls-viewers.ts, run as its own process pinned to another core than the
 * server: N simulated viewers (classic HLS segment polling, LL-HLS like hls.js, or HTTP-FLV), each on its own
 * keep-alive connection, speaking HTTP/1.1 by hand over net.Sockets (fetch and node:http cost 0.2-0.5 ms of CPU per
 * request, which would make the client the bottleneck), plus an optional side load of unknown playback ids with
 * /healthz probed meanwhile. Driven over IPC (http/viewers-protocol.ts); never asserts, only measures.
 */
import type { Command } from './http/viewers-protocol.js';
import { ViewerCrowd } from './http/viewer-crowd.js';

let crowd: ViewerCrowd | undefined;

function send(msg: unknown): void {
  process.send?.(msg);
}

process.on('message', (cmd: Command) => {
  try {
    switch (cmd.type) {
      case 'start': {
        const { type: _type, ...options } = cmd;
        crowd = new ViewerCrowd(options);
        crowd.start();
        setTimeout(() => send({ type: 'started' }), options.rampMs);
        break;
      }
      case 'window-start':
        crowd!.windowStart();
        send({ type: 'window-started' });
        break;
      case 'window-end':
        send({ type: 'window', report: crowd!.windowEnd() });
        break;
      case 'stop':
        crowd?.stop();
        send({ type: 'stopped' });
        setTimeout(() => process.exit(0), 100);
        break;
    }
  } catch (err) {
    send({ type: 'error', message: String((err as Error)?.stack ?? err) });
  }
});
send({ type: 'ready' });
