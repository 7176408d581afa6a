import { OnAirError } from '../../../core/errors.js';
import { expectLength } from './fixed-payload.js';

/** Limit types of Set Peer Bandwidth (spec 5.4.5). */
export const PeerBandwidthLimit = { HARD: 0, SOFT: 1, DYNAMIC: 2 } as const;
export type PeerBandwidthLimitType = (typeof PeerBandwidthLimit)[keyof typeof PeerBandwidthLimit];

/** Set Peer Bandwidth (type 6): window size for the peer's output, and how to apply it. */
export interface SetPeerBandwidth {
  size: number;
  limitType: PeerBandwidthLimitType;
}

export function decodeSetPeerBandwidth(payload: Buffer): SetPeerBandwidth {
  expectLength('SetPeerBandwidth', payload, 5);
  const limitType = payload[4]!;
  if (limitType > PeerBandwidthLimit.DYNAMIC) {
    throw new OnAirError('ONAIR_ERR_MALFORMED', `SetPeerBandwidth: unknown limit type ${limitType}`);
  }
  return { size: payload.readUInt32BE(0), limitType: limitType as PeerBandwidthLimitType };
}

export function encodeSetPeerBandwidth(msg: SetPeerBandwidth): Buffer {
  const out = Buffer.allocUnsafe(5);
  out.writeUInt32BE(msg.size >>> 0, 0);
  out[4] = msg.limitType;
  return out;
}
