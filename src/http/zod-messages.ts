import { z } from "zod";

/**
 * zod's message for a missing field describes the type it wanted, not that the field is missing:
 * a POST /alerts without `severity` said `Invalid option: expected one of "info"|…`, which reads as
 * a wrong value. Every message for a missing field now starts with `required`, and keeps what was
 * expected. A schema's own message still wins (zod's precedence), so the few that say more (times,
 * JSON values) choose their own wording for a missing field.
 */
export function missingFieldMessage(issue: {
  code?: string;
  input?: unknown;
  values?: readonly unknown[];
  expected?: string;
}): string | undefined {
  if (issue.input !== undefined) return undefined;
  switch (issue.code) {
    case "invalid_value":
      return `required: one of ${(issue.values ?? []).map((v) => JSON.stringify(v)).join("|")}`;
    case "invalid_type":
      return `required: expected ${issue.expected}`;
    case "invalid_union":
      return "required";
    default:
      return undefined;
  }
}

/** Once per isolate, before any request is validated (imported by the router). */
z.config({ customError: (issue) => missingFieldMessage(issue) });
