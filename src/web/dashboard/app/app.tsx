import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { createApiClient } from './api/client.js';
import { clearToken, loadToken, saveToken } from './api/token-store.js';
import { SessionContext, type Session } from './hooks.js';
import { LoginPage } from './pages/login-page.js';
import { StreamDetailPage } from './pages/stream-detail-page.js';
import { StreamFormPage } from './pages/stream-form-page.js';
import { StreamsPage } from './pages/streams-page.js';
import { WebhooksPage } from './pages/webhooks-page.js';
import { hrefOf, parseRoute, type Route } from './lib/routes.js';

function useHashRoute(): [Route, (hash: string) => void] {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const on = () => setHash(location.hash);
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  const navigate = useCallback((h: string) => {
    location.hash = h;
  }, []);
  return [parseRoute(hash), navigate];
}

/** Signed out: the sign-in page. Signed in: the nav and the page the URL fragment names. */
export function App() {
  const [token, setToken] = useState<string | null>(loadToken);
  const [notice, setNotice] = useState<string | null>(null);
  const [route, navigate] = useHashRoute();

  const signOut = useCallback((why?: string) => {
    clearToken();
    setToken(null);
    setNotice(why ?? null);
  }, []);
  const session = useMemo<Session | null>(() => token
    ? { token, api: createApiClient(token, () => signOut('The server no longer accepts the stored token: sign in again.')), signOut: () => signOut() }
    : null, [token, signOut]);

  useEffect(() => {
    document.title = `${titleOf(route)} · OnAir`;
  }, [route]);

  if (!session) {
    return <LoginPage notice={notice} onSignedIn={(t) => { saveToken(t); setNotice(null); setToken(t); }} />;
  }
  return (
    <SessionContext.Provider value={session}>
      <header class="top">
        <a class="brand" href={hrefOf({ page: 'streams' })}>OnAir</a>
        <nav aria-label="Main">
          <a href={hrefOf({ page: 'streams' })} aria-current={route.page.startsWith('stream') ? 'page' : undefined}>Streams</a>
          <a href={hrefOf({ page: 'webhooks' })} aria-current={route.page === 'webhooks' ? 'page' : undefined}>Webhooks</a>
          <a href="/api/docs" target="_blank" rel="noopener">API docs</a>
        </nav>
        <button type="button" class="link" onClick={() => session.signOut()}>Sign out</button>
      </header>
      <PageOf route={route} navigate={navigate} />
    </SessionContext.Provider>
  );
}

function PageOf({ route, navigate }: { route: Route; navigate: (hash: string) => void }) {
  switch (route.page) {
    case 'streams': return <StreamsPage />;
    case 'stream-new': return <StreamFormPage navigate={navigate} />;
    case 'stream': return <StreamDetailPage key={route.id} id={route.id} navigate={navigate} />;
    case 'stream-edit': return <StreamFormPage key={route.id} id={route.id} navigate={navigate} />;
    case 'webhooks': return <WebhooksPage />;
    case 'not-found': return <main><h1>Not found</h1><p>No page at <code>{route.path}</code>. <a href={hrefOf({ page: 'streams' })}>Streams</a></p></main>;
  }
}

function titleOf(route: Route): string {
  switch (route.page) {
    case 'streams': return 'Streams';
    case 'stream-new': return 'New stream';
    case 'stream': return 'Stream';
    case 'stream-edit': return 'Edit stream';
    case 'webhooks': return 'Webhooks';
    case 'not-found': return 'Not found';
  }
}
