/**
 * The HTTP viewer load client of bench/hls-viewers.ts, run as its own process pinned to another core than the
 * server: N simulated viewers (classic HLS segment polling, LL-HLS like hls.js, or HTTP-FLV), each on its own
 * keep-alive connection, speaking HTTP/1.1 by hand over net.Sockets (fetch and node:http cost 0.2-0.5 ms of CPU per
 * request, which would make the client the bottleneck), plus an optional side load of unknown playback ids with
 * /healthz probed meanwhile. Driven over IPC (http/viewers-protocol.ts); never asserts, only measures.
 */
import type { Command } from './http/viewers-protocol.js';
import { ViewerCrowd } from './http/viewer-crowd.js';
import { sendToParent, serveCommands } from './ipc-load-process.js';

let crowd: ViewerCrowd | undefined;

serveCommands<Command>((cmd) => {
  switch (cmd.type) {
    case 'start': {
      const { type: _type, ...options } = cmd;
      crowd = new ViewerCrowd(options);
      crowd.start();
      setTimeout(() => sendToParent({ type: 'started' }), options.rampMs);
      break;
    }
    case 'window-start':
      crowd!.windowStart();
      sendToParent({ type: 'window-started' });
      break;
    case 'window-end':
      sendToParent({ type: 'window', report: crowd!.windowEnd() });
      break;
  }
}, () => crowd?.stop());
