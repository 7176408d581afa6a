import { decodeAbort, type Abort } from './abort.js';
import { decodeAcknowledgement, type Acknowledgement } from './acknowledgement.js';
import { MessageType } from './message-types.js';
import { decodeSetChunkSize, type SetChunkSize } from './set-chunk-size.js';
import { decodeSetPeerBandwidth, type SetPeerBandwidth } from './set-peer-bandwidth.js';
import { decodeUserControl, type UserControl } from './user-control.js';
import { decodeWindowAckSize, type WindowAckSize } from './window-ack-size.js';

/** Any decoded protocol control message (types 1-6), tagged by kind. */
export type ControlMessage =
  | ({ kind: 'setChunkSize' } & SetChunkSize)
  | ({ kind: 'abort' } & Abort)
  | ({ kind: 'acknowledgement' } & Acknowledgement)
  | { kind: 'userControl'; control: UserControl }
  | ({ kind: 'windowAckSize' } & WindowAckSize)
  | ({ kind: 'setPeerBandwidth' } & SetPeerBandwidth);

/** Decodes types 1-6; null for any other type id. Throws ONAIR_ERR_MALFORMED / _LIMIT on a bad body. */
export function decodeControlMessage(typeId: number, payload: Buffer): ControlMessage | null {
  switch (typeId) {
    case MessageType.SET_CHUNK_SIZE: return { kind: 'setChunkSize', ...decodeSetChunkSize(payload) };
    case MessageType.ABORT: return { kind: 'abort', ...decodeAbort(payload) };
    case MessageType.ACKNOWLEDGEMENT: return { kind: 'acknowledgement', ...decodeAcknowledgement(payload) };
    case MessageType.USER_CONTROL: return { kind: 'userControl', control: decodeUserControl(payload) };
    case MessageType.WINDOW_ACK_SIZE: return { kind: 'windowAckSize', ...decodeWindowAckSize(payload) };
    case MessageType.SET_PEER_BANDWIDTH: return { kind: 'setPeerBandwidth', ...decodeSetPeerBandwidth(payload) };
    default: return null;
  }
}
