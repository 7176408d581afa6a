import { OnAirError } from '../../../core/errors.js';
import { expectLength } from './fixed-payload.js';

/** User Control event types (spec 7.1.7). 5 is unused; 6/7 are the ping pair. */
export const UserControlEventType = {
  STREAM_BEGIN: 0,
  STREAM_EOF: 1,
  STREAM_DRY: 2,
  SET_BUFFER_LENGTH: 3,
  STREAM_IS_RECORDED: 4,
  PING_REQUEST: 6,
  PING_RESPONSE: 7,
} as const;

/** User Control message (type 4, spec 6.2): a 16-bit event type and its event data. */
export type UserControl =
  | { event: 'streamBegin'; streamId: number }
  | { event: 'streamEof'; streamId: number }
  | { event: 'streamDry'; streamId: number }
  | { event: 'streamIsRecorded'; streamId: number }
  | { event: 'setBufferLength'; streamId: number; bufferLengthMs: number }
  | { event: 'pingRequest'; timestamp: number }
  | { event: 'pingResponse'; timestamp: number }
  /**
   * Event types the spec does not define (Flash's SWF verification 0x1A/0x1B, buffer empty/ready
   * 31/32 seen from some servers): kept raw so a session can ignore them instead of failing.
   */
  | { event: 'unknown'; eventType: number; data: Buffer };

const STREAM_EVENTS = {
  [UserControlEventType.STREAM_BEGIN]: 'streamBegin',
  [UserControlEventType.STREAM_EOF]: 'streamEof',
  [UserControlEventType.STREAM_DRY]: 'streamDry',
  [UserControlEventType.STREAM_IS_RECORDED]: 'streamIsRecorded',
} as const;

export function decodeUserControl(payload: Buffer): UserControl {
  if (payload.length < 2) {
    throw new OnAirError('ONAIR_ERR_MALFORMED', `UserControl: body is ${payload.length} bytes, need 2`);
  }
  const eventType = payload.readUInt16BE(0);
  switch (eventType) {
    case UserControlEventType.STREAM_BEGIN:
    case UserControlEventType.STREAM_EOF:
    case UserControlEventType.STREAM_DRY:
    case UserControlEventType.STREAM_IS_RECORDED:
      expectLength('UserControl stream event', payload, 6);
      return { event: STREAM_EVENTS[eventType], streamId: payload.readUInt32BE(2) };
    case UserControlEventType.SET_BUFFER_LENGTH:
      expectLength('UserControl SetBufferLength', payload, 10);
      return { event: 'setBufferLength', streamId: payload.readUInt32BE(2), bufferLengthMs: payload.readUInt32BE(6) };
    case UserControlEventType.PING_REQUEST:
    case UserControlEventType.PING_RESPONSE:
      expectLength('UserControl ping', payload, 6);
      return {
        event: eventType === UserControlEventType.PING_REQUEST ? 'pingRequest' : 'pingResponse',
        timestamp: payload.readUInt32BE(2),
      };
    default:
      return { event: 'unknown', eventType, data: payload.subarray(2) };
  }
}

const EVENT_TYPES = {
  streamBegin: UserControlEventType.STREAM_BEGIN,
  streamEof: UserControlEventType.STREAM_EOF,
  streamDry: UserControlEventType.STREAM_DRY,
  streamIsRecorded: UserControlEventType.STREAM_IS_RECORDED,
  setBufferLength: UserControlEventType.SET_BUFFER_LENGTH,
  pingRequest: UserControlEventType.PING_REQUEST,
  pingResponse: UserControlEventType.PING_RESPONSE,
} as const;

export function encodeUserControl(msg: UserControl): Buffer {
  if (msg.event === 'unknown') {
    const out = Buffer.allocUnsafe(2 + msg.data.length);
    out.writeUInt16BE(msg.eventType, 0);
    msg.data.copy(out, 2);
    return out;
  }
  const out = Buffer.allocUnsafe(msg.event === 'setBufferLength' ? 10 : 6);
  out.writeUInt16BE(EVENT_TYPES[msg.event], 0);
  switch (msg.event) {
    case 'pingRequest':
    case 'pingResponse':
      out.writeUInt32BE(msg.timestamp >>> 0, 2);
      break;
    case 'setBufferLength':
      out.writeUInt32BE(msg.streamId >>> 0, 2);
      out.writeUInt32BE(msg.bufferLengthMs >>> 0, 6);
      break;
    default:
      out.writeUInt32BE(msg.streamId >>> 0, 2);
  }
  return out;
}
