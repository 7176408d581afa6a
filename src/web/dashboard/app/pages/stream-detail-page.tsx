import { useEffect, useState } from 'preact/hooks';
import type { Delivery, Page, PlaybackToken, Session, Stream } from '../api/types.js';
import { StatusBadge } from '../components/badges.js';
import { DeliveriesTable } from '../components/deliveries-table.js';
import { HealthPanel } from '../components/health-panel.js';
import { LivePreview } from '../components/live-preview.js';
import { ErrorNote, Loading, Section } from '../components/notes.js';
import { PlaybackSection } from '../components/playback-section.js';
import { PublishSection } from '../components/publish-section.js';
import { Renditions } from '../components/renditions-table.js';
import { SessionsTable } from '../components/sessions-table.js';
import { useHealthFeed } from '../components/use-health-feed.js';
import { deliveriesOfStream } from '../lib/deliveries.js';
import { hrefOf } from '../lib/routes.js';
import { useAction, useApi, useLoaded } from '../hooks.js';

const STREAM_REFRESH_MS = 5000;
const SESSIONS_REFRESH_MS = 10_000;
/** The delivery log has no stream filter: the newest this many are searched for this stream's events. */
const DELIVERIES_SCANNED = 100;

/** One stream: how to publish, the picture, its health live, how to play it, and its history. */
export function StreamDetailPage({ id, navigate }: { id: string; navigate: (hash: string) => void }) {
  const api = useApi();
  const path = `/streams/${encodeURIComponent(id)}`;
  const loaded = useLoaded(() => api.get<Stream>(path), [path], STREAM_REFRESH_MS);
  // Reset key and enable/disable answer with the new stream: shown at once, before the next refresh.
  const [override, setOverride] = useState<Stream | null>(null);
  useEffect(() => setOverride(null), [loaded.data]);
  const stream = override ?? loaded.data;

  const act = useAction(async (what: 'enable' | 'disable' | 'delete') => {
    if (what === 'delete') {
      if (!window.confirm('Delete this stream? Its key stops working and a live encoder is disconnected.')) return;
      await api.delete(path);
      navigate(hrefOf({ page: 'streams' }));
      return;
    }
    setOverride(await api.post<Stream>(`${path}/${what}`));
  });

  if (!stream) return <main><ErrorNote error={loaded.error} />{!loaded.error && <Loading what="the stream" />}</main>;
  const live = stream.status === 'active';
  return (
    <main class="stream-page">
      <div class="page-head">
        <h1>{stream.name} <StatusBadge status={stream.status} /></h1>
        <div class="actions">
          <a class="button" href={hrefOf({ page: 'stream-edit', id })}>Edit</a>
          {stream.status === 'disabled'
            ? <button type="button" disabled={act.busy} onClick={() => void act.run('enable')}>Enable</button>
            : <button type="button" disabled={act.busy} onClick={() => void act.run('disable')}>Disable</button>}
          <button type="button" class="danger" disabled={act.busy} onClick={() => void act.run('delete')}>Delete</button>
        </div>
      </div>
      <ErrorNote error={act.error ?? loaded.error} />
      <p class="muted">
        Playback id <code>{stream.playbackId}</code> · {stream.settings.latencyMode} latency ·
        reconnect window {stream.settings.reconnectWindowSec} s · {stream.settings.playbackPolicy} playback
        {stream.settings.record ? ' · record' : ''}
      </p>
      <div class="columns">
        <Section title="Preview">
          {stream.playback.hls !== undefined
            ? <Preview stream={stream} live={live} />
            : <p class="muted">HLS is off on this server (--hls off): no preview here; the watch page below plays HTTP-FLV.</p>}
        </Section>
        <Section title="Publish"><PublishSection stream={stream} onChange={setOverride} /></Section>
      </div>
      <Section title="Health"><Health id={id} /></Section>
      <Section title="Renditions"><Renditions transcode={stream.transcode} live={live} /></Section>
      <Section title="Playback"><PlaybackSection stream={stream} /></Section>
      <Section title="Sessions"><Sessions path={path} /></Section>
      <Section title="Webhook deliveries"><StreamDeliveries id={id} /></Section>
    </main>
  );
}

function Health({ id }: { id: string }) {
  return <HealthPanel feed={useHealthFeed(id)} />;
}

/** A signed stream's preview needs a playback token: one is minted for the page (an hour). */
function Preview({ stream, live }: { stream: Stream; live: boolean }) {
  const api = useApi();
  const signed = stream.settings.playbackPolicy === 'signed';
  const token = useLoaded(
    async () => (signed ? (await api.post<PlaybackToken>(`/streams/${encodeURIComponent(stream.id)}/playback-token`, { ttlSec: 3600 })).token : undefined),
    [stream.id, signed],
  );
  if (signed && !token.data) return <ErrorNote error={token.error} />;
  return <LivePreview playbackId={stream.playbackId} token={token.data} live={live} />;
}

function Sessions({ path }: { path: string }) {
  const api = useApi();
  const sessions = useLoaded(() => api.get<Page<Session>>(`${path}/sessions?limit=20`), [path], SESSIONS_REFRESH_MS);
  if (!sessions.data) return <><ErrorNote error={sessions.error} />{!sessions.error && <Loading what="sessions" />}</>;
  return <SessionsTable sessions={sessions.data.data} />;
}

function StreamDeliveries({ id }: { id: string }) {
  const api = useApi();
  const deliveries = useLoaded(() => api.get<Page<Delivery>>(`/webhooks/deliveries?limit=${DELIVERIES_SCANNED}`), [], SESSIONS_REFRESH_MS);
  if (!deliveries.data) return <><ErrorNote error={deliveries.error} />{!deliveries.error && <Loading what="deliveries" />}</>;
  return (
    <>
      <DeliveriesTable deliveries={deliveriesOfStream(deliveries.data.data, id)} onChange={deliveries.reload} label="Deliveries of this stream's events" />
      <p class="hint">Among the latest {DELIVERIES_SCANNED} deliveries; all of them are on the <a href={hrefOf({ page: 'webhooks' })}>Webhooks</a> page.</p>
    </>
  );
}
