import { z } from "@hono/zod-openapi";
import { defineRoute } from "../http/openapi";
import { createRouter } from "../http/router";

const Me = z.object({ sub: z.string(), org: z.string(), scopes: z.array(z.string()) }).openapi("Me");

/** Who the token says the caller is; the dashboard shows it next to the sign-out button. */
export const identityRoutes = createRouter().openapi(
  defineRoute("read", {
    method: "get",
    path: "/me",
    tags: ["Identity"],
    summary: "The caller and organization of the presented token",
    responses: { 200: { description: "The principal", content: { "application/json": { schema: Me } } } },
  }),
  (c) => {
    const { sub, org, scopes } = c.get("principal");
    return c.json({ sub, org, scopes: [...scopes].sort() }, 200);
  },
);
