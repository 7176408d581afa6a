import { LATENCY_MODES, MAX_RECONNECT_WINDOW_SEC, type DeliveryPreferences, type LatencyMode } from '../../hub/index.js';
import { CALLBACK_MAX_RESPONSE_BYTES } from './limits.js';

export interface CallbackBody {
  app: string;
  name: string;
  query: string;
  clientIp: string;
  protocol: string;
}

/**
 * `name`: the `name` string of the answer, unchecked (the authorizer validates it). `unreadable`: why the
 * body could not be read as a JSON object (then it names nothing).
 */
export type CallbackResult =
  | { allowed: true; name?: string; delivery?: DeliveryPreferences; ignored?: string[]; unreadable?: string }
  | { allowed: false; reason: string };

/**
 * POSTs the publish attempt to the operator's URL. 2xx allows; any other status, a network error or the
 * timeout refuses. A 2xx JSON body names the public stream (`{"name": "studio-a"}`), so a secret publish
 * name never becomes a viewer's path, and may set the stream's delivery like an API stream's settings
 * (`"latencyMode": "low" | "lowest" | "standard"`, `"reconnectWindowSec": 0..3600`). A delivery field with a wrong value
 * is ignored and reported in `ignored` (the operator's typo must not take a stream off air); what a missing
 * or unusable name means is the authorizer's decision.
 */
export async function askPublishCallback(url: string, body: CallbackBody, timeoutMs: number): Promise<CallbackResult> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'manual',
    });
  } catch (err) {
    const timedOut = (err as Error).name === 'TimeoutError';
    return { allowed: false, reason: timedOut ? 'callback timed out' : 'callback unreachable' };
  }
  if (res.status < 200 || res.status > 299) {
    await res.body?.cancel().catch(() => {});
    return { allowed: false, reason: `callback answered ${res.status}` };
  }
  const text = await readCapped(res, CALLBACK_MAX_RESPONSE_BYTES).catch(() => undefined);
  if (text === undefined) return { allowed: true, unreadable: 'answer could not be read' };
  if (text === null) return { allowed: true, unreadable: `answer over ${CALLBACK_MAX_RESPONSE_BYTES} bytes` };
  if (text.trim() === '') return { allowed: true };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { allowed: true, unreadable: 'answer is not JSON' };
  }
  return parsed && typeof parsed === 'object' && !Array.isArray(parsed)
    ? allowedWith(parsed as Record<string, unknown>)
    : { allowed: true, unreadable: 'answer is not a JSON object' };
}

function isLatencyMode(v: unknown): v is LatencyMode {
  return (LATENCY_MODES as readonly unknown[]).includes(v);
}

function allowedWith(body: Record<string, unknown>): CallbackResult {
  const ignored: string[] = [];
  const delivery: { latencyMode?: LatencyMode; reconnectWindowSec?: number } = {};
  const { name, latencyMode, reconnectWindowSec } = body;
  if (name !== undefined && typeof name !== 'string') ignored.push('name');
  if (latencyMode !== undefined) {
    if (isLatencyMode(latencyMode)) delivery.latencyMode = latencyMode;
    else ignored.push('latencyMode');
  }
  if (reconnectWindowSec !== undefined) {
    if (Number.isInteger(reconnectWindowSec) && (reconnectWindowSec as number) >= 0 && (reconnectWindowSec as number) <= MAX_RECONNECT_WINDOW_SEC) {
      delivery.reconnectWindowSec = reconnectWindowSec as number;
    } else ignored.push('reconnectWindowSec');
  }
  return {
    allowed: true,
    ...(typeof name === 'string' ? { name } : {}),
    ...(Object.keys(delivery).length > 0 ? { delivery } : {}),
    ...(ignored.length > 0 ? { ignored } : {}),
  };
}

/** The body as text, or null beyond `max` bytes (never buffered past the cap). */
async function readCapped(res: Response, max: number): Promise<string | null> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
