import { describe, expect, it } from "vitest";
import { bucketBasisPoints, fnv1a32, inNamespace, namespaceBucket } from "../../src/evaluation/bucketing";
import { evaluateAll, evaluateExperiment } from "../../src/evaluation/evaluate";
import { evaluateFlag, evaluateFlags } from "../../src/flags/evaluate";
import type { ClientFlag } from "../../src/flags/model";
import { evalCondition } from "../../src/targeting/condition";
import { type Attributes, CONDITION_LIMITS, type Condition } from "../../src/targeting/model";
import { validateCondition } from "../../src/targeting/validate";
import golden from "../fixtures/targeting.json";
import { type GoldenExperiment, goldenExperiment } from "./targeting-golden";

// Replays test/fixtures/targeting.json (scripts/gen_targeting_vectors.py, an independent Python
// reference) on the evaluator, the validator, flag evaluation, the namespace hash and targeted
// experiment evaluation.

describe("condition golden cases", () => {
  it("has at least 300 cases, both outcomes well represented", () => {
    expect(golden.conditions.length).toBeGreaterThanOrEqual(300);
    const matched = golden.conditions.filter((c) => c.match).length;
    expect(matched).toBeGreaterThan(100);
    expect(golden.conditions.length - matched).toBeGreaterThan(100);
  });

  it.each(golden.conditions.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    expect(evalCondition(c.attributes as Attributes, c.condition as Condition)).toBe(c.match);
  });
});

describe("validator golden cases", () => {
  it.each(golden.invalid.map((c, i) => [i, c] as const))("invalid %i is refused at its path", (_i, c) => {
    const issues = validateCondition(c.condition);
    expect(issues.length).toBeGreaterThan(0);
    expect(issues[0]?.path).toEqual(c.path);
    expect(issues[0]?.message).toMatch(/\w/);
  });

  // Every golden condition the validator should accept (the ones whose logical arrays are
  // non-empty; `$or: []` is legal to evaluate but refused when saved).
  const valid = [...new Map(golden.conditions.map((c) => [JSON.stringify(c.condition), c.condition])).values()].filter(
    (c) => !/"\$(and|or|nor)":\[\]/.test(JSON.stringify(c)) && !/"\$v\w+":""/.test(JSON.stringify(c)),
  );
  it.each(valid.map((c) => [JSON.stringify(c).slice(0, 80), c] as const))("accepts %s", (_s, c) => {
    expect(validateCondition(c)).toEqual([]);
  });
});

describe("flag golden cases", () => {
  it("has at least 200 flag and namespace cases together", () => {
    expect(golden.flags.length + golden.namespaces.length).toBeGreaterThanOrEqual(200);
    expect(new Set(golden.flags.map((c) => c.result.reason))).toEqual(new Set(["rule", "default", "disabled"]));
  });

  it.each(golden.flags.map((c, i) => [`${c.flag.key} ${c.user_id}`, i, c] as const))("%s (#%i)", (_n, _i, c) => {
    const result = evaluateFlag(c.flag as ClientFlag, c.user_id, (c.attributes ?? undefined) as Attributes | undefined);
    expect(result).toEqual(c.result);
  });
});

describe("namespace golden cases", () => {
  it.each(golden.namespaces.map((c, i) => [i, c] as const))("case %i", (_i, c) => {
    expect(fnv1a32(`${c.user_id}__${c.namespace.key}`)).toBe(c.fnv1a32);
    expect(namespaceBucket(c.user_id, c.namespace.key)).toBe(c.position);
    expect(inNamespace(c.user_id, c.namespace)).toBe(c.in_namespace);
  });
});

/** A golden experiment case through the server's evaluator, with the user's earlier answer if any. */
const evaluateGolden = (
  c: { experiment: GoldenExperiment; user_id: string; attributes: unknown },
  exposedVariantKey?: string,
) =>
  evaluateExperiment(
    goldenExperiment(c.experiment),
    c.user_id,
    (c.attributes ?? undefined) as Attributes | undefined,
    undefined,
    exposedVariantKey,
  );

describe("targeted experiment golden cases", () => {
  it.each(golden.experiments.map((c, i) => [`${c.experiment.seed} ${c.user_id}`, i, c] as const))(
    "%s (#%i)",
    (_n, _i, c) => {
      const r = evaluateGolden(c);
      expect(r.kind).toBe("assigned");
      if (r.kind !== "assigned") return;
      expect(r.assignment.variant_id).toBe(`v${c.variant_index}`);
      expect(r.assignment.in_experiment).toBe(c.in_experiment);
      expect(r.reason).toBe(c.reason);
    },
  );

  it("covers every reason", () => {
    expect(new Set(golden.experiments.map((c) => c.reason))).toEqual(
      new Set([null, "targeting", "namespace", "coverage"]),
    );
  });
});

describe("exposed user golden cases (an earlier answer keeps a user targeting now leaves out)", () => {
  it.each(golden.exposed.map((c, i) => [`${c.experiment.seed} ${c.user_id} shown ${c.exposed}`, i, c] as const))(
    "%s (#%i)",
    (_n, _i, c) => {
      const r = evaluateGolden(c, c.exposed);
      expect(r.kind).toBe("assigned");
      if (r.kind !== "assigned") return;
      expect([r.assignment.variant_id, r.assignment.in_experiment, r.reason]).toEqual([
        `v${c.variant_index}`,
        c.in_experiment,
        c.reason,
      ]);
    },
  );

  it("holds cases where the earlier answer changes the outcome", () => {
    const plain = new Map(golden.experiments.map((c) => [`${c.experiment.seed} ${c.user_id}`, c]));
    const kept = golden.exposed.filter(
      (c) => c.in_experiment && plain.get(`${c.experiment.seed} ${c.user_id}`)?.reason === "targeting",
    );
    expect(kept.length).toBeGreaterThanOrEqual(20);
  });
});

