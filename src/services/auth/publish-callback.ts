import { CALLBACK_MAX_RESPONSE_BYTES } from './limits.js';

export interface CallbackBody {
  app: string;
  name: string;
  query: string;
  clientIp: string;
  protocol: string;
}

export type CallbackResult =
  | { allowed: true; name?: string }
  | { allowed: false; reason: string };

/**
 * POSTs the publish attempt to the operator's URL. 2xx allows; any other status, a network error or the
 * timeout refuses. A 2xx JSON body may name the public stream (`{"name": "studio-a"}`), so a secret
 * publish name need not become the hub path.
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
  try {
    const parsed: unknown = text ? JSON.parse(text) : null;
    if (parsed && typeof parsed === 'object' && typeof (parsed as { name?: unknown }).name === 'string') {
      return { allowed: true, name: (parsed as { name: string }).name };
    }
  } catch {
    // A non-JSON 2xx body still allows.
  }
  return { allowed: true };
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
