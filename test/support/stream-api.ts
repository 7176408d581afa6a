import assert from 'node:assert/strict';
import { TEST_API_TOKEN } from '../../support/onair.js';

/** An API stream as the tests read it (the fields they use). */
export interface ApiStream {
  readonly id: string;
  readonly playbackId: string;
  readonly streamKey: string;
}

/** One admin API request with the test token: the status and the body text. */
async function request(baseUrl: string, method: string, path: string, body: unknown): Promise<{ status: number; text: string }> {
  const res = await fetch(`${baseUrl}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${TEST_API_TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, text: await res.text() };
}

const parse = (text: string): unknown => (text ? JSON.parse(text) : null);

/** Calls the admin API of the server at `baseUrl` (http://host:port); throws on a status other than `expect`. */
export async function callApi<T = unknown>(baseUrl: string, method: string, path: string, body?: unknown, expect = method === 'POST' && path === '/streams' ? 201 : method === 'DELETE' ? 204 : 200): Promise<T> {
  const { status, text } = await request(baseUrl, method, path, body);
  assert.equal(status, expect, `${method} ${path}: ${text}`);
  return parse(text) as T;
}

/**
 * Calls a test server's `/api/v1` with the admin token; throws with the status and body on anything but 2xx.
 * The result is whatever JSON the route returned (tests check it field by field).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function serverApi(server: { httpUrl(path: string): string }, method: string, path: string, body?: unknown): Promise<any> {
  const { status, text } = await request(server.httpUrl(''), method, path, body);
  if (status >= 300) throw new Error(`${method} ${path}: ${status} ${text}`);
  return parse(text);
}
