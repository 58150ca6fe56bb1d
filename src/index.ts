import app from "./app";
import { consumeExposures } from "./assignment/exposure-queue";
import { insertExposures } from "./assignment/read-model";
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
  /** The exposure queue's consumer (`[[queues.consumers]]`): this Worker consumes only that queue. */
  async queue(batch, env) {
    const db = createDb(env.DB);
    await consumeExposures(batch, (rows) => insertExposures(db, rows));
  },
} satisfies ExportedHandler<Env>;
