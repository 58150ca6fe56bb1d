// The streaming bench's 500-event batch, shared by the load (streaming.bench.ts) and the writes timed
// inside the object (bench/worker.ts writeBatch), so both measure the same rows.

export const BATCH = 500;

/** Batch `i` of run `run`: ids `<run>-<i>-<n>`, two event types, a three-field payload. */
export const eventBatch = (run: string, i: number) =>
  Array.from({ length: BATCH }, (_, j) => ({
    event_id: `${run}-${i}-${j}`,
    event_type: j % 3 === 0 ? "click" : "view",
    payload: { user: `u${(i * BATCH + j) % 10_000}`, page: "/checkout", value: j },
  }));
