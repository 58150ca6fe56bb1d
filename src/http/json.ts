import { z } from "@hono/zod-openapi";

/**
 * Free-form JSON fields (variant config, event payload, prediction, features, tags) are nested at most
 * this deep. Without a bound, a 100,000-level array parses fine but overflows the stack later, when the
 * value is structured-cloned into the Durable Object or walked by a client.
 */
export const MAX_JSON_DEPTH = 32;

/** Depth of a parsed JSON value, walked iteratively (recursion is what deep input would break). */
export function jsonDepthExceeds(value: unknown, max = MAX_JSON_DEPTH): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop() as [unknown, number];
    if (current === null || typeof current !== "object") continue;
    if (depth + 1 > max) return true;
    const children = Array.isArray(current) ? current : Object.values(current);
    for (const child of children) {
      if (child !== null && typeof child === "object") stack.push([child, depth + 1]);
    }
  }
  return false;
}

const depthMessage = `nested deeper than ${MAX_JSON_DEPTH} levels`;

/** Any JSON object, at most MAX_JSON_DEPTH deep. */
export const JsonObject = z
  .record(z.string(), z.unknown())
  .refine((v) => !jsonDepthExceeds(v), depthMessage)
  .openapi({ type: "object", description: `Any JSON object (nested at most ${MAX_JSON_DEPTH} levels)` });

/** Any JSON value but undefined, at most MAX_JSON_DEPTH deep. */
export const JsonValue = z
  .unknown()
  .refine((v) => v !== undefined, "required")
  .refine((v) => !jsonDepthExceeds(v), depthMessage)
  .openapi({ description: `Any JSON value (nested at most ${MAX_JSON_DEPTH} levels)` });
