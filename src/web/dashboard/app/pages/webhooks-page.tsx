import { useState } from 'preact/hooks';
import type { Delivery, DeliveryStatus, Page, WebhookEndpoint } from '../api/types.js';
import { CopyField } from '../components/copy-field.js';
import { DeliveriesTable } from '../components/deliveries-table.js';
import { ErrorNote, Loading, Section } from '../components/notes.js';
import { maskSecret } from '../lib/format.js';
import { WEBHOOK_EVENTS } from '../lib/webhook-events.js';
import { useAction, useApi, useLoaded } from '../hooks.js';

const DELIVERIES_PAGE = 25;

/** Webhook endpoints (add, enable/disable, delete, see the signing secret) and the delivery log. */
export function WebhooksPage() {
  const api = useApi();
  const endpoints = useLoaded(() => api.get<{ data: WebhookEndpoint[] }>('/webhooks'), []);
  const [created, setCreated] = useState<WebhookEndpoint | null>(null);
  const [filter, setFilter] = useState<{ endpointId: string; status: '' | DeliveryStatus }>({ endpointId: '', status: '' });
  const [pages, setPages] = useState(1);
  const deliveries = useLoaded(async () => {
    const all: Delivery[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < pages; i++) {
      const q = new URLSearchParams({ limit: String(DELIVERIES_PAGE) });
      if (filter.endpointId) q.set('endpointId', filter.endpointId);
      if (filter.status) q.set('status', filter.status);
      if (cursor) q.set('cursor', cursor);
      const page: Page<Delivery> = await api.get(`/webhooks/deliveries?${q}`);
      all.push(...page.data);
      cursor = page.nextCursor;
      if (!cursor) break;
    }
    return { all, more: cursor !== null };
  }, [filter.endpointId, filter.status, pages], 10_000);

  const update = useAction(async (e: WebhookEndpoint, change: Partial<WebhookEndpoint> | 'delete') => {
    if (change === 'delete') {
      if (!window.confirm(`Delete the endpoint ${e.url} and its deliveries?`)) return;
      await api.delete(`/webhooks/${encodeURIComponent(e.id)}`);
    } else {
      await api.patch(`/webhooks/${encodeURIComponent(e.id)}`, change);
    }
    endpoints.reload();
  });

  return (
    <main>
      <div class="page-head"><h1>Webhooks</h1></div>
      <Section title="Add an endpoint">
        <NewEndpointForm onCreated={(e) => { setCreated(e); endpoints.reload(); }} />
        {created?.secret && (
          <div class="created">
            <p>Endpoint added. Verify each request's <code>OnAir-Signature</code> with this secret:</p>
            <CopyField label="Signing secret" value={created.secret} masked={maskSecret(created.secret)} />
          </div>
        )}
      </Section>
      <Section title="Endpoints">
        <ErrorNote error={endpoints.error ?? update.error} />
        {!endpoints.data && !endpoints.error && <Loading what="endpoints" />}
        {endpoints.data && endpoints.data.data.length === 0 && <p class="muted">No endpoints yet.</p>}
        {endpoints.data && endpoints.data.data.length > 0 && (
          <div class="table-wrap">
            <table aria-label="Webhook endpoints">
              <thead><tr><th>URL</th><th>Events</th><th>Enabled</th><th><span class="sr-only">Actions</span></th></tr></thead>
              <tbody>
                {endpoints.data.data.map((e) => (
                  <tr key={e.id}>
                    <td data-label="URL" class="break">{e.url}{e.description && <div class="muted">{e.description}</div>}</td>
                    <td data-label="Events">{e.events.join(', ')}</td>
                    <td data-label="Enabled"><span class={`badge ${e.enabled ? 'status-active' : 'status-disabled'}`}>{e.enabled ? 'on' : 'off'}</span></td>
                    <td class="row-actions">
                      <button type="button" aria-label={`${e.enabled ? 'Disable' : 'Enable'} ${e.url}`} disabled={update.busy}
                        onClick={() => void update.run(e, { enabled: !e.enabled })}>{e.enabled ? 'Disable' : 'Enable'}</button>
                      <button type="button" onClick={() => { setFilter({ ...filter, endpointId: e.id }); setPages(1); }}>Deliveries</button>
                      <button type="button" class="danger" aria-label={`Delete ${e.url}`} disabled={update.busy} onClick={() => void update.run(e, 'delete')}>Delete</button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Section>
      <Section title="Deliveries" actions={<button type="button" onClick={deliveries.reload}>Refresh</button>}>
        <div class="filters">
          <div class="field">
            <label for="f-endpoint">Endpoint</label>
            <select id="f-endpoint" value={filter.endpointId} onChange={(e) => { setFilter({ ...filter, endpointId: (e.target as HTMLSelectElement).value }); setPages(1); }}>
              <option value="">All endpoints</option>
              {endpoints.data?.data.map((e) => <option key={e.id} value={e.id}>{e.url}</option>)}
            </select>
          </div>
          <div class="field">
            <label for="f-status">Status</label>
            <select id="f-status" value={filter.status} onChange={(e) => { setFilter({ ...filter, status: (e.target as HTMLSelectElement).value as '' | DeliveryStatus }); setPages(1); }}>
              <option value="">Any</option>
              <option value="pending">Pending</option>
              <option value="succeeded">Succeeded</option>
              <option value="failed">Failed</option>
            </select>
          </div>
        </div>
        <ErrorNote error={deliveries.error} />
        {deliveries.data ? <DeliveriesTable deliveries={deliveries.data.all} onChange={deliveries.reload} /> : !deliveries.error && <Loading what="deliveries" />}
        {deliveries.data?.more && <button type="button" onClick={() => setPages(pages + 1)}>Show more</button>}
      </Section>
    </main>
  );
}

function NewEndpointForm({ onCreated }: { onCreated: (e: WebhookEndpoint) => void }) {
  const api = useApi();
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [all, setAll] = useState(true);
  const [events, setEvents] = useState<string[]>([]);
  const create = useAction(async () => {
    const e = await api.post<WebhookEndpoint>('/webhooks', {
      url: url.trim(), events: all ? ['*'] : events, ...(description.trim() ? { description: description.trim() } : {}),
    });
    setUrl('');
    setDescription('');
    onCreated(e);
  });
  const [invalid, setInvalid] = useState<string | null>(null);
  const submit = (ev: Event) => {
    ev.preventDefault();
    if (!/^https?:\/\/\S+$/.test(url.trim())) return setInvalid('Enter an http:// or https:// URL.');
    if (!all && events.length === 0) return setInvalid('Choose at least one event, or all events.');
    setInvalid(null);
    void create.run();
  };
  return (
    <form class="form" onSubmit={submit} noValidate aria-label="Add a webhook endpoint">
      <div class="field">
        <label for="wh-url">Endpoint URL</label>
        <input id="wh-url" type="url" inputMode="url" placeholder="https://example.com/onair-hook" value={url} onInput={(e) => setUrl((e.target as HTMLInputElement).value)} />
      </div>
      <div class="field">
        <label for="wh-desc">Description</label>
        <input id="wh-desc" value={description} maxLength={500} onInput={(e) => setDescription((e.target as HTMLInputElement).value)} />
      </div>
      <fieldset>
        <legend>Events</legend>
        <div class="field checkbox">
          <input id="wh-all" type="checkbox" checked={all} onChange={(e) => setAll((e.target as HTMLInputElement).checked)} />
          <label for="wh-all">All events</label>
        </div>
        {!all && (
          <div class="event-list">
            {WEBHOOK_EVENTS.map((t) => (
              <div class="field checkbox" key={t}>
                <input id={`wh-${t}`} type="checkbox" checked={events.includes(t)}
                  onChange={(e) => setEvents((e.target as HTMLInputElement).checked ? [...events, t] : events.filter((x) => x !== t))} />
                <label for={`wh-${t}`}><code>{t}</code></label>
              </div>
            ))}
          </div>
        )}
      </fieldset>
      <ErrorNote error={invalid ?? create.error} />
      <button type="submit" class="primary" disabled={create.busy}>Add endpoint</button>
    </form>
  );
}
