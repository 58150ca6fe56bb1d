import app from "./app";
import { createDb } from "./db/client";
import type { Env } from "./env";
import { runSchedule } from "./scheduling/run";

export type { AppType } from "./app";
export { OrgObject } from "./streaming/org-object";

export default {
  fetch: app.fetch,
  /** The Cron Trigger (`[triggers] crons` in wrangler.toml): scheduled starts and ends. */
  async scheduled(controller, env) {
    await runSchedule(createDb(env.DB), controller.scheduledTime);
  },
} satisfies ExportedHandler<Env>;
