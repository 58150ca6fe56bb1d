import { drizzle } from "drizzle-orm/d1";
import * as schema from "./schema";

export type Db = ReturnType<typeof createDb>;

/** A drizzle client over the D1 binding; cheap to create, so one per request. */
export const createDb = (d1: D1Database) => drizzle(d1, { schema });
