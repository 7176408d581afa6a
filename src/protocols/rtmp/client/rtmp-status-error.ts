import { OnAirError, type ErrorCode } from '../../../core/errors.js';
import type { AmfObject } from '../../../formats/amf/index.js';
import { MAX_STATUS_TEXT } from './limits.js';

/**
 * Status codes a server answers when it refuses the credentials or the name: NetConnection.Connect.Rejected
 * (nginx-rtmp, Wowza, YouTube for a bad app), NetStream.Publish.BadName (a wrong or busy stream key on most
 * servers, OnAir included), NetStream.Publish.Unauthorized (OnAir, SRS), NetStream.Play.Failed/StreamNotFound.
 */
const REFUSAL_CODES = /(Rejected|BadName|Unauthorized|StreamNotFound|Forbidden)$/;

/**
 * A server answered a command with `_error` or an onStatus of level "error". Carries the server's status
 * code and description (already cut to a sane length) so the caller can tell a refusal from anything else.
 */
export class RtmpStatusError extends OnAirError {
  constructor(
    readonly statusCode: string,
    readonly description: string,
  ) {
    super(errorCodeOf(statusCode), description ? `${statusCode}: ${description}` : statusCode);
  }

  /** From a server's info object (`{level, code, description}`), code and description cut to MAX_STATUS_TEXT. */
  static from(info: AmfObject | undefined, fallbackCode: string): RtmpStatusError {
    const code = typeof info?.code === 'string' && info.code ? info.code.slice(0, MAX_STATUS_TEXT) : fallbackCode;
    const description = typeof info?.description === 'string' ? info.description.slice(0, MAX_STATUS_TEXT) : '';
    return new RtmpStatusError(code, description);
  }

  /** True when the server refused the credentials or the stream name (auth, key, app). */
  get isRefusal(): boolean {
    return REFUSAL_CODES.test(this.statusCode);
  }
}

function errorCodeOf(statusCode: string): ErrorCode {
  return REFUSAL_CODES.test(statusCode) ? 'ONAIR_ERR_UNAUTHORIZED' : 'ONAIR_ERR_STATE';
}
