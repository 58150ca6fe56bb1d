import { z } from "@hono/zod-openapi";

/** The `:id` path parameter of every resource route: opaque, bounded so it cannot bloat a query. */
export const IdParam = z.object({
  id: z
    .string()
    .min(1)
    .max(128)
    .openapi({ param: { name: "id", in: "path" } }),
});
