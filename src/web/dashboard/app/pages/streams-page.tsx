import { useState } from 'preact/hooks';
import type { HealthSummary } from '../api/health-types.js';
import type { Page, StreamListItem } from '../api/types.js';
import { HealthBadge, StatusBadge } from '../components/badges.js';
import { ErrorNote, Loading } from '../components/notes.js';
import { formatAgo, formatKbps } from '../lib/format.js';
import { hrefOf } from '../lib/routes.js';
import { useApi, useLoaded } from '../hooks.js';

const REFRESH_MS = 5000;
const PAGE_SIZE = 50;

/** Every stream, newest first, with live state, health, viewers and bitrate; refreshes every 5 s. */
export function StreamsPage() {
  const api = useApi();
  const [pages, setPages] = useState(1);
  const streams = useLoaded(async () => {
    const items: StreamListItem[] = [];
    let cursor: string | null = null;
    let more = false;
    for (let i = 0; i < pages; i++) {
      const page: Page<StreamListItem> = await api.get(`/streams?limit=${PAGE_SIZE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      items.push(...page.data);
      cursor = page.nextCursor;
      more = cursor !== null;
      if (!cursor) break;
    }
    return { items, more };
  }, [pages], REFRESH_MS);
  const health = useLoaded(() => api.get<{ data: HealthSummary[] }>('/health'), [], REFRESH_MS);
  const healthOf = new Map((health.data?.data ?? []).filter((h) => h.streamId).map((h) => [h.streamId!, h]));
  const now = Date.now();

  return (
    <main>
      <div class="page-head">
        <h1>Streams</h1>
        <a class="button primary" href={hrefOf({ page: 'stream-new' })}>New stream</a>
      </div>
      <ErrorNote error={streams.error} />
      {streams.loading && !streams.data && <Loading what="streams" />}
      {streams.data && streams.data.items.length === 0 && (
        <p class="muted">No streams yet. Create one to get an RTMP URL and a stream key.</p>
      )}
      {streams.data && streams.data.items.length > 0 && (
        <div class="table-wrap">
          <table aria-label="Streams" class="streams">
            <thead><tr><th>Name</th><th>State</th><th>Health</th><th>Viewers</th><th>Bitrate</th><th>Created</th></tr></thead>
            <tbody>
              {streams.data.items.map((s) => {
                const h = healthOf.get(s.id);
                return (
                  <tr key={s.id}>
                    <td data-label="Name"><a href={hrefOf({ page: 'stream', id: s.id })}>{s.name}</a></td>
                    <td data-label="State"><StatusBadge status={s.status} /></td>
                    <td data-label="Health">{h ? <HealthBadge state={h.stableState} /> : <span class="muted">–</span>}</td>
                    <td data-label="Viewers">{h ? h.viewers : '–'}</td>
                    <td data-label="Bitrate">{h ? formatKbps(h.bitrateKbps) : '–'}</td>
                    <td data-label="Created">{formatAgo(s.createdAt, now)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {streams.data?.more && <button type="button" onClick={() => setPages(pages + 1)}>Show more</button>}
      {health.error && <p class="muted">Health unavailable: {health.error}</p>}
    </main>
  );
}
