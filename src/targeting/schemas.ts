/**
 * zod for the server's routes: a condition as a request field, checked by the pure validator when
 * it is saved, so a malformed one is a 400 naming its path (`rules.2.condition.country.$in`).
 * Kept apart from the zod-free modules the SDK bundles.
 */
import { z } from "@hono/zod-openapi";
import { KEY_MESSAGE } from "../experiments/model";
import { JsonObject } from "../http/json";
import { decimalNumber } from "../http/params";
import { NAMESPACE_KEY_PATTERN } from "./model";
import { validateCondition } from "./validate";

// Validated as parsed and kept as parsed: a z.record copies the object key by key, which drops an
// own `__proto__` key, so `{"__proto__": {"plan": "pro"}}` was stored as `{}` (a rule for everyone)
// and never validated. validateCondition refuses anything but a JSON object, and that key.
export const ConditionSchema = z
  .custom<Record<string, unknown>>()
  .superRefine((condition, ctx) => {
    for (const issue of validateCondition(condition)) {
      ctx.addIssue({ code: "custom", path: issue.path, message: issue.message });
    }
  })
  .openapi("Condition", {
    type: "object",
    description: "A MongoDB-style condition over the user's attributes (docs/targeting.md)",
    example: { country: { $in: ["FR", "DE"] }, "app.version": { $vgte: "2.4.0" } },
  });

export const NamespaceKey = z.string().regex(NAMESPACE_KEY_PATTERN, KEY_MESSAGE);

export const NamespaceSchema = z
  .strictObject({
    key: NamespaceKey,
    start: decimalNumber({ min: 0, max: 1 }),
    end: decimalNumber({ min: 0, max: 1 }),
  })
  .refine((n) => n.start < n.end, { path: ["end"], message: "end must be greater than start (0 <= start < end <= 1)" })
  .openapi("Namespace", {
    description: "The experiment's layer: users whose namespace hash is in [start, end)",
    example: { key: "checkout", start: 0, end: 0.5 },
  });

/** User attributes: any JSON object; `id` defaults to the user_id. */
export const AttributesSchema = JsonObject.openapi({
  type: "object",
  description: "The user's attributes; `id` defaults to user_id",
  example: { country: "FR" },
});
