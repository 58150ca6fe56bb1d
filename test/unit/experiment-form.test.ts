// The experiment form's pure rules (web/src/experiments/form-logic.ts), case by case.
import { describe, expect, it } from "vitest";
import { KEY_PATTERN } from "../../src/experiments/model";
import {
  audienceBody,
  audiencePatch,
  audienceDraftOf,
  audienceErrors,
  controlProblem,
  deriveKey,
  EMPTY_AUDIENCE,
  epochOfLocalInput,
  evenSplit,
  fieldLabel,
  localInputOf,
  namespaceNeighbours,
  namespaceQueryKey,
  newVariant,
  percentSum,
  reconcileErrors,
  remainingPercent,
  removeVariant,
  setVariantType,
  validateDraft,
  type VariantDraft,
} from "../../web/src/experiments/form-logic";
import { copyKey, copyName } from "../../web/src/ui/copy-names";

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

describe("audience and schedule (targeting, namespace, scheduled start and end)", () => {
  const blank = { ...EMPTY_AUDIENCE };

  it("all blank: everyone, no namespace, no schedule", () => {
    expect(audienceBody(blank)).toEqual({
      body: { targeting: null, namespace: null, scheduled_start_at: null, scheduled_end_at: null },
      errors: {},
    });
  });

  it("a complete audience becomes the request's fields (schedule in the browser's zone)", () => {
    const { body, errors } = audienceBody({
      targeting: '{"country": {"$in": ["FR", "DE"]}}',
      namespace_key: "checkout",
      namespace_start: "0",
      namespace_end: "0.5",
      scheduled_start: "2026-12-24T09:00",
      scheduled_end: "2027-01-07T18:30",
    });
    expect(errors).toEqual({});
    expect(body).toEqual({
      targeting: { country: { $in: ["FR", "DE"] } },
      namespace: { key: "checkout", start: 0, end: 0.5 },
      scheduled_start_at: new Date(2026, 11, 24, 9, 0).getTime(),
      scheduled_end_at: new Date(2027, 0, 7, 18, 30).getTime(),
    });
  });

  it.each<[string, Partial<typeof blank>, string[]]>([
    ["targeting that is not JSON", { targeting: "{country: FR}" }, ["targeting"]],
    ["targeting that is an array", { targeting: "[1]" }, ["targeting"]],
    ["a range without a key", { namespace_start: "0", namespace_end: "0.5" }, ["namespace.key"]],
    ["a key without a range", { namespace_key: "checkout" }, ["namespace.start", "namespace.end"]],
    [
      "an upper-case namespace key",
      { namespace_key: "Checkout", namespace_start: "0", namespace_end: "1" },
      ["namespace.key"],
    ],
    ["a range past 1", { namespace_key: "c", namespace_start: "0.5", namespace_end: "1.5" }, ["namespace.end"]],
    ["an empty range", { namespace_key: "c", namespace_start: "0.5", namespace_end: "0.5" }, ["namespace.end"]],
    [
      "a percentage for a fraction",
      { namespace_key: "c", namespace_start: "0", namespace_end: "50" },
      ["namespace.end"],
    ],
    [
      "an end before the start",
      { scheduled_start: "2026-12-24T09:00", scheduled_end: "2026-12-24T08:59" },
      ["scheduled_end_at"],
    ],
    ["a start that is not a time", { scheduled_start: "tomorrow" }, ["scheduled_start_at"]],
  ])("%s: errors at %j", (_name, over, paths) => {
    expect(Object.keys(audienceBody({ ...blank, ...over }).errors).sort()).toEqual([...paths].sort());
  });

  it("a stored experiment's audience round-trips through the form", () => {
    const stored = {
      targeting: { plan: "pro", "app.version": { $vgte: "2.4.0" } },
      namespace: { key: "checkout", start: 0.25, end: 0.75 },
      scheduled_start_at: new Date(2026, 11, 24, 9, 0).toISOString(),
      scheduled_end_at: null,
    };
    const { body, errors } = audienceBody(audienceDraftOf(stored));
    expect(errors).toEqual({});
    expect(body).toEqual({
      targeting: stored.targeting,
      namespace: stored.namespace,
      scheduled_start_at: Date.parse(stored.scheduled_start_at),
      scheduled_end_at: null,
    });
  });

  // The fields show minutes: a stored time with seconds, sent back untouched, would move (and a
  // changed start on a started experiment is a 409), so a PATCH sends only the times edited.
  it.each([
    ["nothing edited", {}, {}],
    [
      "the start edited",
      { scheduled_start: "2031-01-02T10:00" },
      { scheduled_start_at: new Date(2031, 0, 2, 10).getTime() },
    ],
    ["the end cleared", { scheduled_end: "" }, { scheduled_end_at: null }],
  ])("audiencePatch: %s", (_label, edit, times) => {
    const stored = {
      targeting: { plan: "pro" },
      namespace: null,
      scheduled_start_at: new Date(2031, 0, 1, 9, 0, 30, 500).toISOString(),
      scheduled_end_at: new Date(2031, 1, 1, 9, 0, 30).toISOString(),
    };
    const initial = audienceDraftOf(stored);
    const draft = { ...initial, ...edit };
    expect(audiencePatch(audienceBody(draft).body, draft, initial)).toEqual({
      targeting: { plan: "pro" },
      namespace: null,
      ...times,
    });
  });

  it.each([
    ["", null],
    ["2026-12-24T09:00", new Date(2026, 11, 24, 9, 0).getTime()],
    ["2026-12-24T09:00:30", new Date(2026, 11, 24, 9, 0, 30).getTime()],
    ["2026-12-24", null],
    ["2026-13-40T09:00", null],
  ])("epochOfLocalInput(%j) = %j", (text, ms) => {
    expect(epochOfLocalInput(text)).toBe(ms);
  });

  it("localInputOf shows an API time in the browser's zone, to the minute; none for null or junk", () => {
    expect(localInputOf(new Date(2026, 11, 24, 9, 5, 59).toISOString())).toBe("2026-12-24T09:05");
    expect(localInputOf(null)).toBe("");
    expect(localInputOf("not a time")).toBe("");
  });

  it("server errors inside the condition are shown at the targeting field", () => {
    expect(audienceErrors({ "targeting.age.$gt": "must be a number", "namespace.end": "x" })).toEqual({
      targeting: "At age.$gt: must be a number",
      "namespace.end": "x",
    });
  });

  it.each([
    ["targeting", "Targeting"],
    ["namespace.key", "Namespace"],
    ["namespace.end", "Namespace range end"],
    ["scheduled_end_at", "Scheduled end"],
  ])("%s reads %s", (path, label) => {
    expect(fieldLabel(path)).toBe(label);
  });
});

