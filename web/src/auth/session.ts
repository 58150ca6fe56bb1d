// The bearer token lives in sessionStorage: it survives reloads of this tab but not the browser
// session, and other tabs do not inherit it (a shared device stays signed out by default).
const KEY = "ee.token";

type Listener = (token: string | null) => void;
const listeners = new Set<Listener>();

export function getToken(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    // Storage can be disabled (privacy modes); the app then works for this page view only.
    return memoryToken;
  }
}
let memoryToken: string | null = null;

export function setToken(token: string | null): void {
  memoryToken = token;
  try {
    if (token) sessionStorage.setItem(KEY, token);
    else sessionStorage.removeItem(KEY);
  } catch {
    /* memory only, see getToken */
  }
  for (const listener of listeners) listener(token);
}

export function onTokenChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * `#token=<jwt>` lets a CLI or another tool open the dashboard already signed in. The fragment
 * never reaches a server, and it is removed from the address bar (and from history) at once so it
 * is not bookmarked, shared or left on screen.
 */
export function adoptTokenFromHash(): void {
  const match = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (!match?.[1]) return;
  setToken(decodeURIComponent(match[1]));
  history.replaceState(history.state, "", location.pathname + location.search);
}
