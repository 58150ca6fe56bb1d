/** A timer of the calling request's own: what waits in the isolate (backoff, coalescing, polling) waits on. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
