/**
 * The dashboard's pages, addressed by the URL fragment (`/#/streams/<id>`): the server serves one
 * index.html at `/` and never needs to know the page list.
 */
export type Route =
  | { page: 'streams' }
  | { page: 'stream-new' }
  | { page: 'stream'; id: string }
  | { page: 'stream-edit'; id: string }
  | { page: 'webhooks' }
  | { page: 'not-found'; path: string };

const ID = /^[A-Za-z0-9_-]{1,64}$/;

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '').replace(/\/+$/, '') || '/';
  const parts = path.split('/').filter(Boolean);
  if (parts.length === 0 || (parts.length === 1 && parts[0] === 'streams')) return { page: 'streams' };
  if (parts[0] === 'webhooks' && parts.length === 1) return { page: 'webhooks' };
  if (parts[0] === 'streams' && parts[1] === 'new' && parts.length === 2) return { page: 'stream-new' };
  if (parts[0] === 'streams' && parts[1] && ID.test(parts[1])) {
    if (parts.length === 2) return { page: 'stream', id: parts[1] };
    if (parts.length === 3 && parts[2] === 'edit') return { page: 'stream-edit', id: parts[1] };
  }
  return { page: 'not-found', path };
}

export function hrefOf(route: Route): string {
  switch (route.page) {
    case 'streams': return '#/streams';
    case 'stream-new': return '#/streams/new';
    case 'stream': return `#/streams/${encodeURIComponent(route.id)}`;
    case 'stream-edit': return `#/streams/${encodeURIComponent(route.id)}/edit`;
    case 'webhooks': return '#/webhooks';
    case 'not-found': return `#${route.path}`;
  }
}
