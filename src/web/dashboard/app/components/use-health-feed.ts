import { useEffect, useState } from 'preact/hooks';
import type { HealthSample, StreamHealth } from '../api/health-types.js';
import { describeError } from '../api/api-error.js';
import { appendSamples } from '../lib/health-series.js';
import { useSession } from '../hooks.js';

export type FeedStatus = 'connecting' | 'open' | 'closed';

export interface HealthFeed {
  health: StreamHealth | null;
  samples: HealthSample[];
  status: FeedStatus;
  error: string | null;
}

const REOPEN_MS = 5000;

/**
 * A stream's health: GET /streams/:id/health for the figures and five minutes of history, then the SSE
 * feed (one `health` event a second, each with this second's sample to append). EventSource sends no
 * headers, so the token goes as `?token=` (the one route that accepts it, docs/API.md). EventSource
 * reconnects by itself after a dropped connection; after a refusal (4xx/5xx) it stops, so this reopens it.
 */
export function useHealthFeed(streamId: string): HealthFeed {
  const { api, token } = useSession();
  const [feed, setFeed] = useState<HealthFeed>({ health: null, samples: [], status: 'connecting', error: null });

  useEffect(() => {
    let closed = false;
    let source: EventSource | undefined;
    let reopen: ReturnType<typeof setTimeout> | undefined;

    const open = async () => {
      setFeed((f) => ({ ...f, status: 'connecting' }));
      try {
        const now = await api.get<StreamHealth>(`/streams/${encodeURIComponent(streamId)}/health`);
        if (closed) return;
        setFeed((f) => ({ ...f, health: now, samples: appendSamples(f.samples, now.history ?? []), error: null }));
      } catch (err) {
        if (closed) return;
        setFeed((f) => ({ ...f, status: 'closed', error: describeError(err) }));
        reopen = setTimeout(open, REOPEN_MS);
        return;
      }
      const es = new EventSource(`/api/v1/streams/${encodeURIComponent(streamId)}/health/events?token=${encodeURIComponent(token)}`);
      source = es;
      es.addEventListener('open', () => setFeed((f) => ({ ...f, status: 'open', error: null })));
      es.addEventListener('health', (ev) => {
        let h: StreamHealth;
        try {
          h = JSON.parse((ev as MessageEvent<string>).data) as StreamHealth;
        } catch {
          return;
        }
        setFeed((f) => ({ ...f, status: 'open', health: h, samples: h.sample ? appendSamples(f.samples, [h.sample]) : f.samples }));
      });
      es.addEventListener('error', () => {
        if (es.readyState !== EventSource.CLOSED || closed) return; // CONNECTING: the browser retries itself
        setFeed((f) => ({ ...f, status: 'closed', error: 'The live health feed was refused; retrying.' }));
        reopen = setTimeout(open, REOPEN_MS);
      });
    };
    void open();
    return () => {
      closed = true;
      clearTimeout(reopen);
      source?.close();
    };
  }, [api, token, streamId]);

  return feed;
}
