import { z } from "@hono/zod-openapi";
import { defineRoute } from "../http/openapi";
import { notFound } from "../http/problem";
import { createRouter } from "../http/router";
import { deleteOrganizationData } from "./delete-org";

const OrgParam = z.object({
  org: z.string().openapi({ param: { name: "org", in: "path" }, description: "The token's own organization" }),
});
const Partial = z
  .object({
    status: z.literal("partial"),
    rows_deleted: z.number().int().openapi({ description: "Rows this call removed" }),
  })
  .openapi("OrgDeletionProgress");

/** Mounted under /api/v1. */
export const opsRoutes = createRouter().openapi(
  defineRoute("admin", {
    method: "delete",
    path: "/orgs/{org}/data",
    tags: ["Operations"],
    summary: "Delete every row and object of the caller's organization",
    description:
      "Removes the organization's D1 rows in batches and then its object's storage. `202` means more is left: " +
      "call again. `204` once nothing is left; repeating it is safe. Only the token's own organization: any other " +
      "is `404`.",
    request: { params: OrgParam },
    responses: {
      202: { description: "Part deleted; repeat the call", content: { "application/json": { schema: Partial } } },
      204: { description: "Nothing of the organization is left" },
    },
  }),
  async (c) => {
    const { org } = c.req.valid("param");
    const principal = c.get("principal");
    if (org !== principal.org) throw notFound("organization");
    const progress = await deleteOrganizationData(c.env, org, principal.sub);
    if (!progress.done) return c.json({ status: "partial" as const, rows_deleted: progress.rows }, 202);
    return c.body(null, 204);
  },
);
