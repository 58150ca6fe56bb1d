// The experiment form's pure rules (web/src/experiments/form-logic.ts), case by case.
import { describe, expect, it } from "vitest";
import { KEY_PATTERN } from "../../src/experiments/model";
import {
  controlProblem,
  deriveKey,
  evenSplit,
  fieldLabel,
  newVariant,
  percentSum,
  plainMessage,
  reconcileErrors,
  remainingPercent,
  removeVariant,
  setVariantType,
  validateDraft,
  type VariantDraft,
} from "../../web/src/experiments/form-logic";

const row = (traffic_percentage: string, variant_type: VariantDraft["variant_type"] = "treatment", key = "t") =>
  ({ key, variant_name: key, variant_type, traffic_percentage, model_version: "", config: "" }) as VariantDraft;

describe("deriveKey", () => {
  it.each([
    ["Checkout button color", "checkout_button_color"],
    ["  Checkout   Button  ", "checkout_button"],
    ["Café au lait — v2!", "cafe_au_lait_v2"],
    ["Größe 10% off", "gro_e_10_off"],
    ["already_a-key", "already_a_key"],
    ["!!!", ""],
    ["", ""],
    ["日本語", ""],
    ["a".repeat(70), "a".repeat(64)],
    [`${"a".repeat(63)} b`, "a".repeat(63)],
  ])("%j → %j", (name, key) => {
    expect(deriveKey(name)).toBe(key);
    if (key) expect(KEY_PATTERN.test(key)).toBe(true);
  });
});

describe("percentages", () => {
  it.each([
    [[], "100"],
    [["50", "50"], "0"],
    [["60"], "40"],
    [["33.33", "33.33"], "33.34"],
    [["70", "40"], "0"],
    [["", "25"], "75"],
    [["abc", "10"], "90"],
  ])("remainingPercent of %j is %s", (split, rest) => {
    expect(remainingPercent(split.map((p) => row(p)))).toBe(rest);
  });

  it.each([
    [["33.33", "33.33", "33.34"], 100],
    [["60", "50"], 110],
    [["", "50"], 50],
    [["0.1", "0.2"], 0.3],
  ])("percentSum of %j is %s", (split, sum) => {
    expect(percentSum(split.map((p) => row(p)))).toBe(sum);
  });

  it.each([
    [2, ["50", "50"]],
    [3, ["33.34", "33.33", "33.33"]],
    [7, ["14.32", "14.28", "14.28", "14.28", "14.28", "14.28", "14.28"]],
  ])("evenSplit(%i)", (n, split) => {
    expect(evenSplit(n)).toEqual(split);
  });

  it("a new row gets what the others leave, and a fresh key", () => {
    const rows = [row("50", "control", "control"), row("30", "treatment", "treatment_1")];
    const added = newVariant(rows);
    expect(added).toMatchObject({ traffic_percentage: "20", variant_type: "treatment", key: "treatment_2" });
    expect(newVariant([])).toMatchObject({ traffic_percentage: "100", variant_type: "control", key: "control" });
    // No control left (it was removed): the new row becomes the control.
    expect(newVariant([row("100", "treatment", "treatment_1")]).variant_type).toBe("control");
  });
});

describe("one control", () => {
  const three = [row("34", "control", "a"), row("33", "treatment", "b"), row("33", "treatment", "c")];
  it.each([
    [2, "control", ["treatment", "treatment", "control"]],
    [0, "treatment", ["treatment", "treatment", "treatment"]],
    [1, "treatment", ["control", "treatment", "treatment"]],
  ] as const)("setting row %i to %s gives %j", (i, type, types) => {
    expect(setVariantType(three, i, type).map((v) => v.variant_type)).toEqual(types);
  });

  it.each([
    [0, ["control", "treatment"]],
    [1, ["control", "treatment"]],
  ])("removing row %i keeps one control: %j", (i, types) => {
    expect(removeVariant(three, i).map((v) => v.variant_type)).toEqual(types);
  });

  it.each([
    [[], null],
    [["control", "treatment"], null],
    [["treatment", "treatment"], "Choose which variant is the control."],
    [["control", "control", "treatment"], "Only one variant can be the control (2 are)."],
  ] as const)("controlProblem(%j)", (types, problem) => {
    expect(controlProblem(types.map((t) => row("50", t)))).toBe(problem);
  });
});

