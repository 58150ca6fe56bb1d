// Local Cron Triggers. `wrangler dev` never fires `[triggers] crons` by itself; started with
// `--test-scheduled` it exposes the Worker's scheduled handler at /cdn-cgi/local/scheduled
// (answering "ok"; /__scheduled would reach the dashboard's SPA fallback first). This ticker calls
// it at the start of every minute, as Cloudflare would for `* * * * *`, so scheduled starts and
// ends happen under `npm start` (and in the e2e server) exactly as in production.

const MINUTE_MS = 60_000;

export interface LocalCron {
  stop: () => void;
}

/** Calls `${baseUrl}/cdn-cgi/local/scheduled?cron=…` at every minute boundary until stopped. */
export function startLocalCron(baseUrl: string, cron = "* * * * *", log: (line: string) => void = () => {}): LocalCron {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const url = `${baseUrl}/cdn-cgi/local/scheduled?cron=${encodeURIComponent(cron)}`;

  const fire = async () => {
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (!res.ok) log(`local cron: ${url} answered ${res.status}`);
    } catch (err) {
      // wrangler restarting after a file change, or shutting down: the next minute retries.
      log(`local cron: ${String(err)}`);
    }
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(
      () => {
        void fire().finally(schedule);
      },
      MINUTE_MS - (Date.now() % MINUTE_MS),
    );
    // A pending tick must not keep a finished test process alive.
    timer.unref?.();
  };
  schedule();
  return {
    stop: () => {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
    },
  };
}
