import type { EdgePulls } from '../services/edge/index.js';

/**
 * What the playback servers ask of the edge (services/edge EdgePulls): `ensure` when a viewer asks for a stream
 * with no publisher here (resolves true once it plays here, pulled from its owner), `between` when it did not (the
 * stream is between owners: retry, rather than not live), `touch` on every HLS request (HLS viewers are requests,
 * not subscribers). Absent = this server pulls nothing.
 */
export type EdgePort = Pick<EdgePulls, 'ensure' | 'touch' | 'between'>;
