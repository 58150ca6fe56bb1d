import { describe, expect, it } from "vitest";
import { bucketOf, pickVariant } from "../../src/evaluation/bucketing";
import type { ClientExperiment, ClientVariant } from "../../src/experiments/model";
import { bucketedVariant, evaluateAll, evaluateExperiment } from "../../src/evaluation/evaluate";
import golden from "../fixtures/bucketing.json";

const variants = (pcts: readonly number[]): ClientVariant[] =>
  pcts.map((pct, i) => ({
    id: `var_${i}`,
    key: i === 0 ? "control" : `treatment_${i}`,
    variant_name: i === 0 ? "Control" : `Treatment ${i}`,
    variant_type: i === 0 ? "control" : "treatment",
    model_version: i === 0 ? null : `model-v${i}`,
    config: { index: i },
    traffic_percentage: pct,
  }));

const experiment = (over: Partial<ClientExperiment> = {}): ClientExperiment => ({
  id: "exp_1",
  key: "checkout_button",
  status: "running",
  seed: "checkout_button",
  coverage: 100,
  winner_variant_id: null,
  variants: variants([50, 30, 20]),
  ...over,
});

function assigned(e: ClientExperiment, user: string) {
  const r = evaluateExperiment(e, user);
  if (r.kind !== "assigned") throw new Error(`expected an assignment, got ${r.kind}`);
  return r.assignment;
}

describe("bucketedVariant (results without variant_id)", () => {
  it.each([
    ["full coverage", {}],
    ["coverage 37%", { coverage: 37 }],
    ["a namespace [0.2, 0.7)", { namespace: { key: "layer", start: 0.2, end: 0.7 } }],
    ["coverage 50% inside a namespace", { coverage: 50, namespace: { key: "layer", start: 0, end: 0.5 } }],
  ] as const)(
    "%s: the variant of every in-experiment answer, null exactly where the reason is coverage or namespace",
    (_name, over) => {
      const e = experiment(over);
      for (let i = 0; i < 5000; i++) {
        const user = `user-${i}`;
        const r = evaluateExperiment(e, user);
        if (r.kind !== "assigned") throw new Error("expected an assignment");
        const bucketed = bucketedVariant(e, user);
        if (r.reason === null) expect(bucketed?.id).toBe(r.assignment.variant_id);
        else expect([r.reason, bucketed]).toEqual([r.reason, null]);
      }
    },
  );

  it("ignores status and targeting: a paused or completed experiment's users keep their bucket", () => {
    const running = experiment({ targeting: { plan: "pro" } });
    for (const status of ["paused", "completed"] as const) {
      const e = { ...running, status, winner_variant_id: "var_2" };
      for (let i = 0; i < 1000; i++) {
        const user = `user-${i}`;
        const index = pickVariant(bucketOf(e.seed, user), 100, [50, 30, 20]);
        expect(bucketedVariant(e, user)?.id).toBe(`var_${index}`);
      }
    }
  });
});

describe("evaluateExperiment replays the golden cases", () => {
  it.each(golden.cases.map((c, i) => [i, c] as const))("case %i", (_i, c) => {
    const e = experiment({
      seed: c.seed,
      coverage: c.coverage,
      variants: variants(c.percentages),
    });
    const a = assigned(e, c.user_id);
    if (c.variant_index === null) {
      expect(a).toMatchObject({ variant_id: "var_0", in_experiment: false });
    } else {
      expect(a).toMatchObject({ variant_id: `var_${c.variant_index}`, in_experiment: true });
    }
  });
});

describe("evaluateExperiment by status", () => {
  const user = "user_1";

  it("running: the bucketed variant, with every Assignment field", () => {
    const e = experiment();
    const index = pickVariant(bucketOf(e.seed, user), 100, [50, 30, 20]);
    const v = e.variants[index ?? -1];
    expect(v).toBeDefined();
    expect(assigned(e, user)).toEqual({
      experiment_id: "exp_1",
      experiment_key: "checkout_button",
      variant_id: v?.id,
      variant_key: v?.key,
      variant_name: v?.variant_name,
      variant_type: v?.variant_type,
      model_version: v?.model_version,
      config: v?.config,
      in_experiment: true,
      reason: null,
    });
  });

  it("running, outside coverage: control, not in the experiment", () => {
    expect(assigned(experiment({ coverage: 0 }), user)).toMatchObject({
      variant_id: "var_0",
      variant_type: "control",
      in_experiment: false,
    });
  });

  it("running: the control is found by type, not position", () => {
    const vs = variants([50, 50]).map((v, i) => ({
      ...v,
      variant_type: i === 0 ? ("treatment" as const) : ("control" as const),
    }));
    expect(assigned(experiment({ coverage: 0, variants: vs }), user).variant_id).toBe("var_1");
  });

  it("paused: control, not in the experiment", () => {
    for (const u of ["a", "b", "c", "d", "e", "f"]) {
      expect(assigned(experiment({ status: "paused" }), u)).toMatchObject({
        variant_id: "var_0",
        in_experiment: false,
      });
    }
  });

  it("completed with a winner: the winner for everyone, not in the experiment", () => {
    const e = experiment({ status: "completed", winner_variant_id: "var_2" });
    for (const u of ["a", "b", "c", "d", "e", "f"]) {
      expect(assigned(e, u)).toMatchObject({ variant_id: "var_2", in_experiment: false });
    }
  });

  it.each([null, "var_missing"])("completed with winner %j: control", (winner) => {
    const e = experiment({ status: "completed", winner_variant_id: winner });
    expect(assigned(e, user)).toMatchObject({ variant_id: "var_0", in_experiment: false });
  });

  it("draft: not_running (the server answers 409)", () => {
    expect(evaluateExperiment(experiment({ status: "draft" }), user)).toEqual({
      kind: "not_running",
      reason: "draft",
      experiment_id: "exp_1",
      experiment_key: "checkout_button",
    });
  });

  it("no variants: not_running rather than a crash", () => {
    expect(evaluateExperiment(experiment({ variants: [] }), user)).toMatchObject({
      kind: "not_running",
      reason: "no_variants",
    });
  });
});

describe("evaluateAll", () => {
  it("skips drafts and keeps the order", () => {
    const all = evaluateAll(
      [
        experiment({ id: "a", key: "a" }),
        experiment({ id: "b", key: "b", status: "draft" }),
        experiment({ id: "c", key: "c", status: "paused" }),
      ],
      "user_1",
    );
    expect(all.map((a) => a.experiment_key)).toEqual(["a", "c"]);
  });
});
