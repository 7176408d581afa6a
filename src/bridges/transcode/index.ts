import type { Readable, Writable } from 'node:stream';
import type { StreamMetadata } from '../../core/media-packet.js';
import type { PublisherInfo, StreamHub } from '../../hub/index.js';
import { FlvPipeInput, type FlvPipeInputHooks } from './flv-pipe-input.js';
import { FlvRenditionOutput, type FlvRenditionOutputHooks } from './flv-rendition-output.js';

export { FlvPipeInput, type FlvPipeInputHooks } from './flv-pipe-input.js';
export { FlvRenditionOutput, type FlvRenditionOutputHooks } from './flv-rendition-output.js';

/** The FLV pipe bridge as services/transcode's TranscodePipes port (wired in the composition root). */
export const flvTranscodePipes = {
  input: (hub: StreamHub, sourcePath: string, target: Writable, hooks: FlvPipeInputHooks) => new FlvPipeInput(hub, sourcePath, target, hooks),
  output: (hub: StreamHub, path: string, info: PublisherInfo, hooks: FlvRenditionOutputHooks) => {
    const out = new FlvRenditionOutput(hub, path, info, hooks);
    return {
      attach: (source: Readable, metadata: StreamMetadata) => out.attach(source, metadata),
      get published() {
        return out.published;
      },
      get runOffset() {
        return out.runOffset;
      },
      close: (reason: string) => out.close(reason),
    };
  },
};
