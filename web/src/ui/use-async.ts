import { useCallback, useEffect, useRef, useState } from "preact/hooks";

export type AsyncState<T> =
  | { status: "loading"; data?: T }
  | { status: "error"; error: unknown; data?: T }
  | { status: "ready"; data: T };

/**
 * Loads data for a view and reloads when `deps` change. A late answer for old deps is dropped, so a
 * fast filter change never shows the previous filter's rows. `reload` keeps the old data visible.
 */
export function useAsync<T>(load: () => Promise<T>, deps: unknown[]): AsyncState<T> & { reload: () => void } {
  const [state, setState] = useState<AsyncState<T>>({ status: "loading" });
  const generation = useRef(0);
  const run = useCallback(() => {
    const gen = ++generation.current;
    setState((s) => ({ status: "loading", data: s.data }));
    load().then(
      (data) => gen === generation.current && setState({ status: "ready", data }),
      (error: unknown) => gen === generation.current && setState((s) => ({ status: "error", error, data: s.data })),
    );
  }, deps);
  useEffect(run, [run]);
  return { ...state, reload: run };
}
