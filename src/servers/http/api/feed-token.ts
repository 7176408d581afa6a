import type { FastifyRequest } from 'fastify';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The admin token may also come as `?token=` or the `onair_token` cookie: only for routes a browser opens with
     * EventSource, which cannot send an Authorization header.
     */
    acceptTokenOutsideHeader?: boolean;
  }
}

/** The cookie the dashboard may set for EventSource feeds. */
export const TOKEN_COOKIE = 'onair_token';

/** Same character set as the Authorization header's token. */
const TOKEN = /^[A-Za-z0-9._~+/=-]{1,512}$/;

/** The admin token from `?token=` or the `onair_token` cookie, when the route accepts it there. */
export function tokenOutsideHeader(req: FastifyRequest): string | undefined {
  if (!req.routeOptions.config?.acceptTokenOutsideHeader) return undefined;
  const query = (req.query as Record<string, unknown> | undefined)?.token;
  if (typeof query === 'string') return TOKEN.test(query) ? query : undefined;
  const cookie = cookieValue(req.headers.cookie, TOKEN_COOKIE);
  return cookie !== undefined && TOKEN.test(cookie) ? cookie : undefined;
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}