describe("namespaceNeighbours", () => {
  const exp = (id: string, status: string, ns: [string, number, number] | null) => ({
    id,
    experiment_name: `E${id}`,
    status,
    namespace: ns ? { key: ns[0], start: ns[1], end: ns[2] } : null,
  });
  const all = [
    exp("1", "running", ["checkout", 0.5, 1]),
    exp("2", "draft", ["checkout", 0, 0.25]),
    exp("3", "completed", ["checkout", 0, 1]),
    exp("4", "running", ["search", 0, 1]),
    exp("5", "paused", null),
    exp("self", "draft", ["checkout", 0, 0.5]),
  ];
  const typed = (key: string, start: string, end: string) => ({
    namespace_key: key,
    namespace_start: start,
    namespace_end: end,
  });

  it.each<[string, ReturnType<typeof typed>, [string, boolean][]]>([
    [
      "[0, 0.5) meets the running one at 0.5 and overlaps the draft",
      typed("checkout", "0", "0.5"),
      [
        ["E2", true],
        ["E1", false],
      ],
    ],
    [
      "[0.25, 0.5) touches both and overlaps neither",
      typed("checkout", "0.25", "0.5"),
      [
        ["E2", false],
        ["E1", false],
      ],
    ],
    [
      "[0.2, 0.6) overlaps both",
      typed("checkout", "0.2", "0.6"),
      [
        ["E2", true],
        ["E1", true],
      ],
    ],
    [
      "an incomplete range lists them without judging",
      typed("checkout", "0.2", ""),
      [
        ["E2", false],
        ["E1", false],
      ],
    ],
    ["another namespace", typed("search", "0", "0.5"), [["E4", true]]],
    ["an unused namespace", typed("home", "0", "1"), []],
    ["no key", typed("", "0", "1"), []],
  ])("%s (completed experiments and the experiment itself left out)", (_name, d, want) => {
    expect(namespaceNeighbours(all, "self", d).map((n) => [n.name, n.overlaps])).toEqual(want);
  });
});

describe("namespaceQueryKey: the key the form asks GET /experiments?namespace= for", () => {
  it.each<[string, string | null]>([
    ["checkout", "checkout"],
    ["  checkout  ", "checkout"],
    ["check_out-2", "check_out-2"],
    ["", null],
    ["   ", null],
    ["Checkout", null],
    ["check out", null],
    ["x".repeat(64), "x".repeat(64)],
    ["x".repeat(65), null],
  ])("%j → %j (the server would refuse anything else with a 400)", (typed, want) => {
    expect(namespaceQueryKey({ namespace_key: typed })).toBe(want);
  });
});

describe("copyKey and copyName: what a duplicate (experiment or flag) starts with", () => {
  it.each([
    ["checkout", "checkout-2"],
    ["checkout-2", "checkout-3"],
    ["checkout-9", "checkout-10"],
    ["checkout_2", "checkout_2-2"],
    ["v-1-2", "v-1-3"],
    ["run-0", "run-1"],
    ["a".repeat(64), `${"a".repeat(62)}-2`],
    [`${"a".repeat(61)}-99`, `${"a".repeat(60)}-100`],
    ["x-1234567", "x-1234567-2"],
  ])("%j → %j", (key, want) => {
    expect(copyKey(key)).toBe(want);
    expect(KEY_PATTERN.test(copyKey(key))).toBe(true);
  });
  it.each([
    ["Checkout button", "Checkout button (copy)"],
    ["Checkout button (copy)", "Checkout button (copy)"],
  ])("%j → %j", (name, want) => expect(copyName(name)).toBe(want));
});
