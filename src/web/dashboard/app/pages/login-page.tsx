import { useState } from 'preact/hooks';
import { verifyToken } from '../api/client.js';
import { describeError } from '../api/api-error.js';

/**
 * Sign-in with the admin API token (ONAIR_API_TOKEN, or the one printed at first start). The token is
 * checked with one API call before it is kept, so a wrong one is refused here with the server's reason.
 */
export function LoginPage({ onSignedIn, notice }: { onSignedIn: (token: string) => void; notice?: string | null }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    const t = token.trim();
    if (!t) {
      setError('Enter the API token.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await verifyToken(t);
      onSignedIn(t);
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="login">
      <form class="card" onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title">OnAir</h1>
        <p class="muted">Sign in with the server's API token: <code>ONAIR_API_TOKEN</code>, or the token OnAir printed at its first start.</p>
        {notice && <p class="warn-note" role="status">{notice}</p>}
        <div class="field">
          <label for="api-token">API token</label>
          <input id="api-token" type="password" autocomplete="current-password" value={token} onInput={(e) => setToken((e.target as HTMLInputElement).value)} />
        </div>
        {error && <p class="error" role="alert">{error}</p>}
        <button type="submit" class="primary" disabled={busy}>{busy ? 'Checking…' : 'Sign in'}</button>
        <p class="hint">The token is kept in this browser (localStorage) until you sign out.</p>
      </form>
    </main>
  );
}
