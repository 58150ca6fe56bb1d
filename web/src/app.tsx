import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError, api, unwrap } from "./api/client";
import { SessionContext, type Me } from "./auth/session-context";
import { getToken, onTokenChange, setToken } from "./auth/session";
import { SignIn } from "./auth/SignIn";
import { ExperimentDetail } from "./experiments/ExperimentDetail";
import { ExperimentList } from "./experiments/ExperimentList";
import { LivePage } from "./live/LivePage";
import { MetricList } from "./metrics/MetricList";
import { Link, navigate, useLocation } from "./router";
import { lazyPage } from "./ui/lazy";
import { ErrorBox, Loading } from "./ui/status";
import "./pages.css";

// Operations pages load on first visit, in one chunk (the Live view stays in the first load).
const SourcesPage = lazyPage(() => import("./operations").then((m) => m.SourcesPage));
const RulesPage = lazyPage(() => import("./operations").then((m) => m.RulesPage));
const ChannelsPage = lazyPage(() => import("./operations").then((m) => m.ChannelsPage));
const SilencesPage = lazyPage(() => import("./operations").then((m) => m.SilencesPage));
const HistoryPage = lazyPage(() => import("./operations").then((m) => m.HistoryPage));
const EventsPage = lazyPage(() => import("./operations").then((m) => m.EventsPage));
const FlagList = lazyPage(() => import("./flags/pages").then((m) => m.FlagList));
const FlagForm = lazyPage(() => import("./flags/pages").then((m) => m.FlagForm));
const ExperimentForm = lazyPage(() => import("./forms").then((m) => m.ExperimentForm));
const MetricForm = lazyPage(() => import("./forms").then((m) => m.MetricForm));
const ModelsPage = lazyPage(() => import("./operations").then((m) => m.ModelsPage));

/** Top-level sections of the main navigation, by path prefix. */
const SECTIONS = [
  { href: "/experiments", label: "Experiments", prefix: "/experiments" },
  { href: "/flags", label: "Flags", prefix: "/flags" },
  { href: "/metrics", label: "Metrics", prefix: "/metrics" },
  { href: "/live", label: "Live", prefix: "/live" },
  { href: "/models", label: "Models", prefix: "/models" },
  { href: "/alerting/rules", label: "Alerting", prefix: "/alerting" },
  { href: "/sources", label: "Sources", prefix: "/sources" },
  { href: "/events", label: "Events", prefix: "/events" },
] as const;

type Session =
  | { state: "signed-out"; reason: string | null }
  | { state: "checking" }
  | { state: "error"; error: unknown }
  | { state: "signed-in"; me: Me };

export function App() {
  const [token, setTok] = useState(getToken);
  const [session, setSession] = useState<Session>(
    token ? { state: "checking" } : { state: "signed-out", reason: null },
  );
  const [attempt, setAttempt] = useState(0);

  useEffect(() => onTokenChange(setTok), []);
  useEffect(() => {
    if (!token) {
      setSession((s) => ({
        state: "signed-out",
        reason: s.state === "signed-in" || s.state === "checking" ? "Your session ended. Sign in again." : null,
      }));
      return;
    }
    setSession({ state: "checking" });
    unwrap(api.me.$get()).then(
      (me) => setSession({ state: "signed-in", me }),
      (error: unknown) => {
        if (error instanceof ApiError && error.status === 401) setToken(null);
        else setSession({ state: "error", error });
      },
    );
  }, [token, attempt]);

  if (session.state === "signed-out") return <SignIn reason={session.reason} />;
  if (session.state !== "signed-in") {
    return (
      <main id="main" class="signin">
        {session.state === "checking" ? (
          <Loading label="Signing in…" />
        ) : (
          <ErrorBox error={session.error} onRetry={() => setAttempt((n) => n + 1)} />
        )}
      </main>
    );
  }
  return (
    <SessionContext.Provider value={session.me}>
      <Shell me={session.me} />
    </SessionContext.Provider>
  );
}

function Shell({ me }: { me: Me }) {
  const { path, query } = useLocation();
  const section = SECTIONS.find((x) => path.startsWith(x.prefix))?.prefix ?? "/experiments";

  // After an in-app navigation, move focus to the new page so keyboard and screen-reader users land
  // on it. Not on the first render: a fresh page load starts at the top, with the skip link.
  const firstRender = useRef(true);
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    document.getElementById("main")?.focus({ preventScroll: true });
  }, [path]);

  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <Link href="/" class="brand">
          Edge Experiments
        </Link>
        <nav aria-label="Main">
          <ul>
            {SECTIONS.map((x) => (
              <li key={x.prefix}>
                <Link href={x.href} aria-current={section === x.prefix ? "page" : undefined}>
                  {x.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div class="who">
          <span class="who-text">
            <span class="visually-hidden">Signed in as </span>
            <span data-testid="me-sub">{me.sub}</span>
            <span class="org" title="Organization">
              <span class="visually-hidden">, organization </span>
              <span data-testid="me-org">{me.org}</span>
            </span>
          </span>
          <button
            type="button"
            class="btn btn-small"
            onClick={() => {
              setToken(null);
              navigate("/", true);
            }}
          >
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Page path={path} query={query} />
      </main>
    </>
  );
}

function Page({ path, query }: { path: string; query: URLSearchParams }) {
  if (path === "/" || path === "/experiments") return <ExperimentList />;
  if (path === "/metrics") return <MetricList />;
  if (path === "/metrics/new") return <MetricForm prefill={query.get("name") ?? undefined} />;
  const metric = /^\/metrics\/([^/]+)$/.exec(path);
  if (metric?.[1]) return <MetricForm metricKey={decodeURIComponent(metric[1])} />;
  if (path === "/experiments/new") return <ExperimentForm copyOf={query.get("copy") ?? undefined} />;
  if (path === "/flags") return <FlagList />;
  if (path === "/flags/new") return <FlagForm copyOf={query.get("copy") ?? undefined} />;
  const flag = /^\/flags\/([^/]+)$/.exec(path);
  if (flag?.[1]) return <FlagForm flagKey={decodeURIComponent(flag[1])} />;
  if (path === "/live") return <LivePage />;
  if (path === "/models") return <ModelsPage />;
  if (path === "/sources") return <SourcesPage />;
  if (path === "/alerting" || path === "/alerting/rules") return <RulesPage />;
  if (path === "/alerting/channels") return <ChannelsPage />;
  if (path === "/alerting/silences") return <SilencesPage />;
  if (path === "/alerting/history") return <HistoryPage />;
  if (path === "/events") return <EventsPage />;
  const edit = /^\/experiments\/([^/]+)\/edit$/.exec(path);
  if (edit?.[1]) return <ExperimentForm id={decodeURIComponent(edit[1])} />;
  const detail = /^\/experiments\/([^/]+)$/.exec(path);
  if (detail?.[1]) return <ExperimentDetail id={decodeURIComponent(detail[1])} />;
  return (
    <section>
      <h1>Page not found</h1>
      <p>
        There is nothing at <code>{path}</code>. <Link href="/experiments">Go to experiments</Link>.
      </p>
    </section>
  );
}
