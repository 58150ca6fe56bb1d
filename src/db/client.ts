import { drizzle } from "drizzle-orm/d1";
import * as schema from "./schema";

export type Db = ReturnType<typeof createDb>;

/**
 * A drizzle client over the D1 binding or one of its sessions; cheap to create, so one per request.
 * drizzle's D1 driver types its client as D1Database but calls only `prepare` and `batch` on it
 * (drizzle-orm 0.45 d1/session.js), which a D1DatabaseSession has with the same signatures; so
 * does every raw statement here (`db.$client.prepare/batch`). Nothing may call `exec`, `dump` or
 * `withSession` on `$client`: a session has none of them.
 */
export const createDb = (d1: D1Database | D1DatabaseSession) => drizzle(d1 as D1Database, { schema });
