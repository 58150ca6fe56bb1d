import { useEffect, useState } from "preact/hooks";
import { ApiError, api, unwrap } from "../api/client";
import { useDraft } from "../ui/Field";
import { setToken } from "./session";

type DevToken = Awaited<ReturnType<typeof fetchDevToken>>;
const fetchDevToken = () => unwrap(api.dev.token.$post());

/** Paste a token, or use the one-click demo sign-in when the server offers it (local dev only). */
export function SignIn({ reason }: { reason: string | null }) {
  const [token, setTokenInput, typed] = useDraft("");
  const [error, setError] = useState<string | null>(reason);
  const [busy, setBusy] = useState(false);
  const [dev, setDev] = useState<DevToken | null>(null);

  useEffect(() => {
    // The route answers 404 unless DEV_SIGN_IN is on; only then is the demo button shown.
    fetchDevToken().then(setDev, () => setDev(null));
  }, []);

  const submit = async (e: Event) => {
    e.preventDefault();
    const value = typed.current.trim().replace(/^Bearer\s+/i, "");
    if (!value) {
      setError("Paste a token first.");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      // Check the token before keeping it, so a typo gets a message here, not a broken dashboard.
      await unwrap(api.me.$get(undefined, { headers: { Authorization: `Bearer ${value}` } }));
      setToken(value);
    } catch (err) {
      setError(
        err instanceof ApiError && err.status === 401
          ? "That token was rejected: it is malformed, expired or signed with another secret."
          : err instanceof Error
            ? err.message
            : String(err),
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" class="signin" tabIndex={-1}>
      <h1>Sign in</h1>
      <p class="muted">The dashboard calls the API with a bearer token (JWT) for your organization.</p>
      {error && (
        <p class="notice notice-error" role="alert">
          {error}
        </p>
      )}
      {dev && (
        <section class="card" aria-labelledby="demo-h">
          <h2 id="demo-h">Local development</h2>
          <p class="muted">
            Sign in to the <strong>{dev.org}</strong> organization as <strong>{dev.sub}</strong> with every scope.
          </p>
          <button type="button" class="btn btn-primary" onClick={() => setToken(dev.token)}>
            Sign in as demo
          </button>
        </section>
      )}
      <form class="card" onSubmit={submit} aria-labelledby="token-h">
        <h2 id="token-h">Use a token</h2>
        <label for="token">Bearer token</label>
        <textarea
          id="token"
          rows={4}
          spellcheck={false}
          autoComplete="off"
          value={token}
          onInput={(e) => setTokenInput(e.currentTarget.value)}
          aria-describedby="token-help"
        />
        <p id="token-help" class="help">
          Create one with <code>npm run token</code>. It is kept in this tab only (session storage).
        </p>
        <button type="submit" class="btn btn-primary" disabled={busy}>
          {busy ? "Checking…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}
