/** Flag rows to the API shape (docs/contract.md "Feature flags"). */
import type { FlagRow } from "../db/schema";

const iso = (ms: number) => new Date(ms).toISOString();

export function presentFlag(f: FlagRow) {
  return {
    id: f.id,
    key: f.key,
    description: f.description,
    value_type: f.valueType,
    default_value: f.defaultValue,
    enabled: f.enabled,
    rules: f.rules,
    created_at: iso(f.createdAt),
    updated_at: iso(f.updatedAt),
  };
}

/** The audited fields of a flag, under their API names (what history `changes` speak of). */
export function auditedFlagFields(
  f: Pick<FlagRow, "key" | "description" | "valueType" | "defaultValue" | "enabled" | "rules">,
) {
  return {
    key: f.key,
    description: f.description,
    value_type: f.valueType,
    default_value: f.defaultValue,
    enabled: f.enabled,
    rules: f.rules,
  };
}
