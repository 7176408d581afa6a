import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import type { Delivery } from '../api/types.js';
import { formatTime } from '../lib/format.js';
import { useAction, useApi } from '../hooks.js';
import { ErrorNote } from './notes.js';

/** Webhook deliveries with their outcome; Redeliver sends the same event again (a new delivery). */
export function DeliveriesTable({ deliveries, onChange, label = 'Webhook deliveries' }: { deliveries: Delivery[]; onChange: () => void; label?: string }) {
  const api = useApi();
  const [open, setOpen] = useState<string | null>(null);
  const redeliver = useAction(async (id: string) => {
    await api.post(`/webhooks/deliveries/${encodeURIComponent(id)}/redeliver`);
    onChange();
  });
  if (deliveries.length === 0) return <p class="muted">No deliveries.</p>;
  return (
    <div class="table-wrap">
      <ErrorNote error={redeliver.error} />
      <table aria-label={label}>
        <thead><tr><th>Event</th><th>Status</th><th>Attempts</th><th>Created</th><th><span class="sr-only">Actions</span></th></tr></thead>
        <tbody>
          {deliveries.map((d) => (
            <Fragment key={d.id}>
              <tr>
                <td data-label="Event"><code>{d.eventType}</code></td>
                <td data-label="Status">
                  <span class={`badge delivery-${d.status}`}>{d.status}</span>
                  {d.lastStatusCode != null && <> HTTP {d.lastStatusCode}</>}
                  {d.lastError && <span class="muted"> {d.lastError}</span>}
                  {d.nextAttemptAt && <span class="muted"> next {formatTime(d.nextAttemptAt)}</span>}
                </td>
                <td data-label="Attempts">{d.attempts}</td>
                <td data-label="Created">{formatTime(d.createdAt)}</td>
                <td class="row-actions">
                  <button type="button" aria-expanded={open === d.id} onClick={() => setOpen(open === d.id ? null : d.id)}>Payload</button>
                  <button type="button" disabled={redeliver.busy} aria-label={`Redeliver ${d.eventType} ${d.id}`} onClick={() => void redeliver.run(d.id)}>Redeliver</button>
                </td>
              </tr>
              {open === d.id && (
                <tr class="payload-row"><td colSpan={5}><pre>{prettyJson(d.payload)}</pre></td></tr>
              )}
            </Fragment>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