// The step budget (docs/targeting.md 2.1): the reference counts steps by the documented rule.
describe("step budget golden cases", () => {
  const { budget } = golden;

  it.each(budget.conditions.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const given = { steps: c.steps };
    expect([evalCondition(c.attributes as Attributes, c.condition as Condition, given), given.steps]).toEqual([
      c.match,
      c.left,
    ]);
    if (c.steps === CONDITION_LIMITS.stepBudget) {
      expect(evalCondition(c.attributes as Attributes, c.condition as Condition)).toBe(c.match);
    }
  });

  it("holds conditions that run out where they would match, and others that just fit", () => {
    const out = budget.conditions.filter((c) => c.left === -1 && c.unbounded_match);
    const fit = budget.conditions.filter((c) => c.left === 0 && c.match);
    expect([out.length, fit.length].every((n) => n >= 10)).toBe(true);
  });

  it.each(budget.flags.cases.map((c, i) => [`${c.key} ${c.user_id}`, i, c] as const))(
    "flag %s: one budget for all its rules (#%i)",
    (_n, _i, c) => {
      const flag = budget.flags.flags.find((f) => f.key === c.key) as ClientFlag;
      expect(evaluateFlag(flag, c.user_id, c.attributes as Attributes)).toEqual(c.result);
    },
  );

  it.each(budget.shared_flags.cases.map((c, i) => [`${c.keys ?? "all"} ${c.user_id}`, i, c] as const))(
    "flags evaluated together (%s) share the budget (#%i)",
    (_n, _i, c) => {
      const flags = budget.shared_flags.flags as ClientFlag[];
      expect({ ...evaluateFlags(flags, c.user_id, c.attributes as Attributes, c.keys ?? undefined) }).toEqual(c.result);
    },
  );

  it.each(budget.shared_experiments.cases.map((c) => [c.user_id, c] as const))(
    "experiments assigned together share the budget (%s)",
    (_n, c) => {
      const experiments = budget.shared_experiments.experiments.map((e) => goldenExperiment(e as GoldenExperiment));
      const got = evaluateAll(experiments, c.user_id, c.attributes as Attributes).map((a) => [
        a.experiment_key,
        a.variant_id,
        a.in_experiment,
        a.reason,
      ]);
      expect(got).toEqual(c.results.map((r) => [r.seed, `v${r.variant_index}`, r.in_experiment, r.reason]));
    },
  );

  it("holds flags and experiments whose answer the shares decide", () => {
    expect(budget.shared_flags.cases.some((c) => c.decided_by_shares.length > 0)).toBe(true);
    expect(budget.shared_experiments.cases.some((c) => c.results.some((r) => r.decided_by_shares))).toBe(true);
  });
});

describe("namespaces and rollouts over 100,000 users", () => {
  const USERS = 100_000;
  it("[0, 0.5) and [0.5, 1) share no user and each holds half within 1%", () => {
    let left = 0;
    let right = 0;
    for (let i = 0; i < USERS; i++) {
      const user = `user_${i}`;
      const a = inNamespace(user, { key: "checkout", start: 0, end: 0.5 });
      const b = inNamespace(user, { key: "checkout", start: 0.5, end: 1 });
      expect(a && b).toBe(false);
      expect(a || b).toBe(true);
      if (a) left++;
      if (b) right++;
    }
    expect(Math.abs(left / USERS - 0.5)).toBeLessThan(0.01);
    expect(Math.abs(right / USERS - 0.5)).toBeLessThan(0.01);
  });

  it("two experiments in one namespace never both enrol a user", () => {
    const base = golden.experiments[0]?.experiment as GoldenExperiment;
    const a = goldenExperiment({ ...base, seed: "ns_a", targeting: null, namespace: { key: "l", start: 0, end: 0.5 } });
    const b = goldenExperiment({ ...base, seed: "ns_b", targeting: null, namespace: { key: "l", start: 0.5, end: 1 } });
    let both = 0;
    let either = 0;
    for (let i = 0; i < USERS; i++) {
      const ra = evaluateExperiment(a, `u${i}`);
      const rb = evaluateExperiment(b, `u${i}`);
      const inA = ra.kind === "assigned" && ra.assignment.in_experiment;
      const inB = rb.kind === "assigned" && rb.assignment.in_experiment;
      if (inA && inB) both++;
      if (inA || inB) either++;
    }
    expect(both).toBe(0);
    expect(either).toBe(USERS);
  });

  it("raising a rollout from 10% to 50% keeps every user of the first 10%", () => {
    const flag = (pct: number): ClientFlag => ({
      key: "gradual",
      value_type: "boolean",
      default_value: false,
      enabled: true,
      rules: [{ condition: null, rollout_percentage: pct, value: true }],
    });
    const at10 = flag(10);
    const at50 = flag(50);
    let had = 0;
    let kept = 0;
    let gained = 0;
    for (let i = 0; i < USERS; i++) {
      const user = `user_${i}`;
      const before = evaluateFlag(at10, user).value === true;
      const after = evaluateFlag(at50, user).value === true;
      if (before) had++;
      if (before && after) kept++;
      if (!before && after) gained++;
    }
    expect(kept).toBe(had);
    expect(Math.abs(had / USERS - 0.1)).toBeLessThan(0.01);
    expect(Math.abs((had + gained) / USERS - 0.5)).toBeLessThan(0.01);
  });

  it("rollout bucket is the docs/contract.md formula", () => {
    expect(bucketBasisPoints("gradual", "user_1")).toBe(fnv1a32(String(fnv1a32("gradualuser_1"))) % 10000);
  });
});
