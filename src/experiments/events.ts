/**
 * The seam between experiment writes and anything that caches experiments (the assignment
 * config cache). Experiments code never imports the cache: caches subscribe here, so the two
 * features can change independently and the dependency points one way.
 *
 * Listeners are per isolate, like the caches they reset; other isolates rely on their TTL.
 */

export type ExperimentChangeListener = (orgId: string) => void;

const listeners = new Set<ExperimentChangeListener>();

/** Subscribes to lifecycle and structural changes; returns the unsubscribe function. */
export function onExperimentChanged(listener: ExperimentChangeListener): () => void {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

/**
 * Called after every successful create, update, delete, lifecycle move or variant change.
 * A throwing listener must not turn a committed write into an error answer, so it is logged.
 */
export function emitExperimentChanged(orgId: string): void {
  for (const listener of listeners) {
    try {
      listener(orgId);
    } catch (err) {
      console.error(JSON.stringify({ level: "error", event: "experiment_changed_listener", error: String(err) }));
    }
  }
}
