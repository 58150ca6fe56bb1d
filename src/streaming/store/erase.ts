import { migrate } from "./schema";

/** Close code sent to the organization's open sockets when its data is deleted. */
const ERASED_CLOSE_CODE = 4410;

/**
 * Empties an organization's object: its alarm, every table and key (`deleteAll`, which also drops
 * the storage's own metadata), and its sockets. The store schema is then recreated, because this
 * same instance may serve the organization's next call without running its constructor again.
 * Idempotent: on an empty object it changes nothing.
 */
export async function eraseObject(ctx: DurableObjectState): Promise<void> {
  for (const ws of ctx.getWebSockets()) {
    try {
      ws.close(ERASED_CLOSE_CODE, "organization data deleted");
    } catch {
      // already closing
    }
  }
  await ctx.storage.deleteAlarm();
  await ctx.storage.deleteAll();
  migrate(ctx.storage);
}
