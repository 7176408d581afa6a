import { FlushScheduler } from '../../core/flush-scheduler.js';
import { SharedFlvBatches } from './shared-flv-batches.js';
import { SharedFlvTags } from './shared-flv-tags.js';

/**
 * What every HTTP-FLV and WS-FLV viewer of one server shares: each tag serialized once per cohort of viewers
 * (SharedFlvTags), one flush round per event-loop turn for all of them (FlushScheduler: a viewer's audio waits for
 * the next video frame, so a viewer costs one write per video frame), and each round's queued tags framed once
 * per cohort and carrier (SharedFlvBatches). The RTMP fan-out does the same with SharedChunks.
 */
export class FlvFanout {
  readonly tags = new SharedFlvTags();
  readonly batches = new SharedFlvBatches();
  readonly scheduler = new FlushScheduler(undefined, () => this.batches.endRound());
}
