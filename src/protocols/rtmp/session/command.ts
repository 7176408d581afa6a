import { OnAirError } from '../../../core/errors.js';
import { amfObject, decodeAmf0, encodeAmf0, type AmfObject, type AmfValue } from '../../../formats/amf/index.js';

/** A decoded RTMP command message (types 20 / 17): name, transaction id, command object, arguments. */
export interface RtmpCommand {
  readonly name: string;
  readonly txn: number;
  readonly object: AmfObject | null;
  readonly args: readonly AmfValue[];
}

/**
 * Decodes a command message body. Type 17 (AMF3 command) starts with a format byte 0 and then carries AMF0
 * values whose objects may switch to AMF3 (marker 0x11), which decodeAmf0 follows.
 */
export function decodeCommand(payload: Buffer, amf3: boolean): RtmpCommand {
  const body = amf3 && payload[0] === 0 ? payload.subarray(1) : payload;
  const values = decodeAmf0(body);
  const [name, txn, object, ...args] = values;
  if (typeof name !== 'string') throw new OnAirError('ONAIR_ERR_MALFORMED', 'command name is not a string');
  if (txn !== undefined && typeof txn !== 'number') throw new OnAirError('ONAIR_ERR_MALFORMED', `${name}: transaction id is not a number`);
  const obj = object === undefined || object === null ? null : amfObject(object) ?? null;
  return { name, txn: txn ?? 0, object: obj, args };
}

/** Decodes a data message (types 18 / 15): a handler name and its values (`@setDataFrame`, `onMetaData`, ...). */
export function decodeData(payload: Buffer, amf3: boolean): AmfValue[] {
  return decodeAmf0(amf3 && payload[0] === 0 ? payload.subarray(1) : payload);
}

export function resultCommand(txn: number, object: AmfValue, ...args: AmfValue[]): Buffer {
  return encodeAmf0('_result', txn, object, ...args);
}

export function errorCommand(txn: number, info: AmfObject): Buffer {
  return encodeAmf0('_error', txn, null, info);
}

/** `onStatus, 0, null, info`: the exact shape ffmpeg's handle_invoke_status parses (two values skipped). */
export function statusCommand(level: 'status' | 'error' | 'warning', code: string, description: string, extra: AmfObject = {}): Buffer {
  return encodeAmf0('onStatus', 0, null, { level, code, description, ...extra });
}

export function stringArg(cmd: RtmpCommand, index: number, what: string): string {
  const v = cmd.args[index];
  if (typeof v !== 'string') throw new OnAirError('ONAIR_ERR_MALFORMED', `${cmd.name}: ${what} is not a string`);
  return v;
}