describe("validation and messages", () => {
  const good = {
    experiment_name: "Checkout",
    key: "checkout",
    coverage: "100",
    variants: [row("50", "control", "control"), row("50", "treatment", "green")],
  };

  it("a good draft has no problems", () => {
    expect(validateDraft(good)).toEqual({});
  });

  it.each([
    [{ experiment_name: " " }, { experiment_name: "Enter a name." }],
    [{ key: "" }, { key: "Enter a key." }],
    [{ key: "Not A Key" }, { key: "Use 1-64 lowercase letters, digits, _ or -." }],
    [{ coverage: "101" }, { coverage: "Enter a percentage from 0 to 100, with at most 2 decimals." }],
    [{ coverage: "49.999" }, { coverage: "Enter a percentage from 0 to 100, with at most 2 decimals." }],
    [
      { variants: [row("50", "control", "x"), row("", "treatment", "x")] },
      {
        "variants.1.key": 'Another variant already uses the key "x".',
        "variants.1.traffic_percentage": "Enter a percentage from 0 to 100, with at most 2 decimals.",
      },
    ],
    [
      { variants: [row("50", "treatment", "a"), { ...row("50", "treatment", "b"), config: "[1]" }] },
      {
        variants: "Choose which variant is the control.",
        "variants.1.config": 'Enter a JSON object, like {"color": "blue"}.',
      },
    ],
  ])("%j → %j", (patch, errors) => {
    expect(validateDraft({ ...good, ...patch })).toEqual(errors);
  });

  it.each([
    ["Too small: expected string to have >=1 characters", "This can't be empty."],
    ["Too big: expected string to have <=200 characters", "Use at most 200 characters."],
    ["Invalid input: expected number, received null", "Enter a number."],
    ["must be 1-64 characters of [a-z0-9_-]", "Use 1-64 lowercase letters, digits, _ or -."],
    [
      "must be a percentage from 0 to 100 with at most 2 decimals",
      "Enter a percentage from 0 to 100, with at most 2 decimals.",
    ],
    ['Invalid option: expected one of "control"|"treatment"', "Pick one of control, treatment."],
    ["'conversion' is listed twice", "'conversion' is listed twice"],
    ["duplicate variant key 'a'", "Duplicate variant key 'a'"],
  ])("plainMessage(%j)", (raw, plain) => {
    expect(plainMessage(raw)).toBe(plain);
  });

  it.each([
    ["experiment_name", "Name"],
    ["variants.2.config", "Variant 3 config"],
    ["variants.0.traffic_percentage", "Variant 1 traffic %"],
    ["variants", "Variants"],
    ["secondary_metrics.1", "Secondary metrics (2)"],
    ["", "Form"],
    ["analysis_settings.engine", "analysis settings"],
  ])("fieldLabel(%j) = %j", (path, label) => {
    expect(fieldLabel(path)).toBe(label);
  });

  it.each([
    // fixed: the error goes
    [{ key: "Use 1-64…" }, {}, "key", {}],
    // still wrong: the current message replaces the old one
    [{ key: "old" }, { key: "Enter a key." }, "key", { key: "Enter a key." }],
    // a server-only error stays while another field changes, and goes when its own field changes
    [{ primary_metric: "unknown" }, {}, "key", { primary_metric: "unknown" }],
    [{ primary_metric: "unknown" }, {}, "primary_metric", {}],
    // the control rule clears when another row changes type
    [{ variants: "Choose which variant is the control." }, {}, "variants.1.variant_type", {}],
  ])("reconcileErrors(%j, %j, %s)", (shown, local, changed, out) => {
    expect(reconcileErrors(shown, local, changed)).toEqual(out);
  });
});
