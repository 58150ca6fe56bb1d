import type { ComponentType } from "preact";
import { useEffect, useState } from "preact/hooks";
import { ErrorBox, Loading } from "./status";

/**
 * A page loaded on first visit (its own chunk), so pages an operator opens now and then do not
 * weigh on everyone's first load. A failed load can be retried.
 */
export function lazyPage<P extends object>(load: () => Promise<ComponentType<P>>): ComponentType<P> {
  let loaded: ComponentType<P> | null = null;
  let pending: Promise<ComponentType<P>> | null = null;
  return function LazyPage(props: P) {
    const [Page, setPage] = useState<ComponentType<P> | null>(() => loaded);
    const [error, setError] = useState<unknown>(null);
    const [attempt, setAttempt] = useState(0);
    useEffect(() => {
      if (Page) return;
      pending ??= load().then((c) => {
        loaded = c;
        return c;
      });
      let live = true;
      pending.then(
        (c) => live && setPage(() => c),
        (err: unknown) => {
          pending = null;
          if (live) setError(err);
        },
      );
      return () => {
        live = false;
      };
    }, [attempt]);
    if (Page) return <Page {...props} />;
    if (error !== null)
      return (
        <ErrorBox
          error={error}
          onRetry={() => {
            setError(null);
            setAttempt((n) => n + 1);
          }}
        />
      );
    return <Loading label="Loading page…" />;
  };
}
