import assert from 'node:assert/strict';
import { sleep, waitFor } from './proc.js';

/**
 * The first `event: health` of a stream's SSE feed at `url` (the token in the query, as EventSource sends it): the
 * feed answers 200 as `text/event-stream`.
 */
export async function firstHealthEvent<T>(url: string): Promise<T> {
  const ac = new AbortController();
  const res = await fetch(url, { signal: ac.signal });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
  const decoder = new TextDecoder();
  let text = '';
  try {
    for await (const chunk of res.body!) {
      text += decoder.decode(chunk as Uint8Array, { stream: true });
      const m = /event: health\ndata: (.*)\n\n/.exec(text);
      if (m) return JSON.parse(m[1]!) as T;
    }
  } finally {
    ac.abort();
  }
  throw new Error(`the feed ended without an event: ${text}`);
}

/**
 * `read` (a stream's viewer counts as one line) settles on `want` within `timeoutMs` and holds it for four more
 * readings 0.6 s apart (a few report rounds: nothing counted twice, nothing lost); the failure quotes every reading.
 */
export async function countsSettle(read: () => Promise<string>, what: string, want: string, timeoutMs: number): Promise<void> {
  const seen: string[] = [];
  await waitFor(what, async () => {
    seen.push(await read());
    return seen.at(-1) === want;
  }, timeoutMs, 500).catch(() => assert.fail(`${what}: the owner's health read ${seen.join(' | ')}; want ${want}`));
  for (let i = 0; i < 4; i++) {
    await sleep(600);
    seen.push(await read());
    assert.equal(seen.at(-1), want, `${what}, held: ${seen.join(' | ')}`);
  }
}
