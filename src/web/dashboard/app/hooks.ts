import { createContext } from 'preact';
import { useCallback, useContext, useEffect, useRef, useState } from 'preact/hooks';
import type { ApiClient } from './api/client.js';
import { describeError } from './api/api-error.js';

export interface Session {
  readonly api: ApiClient;
  /** The bearer token (the SSE feed passes it as ?token=, since EventSource sends no headers). */
  readonly token: string;
  signOut(): void;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside a signed-in page');
  return s;
}

export function useApi(): ApiClient {
  return useSession().api;
}

export interface Loaded<T> {
  data: T | undefined;
  error: string | null;
  loading: boolean;
  reload(): void;
}

/**
 * Loads `load()` now and, with `everyMs`, again every `everyMs` while the tab is visible. A result that
 * arrives after the component changed its inputs or unmounted is dropped. The last good data stays shown
 * when a refresh fails (the error is shown beside it).
 */
export function useLoaded<T>(load: () => Promise<T>, deps: readonly unknown[], everyMs?: number): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = async () => {
      if (everyMs && document.hidden) {
        timer = setTimeout(run, everyMs);
        return;
      }
      try {
        const v = await loadRef.current();
        if (!live) return;
        setData(v);
        setError(null);
      } catch (err) {
        if (live) setError(describeError(err));
      } finally {
        if (live) {
          setLoading(false);
          if (everyMs) timer = setTimeout(run, everyMs);
        }
      }
    };
    void run();
    return () => {
      live = false;
      clearTimeout(timer);
    };
    // The caller names what the load depends on (as with useEffect).
  }, [...deps, tick, everyMs]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, loading, reload };
}

/** Runs an action (a button's click) with a busy flag and its error kept for display. */
export function useAction<A extends unknown[], R>(fn: (...args: A) => Promise<R>): {
  run: (...args: A) => Promise<R | undefined>;
  busy: boolean;
  error: string | null;
} {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const fnRef = useRef(fn);
  fnRef.current = fn;
  const run = useCallback(async (...args: A) => {
    setBusy(true);
    setError(null);
    try {
      return await fnRef.current(...args);
    } catch (err) {
      setError(describeError(err));
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  return { run, busy, error };
}
