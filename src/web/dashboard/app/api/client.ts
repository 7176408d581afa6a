import { ApiError, apiErrorOf } from './api-error.js';

export interface ApiClient {
  get<T>(path: string): Promise<T>;
  post<T>(path: string, body?: unknown): Promise<T>;
  patch<T>(path: string, body: unknown): Promise<T>;
  delete(path: string): Promise<void>;
}

type Fetch = (url: string, init: RequestInit) => Promise<Response>;

/**
 * Calls /api/v1 with `Authorization: Bearer <token>`. A 401 also calls `onUnauthorized` (the token was
 * revoked or changed while signed in), so the app can send the person back to the sign-in page.
 */
export function createApiClient(token: string, onUnauthorized: () => void = () => {}, fetchImpl: Fetch = (u, i) => fetch(u, i)): ApiClient {
  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json' };
    const init: RequestInit = { method, headers, cache: 'no-store' };
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    const res = await fetchImpl(`/api/v1${path}`, init);
    const text = await res.text();
    if (!res.ok) {
      const err = apiErrorOf(res.status, text);
      if (err.code === 'unauthorized') onUnauthorized();
      throw err;
    }
    return (text ? JSON.parse(text) : undefined) as T;
  }
  return {
    get: (path) => call('GET', path),
    post: (path, body) => call('POST', path, body),
    patch: (path, body) => call('PATCH', path, body),
    delete: (path) => call<void>('DELETE', path),
  };
}

/** Checks a token before storing it: one cheap authenticated read. Throws the ApiError on refusal. */
export async function verifyToken(token: string, fetchImpl?: Fetch): Promise<void> {
  await createApiClient(token, undefined, fetchImpl).get('/streams?limit=1');
}

export { ApiError };
