import assert from 'node:assert/strict';
import { TEST_API_TOKEN } from '../../support/onair.js';

/** An API stream as the tests read it (the fields they use). */
export interface ApiStream {
  readonly id: string;
  readonly playbackId: string;
  readonly streamKey: string;
}

/** Calls the admin API of the server at `baseUrl` (http://host:port); throws on a status other than `expect`. */
export async function callApi<T = unknown>(baseUrl: string, method: string, path: string, body?: unknown, expect = method === 'POST' && path === '/streams' ? 201 : method === 'DELETE' ? 204 : 200): Promise<T> {
  const res = await fetch(`${baseUrl}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${TEST_API_TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  assert.equal(res.status, expect, `${method} ${path}: ${text}`);
  return (text ? JSON.parse(text) : null) as T;
}
