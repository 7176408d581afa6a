import { MAX_RECONNECT_WINDOW_SEC, type DeliveryPreferences } from '../../hub/index.js';
import { CALLBACK_MAX_RESPONSE_BYTES } from './limits.js';

export interface CallbackBody {
  app: string;
  name: string;
  query: string;
  clientIp: string;
  protocol: string;
}

export type CallbackResult =
  | { allowed: true; name?: string; delivery?: DeliveryPreferences; ignored?: string[] }
  | { allowed: false; reason: string };

/**
 * POSTs the publish attempt to the operator's URL. 2xx allows; any other status, a network error or the
 * timeout refuses. A 2xx JSON body may name the public stream (`{"name": "studio-a"}`), so a secret
 * publish name need not become the hub path, and may set the stream's delivery like an API stream's settings
 * (`"latencyMode": "low" | "standard"`, `"reconnectWindowSec": 0..3600`). A field with a wrong value is
 * ignored and reported in `ignored` (the publish still goes ahead: the operator's typo must not take a
 * stream off air).
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
  const text = await readCapped(res, CALLBACK_MAX_RESPONSE_BYTES).catch(() => '');
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    return { allowed: true }; // A non-JSON 2xx body still allows.
  }
  return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? allowedWith(parsed as Record<string, unknown>) : { allowed: true };
}

function allowedWith(body: Record<string, unknown>): CallbackResult {
  const ignored: string[] = [];
  const delivery: { latencyMode?: 'low' | 'standard'; reconnectWindowSec?: number } = {};
  const { name, latencyMode, reconnectWindowSec } = body;
  if (name !== undefined && typeof name !== 'string') ignored.push('name');
  if (latencyMode !== undefined) {
    if (latencyMode === 'low' || latencyMode === 'standard') delivery.latencyMode = latencyMode;
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

async function readCapped(res: Response, max: number): Promise<string> {
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
      return '';
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
