// The error summary names each field by the label its form shows, from the form's own label list.
import { describe, expect, it } from "vitest";
import { labelsFor } from "../../web/src/ui/Field";

const labelOf = labelsFor({ name: "Name", duration: "For", ends_at: "For", rules: "Rules" });

describe("labelsFor", () => {
  it.each([
    ["name", "Name"],
    ["ends_at", "For"], // an API path the form shows under another field's control
    ["rules.2.condition", "Rules"], // nested: the top-level field's label
    ["unknown_field", "unknown_field"], // not on the form: named as the API names it
    ["", ""],
  ])("%s → %s", (path, label) => {
    expect(labelOf(path)).toBe(label);
  });
});
