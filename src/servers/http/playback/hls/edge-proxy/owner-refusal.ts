import type { Logger } from '../../../../../core/logger.js';
import { API_ERRORS, type ApiErrorCode } from '../../../api-errors.js';
import type { HlsExchange } from '../hls-responses.js';
import type { UpstreamAnswer } from './upstream-fetch.js';

/** The owner's refusal as this server's own: its code when it is one of ours with the same status, else by status. */
export function answerOwnerRefusal(ex: HlsExchange, answer: UpstreamAnswer, log: Logger, owner: string): void {
  let code: string | undefined;
  let message = 'refused by the node owning this stream';
  try {
    const parsed = JSON.parse(answer.body.toString()) as { error?: { code?: string; message?: string } };
    code = parsed.error?.code;
    if (typeof parsed.error?.message === 'string') message = parsed.error.message;
  } catch {
    // not our JSON: mapped by status below
  }
  if (answer.status === 403) {
    // The viewer was authorised here; a refusal of the edge's own token is this node's fault (secret, clock), not theirs.
    log.error({ owner }, 'the owner refused this edge\'s HLS request (is --cluster-secret the same on every node, are the clocks in sync?)');
    return ex.error('bad_gateway', 'the node owning this stream refused this server');
  }
  if (code && code in API_ERRORS && API_ERRORS[code as ApiErrorCode].status === answer.status) return ex.error(code as ApiErrorCode, message);
  if (answer.status === 404) return ex.error('stream_not_live', message);
  if (answer.status === 400) return ex.error('invalid_request', message);
  if (answer.status === 503) return ex.error('stream_not_ready', message);
  return ex.error('bad_gateway', message);
}
