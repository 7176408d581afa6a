/**
 * The admin API token, kept in this browser's localStorage (the dashboard's only way to stay signed in:
 * the API takes bearer tokens, not cookies). Anyone with this browser profile can read it, as the
 * sign-in page says.
 */
const KEY = 'onair.apiToken';

export function loadToken(): string | null {
  try {
    return localStorage.getItem(KEY);
  } catch {
    return null; // storage disabled: sign in every visit
  }
}

export function saveToken(token: string): void {
  try {
    localStorage.setItem(KEY, token);
  } catch {
    // storage disabled: the token lives for this page only
  }
}

export function clearToken(): void {
  try {
    localStorage.removeItem(KEY);
  } catch {
    // nothing stored
  }
}
