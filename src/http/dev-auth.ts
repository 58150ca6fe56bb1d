import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { getConfig } from "../config";
import { ProblemError } from "./problem";
import { DEFAULT_TOKEN_TTL_SECONDS, DEV_ORG, signToken } from "./tokens";
import type { AppEnv } from "./types";

/**
 * One-click local sign-in for the dashboard. It exists only when DEV_SIGN_IN is "true" (set by
 * .dev.vars for `npm start`); everywhere else the route answers 404 as if it were not there.
 */
export const devAuth = new OpenAPIHono<AppEnv>().openapi(
  createRoute({
    method: "post",
    path: "/token",
    tags: ["Development"],
    summary: "Local development only: a token for the demo organization",
    responses: {
      200: {
        description: "A token with the scopes read, write, ingest and assign (not admin)",
        content: {
          "application/json": {
            schema: z.object({
              token: z.string(),
              org: z.string(),
              sub: z.string(),
              scope: z.string(),
              expires_in: z.number(),
            }),
          },
        },
      },
    },
  }),
  async (c) => {
    const config = getConfig(c.env);
    if (!config.devSignIn) throw new ProblemError("not-found", `no route for POST ${new URL(c.req.url).pathname}`);
    const scope = "read write ingest assign";
    const sub = "dev@localhost";
    const token = await signToken(
      config.jwt.signing.secret,
      { sub, org: DEV_ORG, scope, issuer: config.jwtIssuer, audience: config.jwtAudience },
      DEFAULT_TOKEN_TTL_SECONDS,
      config.jwt.signing.kid,
    );
    return c.json({ token, org: DEV_ORG, sub, scope, expires_in: DEFAULT_TOKEN_TTL_SECONDS }, 200);
  },
);
