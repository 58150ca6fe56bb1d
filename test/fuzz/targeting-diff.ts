/**
 * The TypeScript half of the targeting differential fuzz, shared by the runner
 * (test/fuzz/targeting-fuzz.ts) and the unit test (test/unit/targeting-fuzz.test.ts): answers a
 * case with the evaluator (src/targeting, src/flags, src/evaluation, as the routes call them), the
 * TypeScript SDK (src/sdk: its client, fresh per case so no earlier answer sticks) and the
 * save-time validator (validateCondition and the routes' zod ConditionSchema), and compares those
 * answers with the Python SDK's and the independent reference's (test/fuzz/targeting_fuzz.py).
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { evaluateAll, evaluateExperiment } from "../../src/evaluation/evaluate";
import type { ClientExperiment } from "../../src/experiments/model";
import { evaluateFlag, evaluateFlags } from "../../src/flags/evaluate";
import type { ClientFlag } from "../../src/flags/model";
import { FlagIn } from "../../src/flags/schemas";
import { ExperimentClient } from "../../src/sdk/index";
import { evalCondition } from "../../src/targeting/condition";
import type { Attributes, Condition } from "../../src/targeting/model";
import { ConditionSchema, NamespaceSchema } from "../../src/targeting/schemas";
import { validateCondition } from "../../src/targeting/validate";
import { Gen } from "./targeting-gen";

export type Case =
  | { kind: "condition"; condition: Condition; attributes: Attributes }
  | { kind: "flag"; flag: ClientFlag; user_id: string; attributes?: Attributes }
  | { kind: "experiment"; experiment: ClientExperiment; user_id: string; attributes?: Attributes; exposed?: string };

/** `counts` cases of each kind from `seed`: conditions first, then flags, then experiments. */
export function fuzzCases(seed: number, counts: { condition: number; flag: number; experiment: number }): Case[] {
  const gen = new Gen(seed);
  const out: Case[] = [];
  for (let i = 0; i < counts.condition; i++) out.push({ kind: "condition", ...gen.conditionCase() });
  for (let i = 0; i < counts.flag; i++) {
    const attributes = gen.callerAttributes();
    const c = { kind: "flag", flag: gen.flag(), user_id: gen.userId(), ...(attributes && { attributes }) };
    out.push(c as unknown as Case);
  }
  for (let i = 0; i < counts.experiment; i++) {
    const { experiment, exposed } = gen.experiment();
    const attributes = gen.callerAttributes();
    const c = {
      kind: "experiment",
      experiment,
      user_id: gen.userId(),
      ...(attributes && { attributes }),
      ...(exposed !== undefined && { exposed }),
    };
    out.push(c as unknown as Case);
  }
  return out;
}

/** What one side said; `error` when it threw. */
type Said = unknown;

export interface TsAnswer {
  /** Whether the server would store the case (validator, zod schemas). */
  accepted: boolean;
  /** validateCondition and ConditionSchema disagree about a condition. */
  validatorsDisagree?: boolean;
  /** The condition ran out of its step budget (unbounded, it would have matched). */
  overBudget?: boolean;
  answers: Record<string, Said>;
}

const guarded = (fn: () => unknown): Said => {
  try {
    return fn();
  } catch (err) {
    return { error: `${(err as Error).name}: ${(err as Error).message}` };
  }
};

const client = (config: ConstructorParameters<typeof ExperimentClient>[0]["initialConfig"]) =>
  new ExperimentClient({ baseUrl: "https://x.test", token: "t", initialConfig: config });

/** Every condition of a case (a flag's rules, an experiment's targeting), and whether all are accepted. */
function conditionsAccepted(conditions: readonly unknown[]): { accepted: boolean; disagree: boolean } {
  let accepted = true;
  let disagree = false;
  for (const c of conditions) {
    const byValidator = validateCondition(c).length === 0;
    const bySchema = ConditionSchema.safeParse(c).success;
    if (byValidator !== bySchema) disagree = true;
    accepted &&= byValidator && bySchema;
  }
  return { accepted, disagree };
}

const short = (a: { variant_key: string; in_experiment: boolean; reason?: string | null } | null | undefined) =>
  a == null ? null : { variant_key: a.variant_key, in_experiment: a.in_experiment, reason: a.reason ?? null };

export function tsAnswer(c: Case): TsAnswer {
  switch (c.kind) {
    case "condition": {
      const { accepted, disagree } = conditionsAccepted([c.condition]);
      // The SDK path as the golden replay takes it: a one-variant experiment, an explicit id.
      const attrs = Object.hasOwn(c.attributes, "id") ? c.attributes : { ...c.attributes, id: null };
      const experiment: ClientExperiment = {
        id: "e",
        key: "e",
        status: "running",
        seed: "e",
        coverage: 100,
        winner_variant_id: null,
        targeting: c.condition,
        namespace: null,
        variants: [
          {
            id: "v0",
            key: "v0",
            variant_name: "V0",
            variant_type: "control",
            model_version: null,
            config: {},
            traffic_percentage: 100,
          },
        ],
      };
      const ts = guarded(() => evalCondition(c.attributes, c.condition));
      return {
        accepted,
        validatorsDisagree: disagree,
        overBudget: ts === false && evalCondition(c.attributes, c.condition, { steps: 1e12 }),
        answers: {
          ts,
          ts_sdk: guarded(
            () =>
              client({ generated_at: "", experiments: [experiment] }).getVariant("e", "someone", attrs)?.in_experiment,
          ),
        },
      };
    }
    case "flag": {
      const { accepted, disagree } = conditionsAccepted(
        c.flag.rules.filter((r) => r.condition != null).map((r) => r.condition),
      );
      // The whole flag as POST /flags takes it (value types, rollout percentages, conditions).
      const flagOk = FlagIn.safeParse(c.flag).success;
      const sdk = client({ generated_at: "", experiments: [], flags: [c.flag] });
      return {
        accepted: accepted && flagOk,
        validatorsDisagree: disagree,
        answers: {
          ts: guarded(() => evaluateFlag(c.flag, c.user_id, c.attributes)),
          ts_route: guarded(() => evaluateFlags([c.flag], c.user_id, c.attributes)[c.flag.key]),
          ts_sdk: guarded(() => sdk.getFlag(c.flag.key, c.user_id, c.attributes)),
          ts_sdk_all: guarded(() => sdk.getFlags(c.user_id, c.attributes)[c.flag.key]),
        },
      };
    }
    case "experiment": {
      const e = c.experiment;
      const { accepted, disagree } = conditionsAccepted(e.targeting == null ? [] : [e.targeting]);
      const nsOk = e.namespace == null || NamespaceSchema.safeParse(e.namespace).success;
      const running = e.status === "running" || e.status === "draft";
      const sdk = client({
        generated_at: "",
        experiments: running ? [e] : [],
        stopped_experiments: running ? [] : [e],
      });
      const exposed = c.exposed === undefined ? undefined : { [e.key]: c.exposed };
      const answers: Record<string, Said> = {
        ts: guarded(() => {
          const r = evaluateExperiment(e, c.user_id, c.attributes, undefined, c.exposed);
          return r.kind === "assigned" ? short(r.assignment) : null;
        }),
        ts_sdk: guarded(() => short(sdk.getVariant(e.key, c.user_id, c.attributes, exposed))),
      };
      // POST /assign without `exposed` evaluates every running experiment through evaluateAll.
      if (c.exposed === undefined && e.status === "running") {
        answers.ts_route = guarded(() => short(evaluateAll([e], c.user_id, c.attributes)[0]));
      }
      return { accepted: accepted && nsOk, validatorsDisagree: disagree, answers };
    }
  }
}

const PY = fileURLToPath(new URL("./targeting_fuzz.py", import.meta.url));

/**
 * JSON for the Python side, keeping what JSON.stringify would write as 0 or null: -0 (Python reads
 * -0.0 as a float minus zero), and Infinity and NaN (Python's json reads them as floats), values a
 * Python caller's attributes may hold as well.
 */
const SPECIAL: [number, string][] = [
  [-0, "-0.0"],
  [Number.POSITIVE_INFINITY, "Infinity"],
  [Number.NEGATIVE_INFINITY, "-Infinity"],
  [Number.NaN, "NaN"],
];
function toPythonJson(v: unknown): string {
  const text = JSON.stringify(v, (_k, x) => {
    const i = typeof x === "number" ? SPECIAL.findIndex(([s]) => Object.is(s, x)) : -1;
    return i === -1 ? x : `\u0000SPECIAL${i}\u0000`;
  });
  return text.replace(/"\\u0000SPECIAL(\d)\\u0000"/g, (_m, i: string) => (SPECIAL[Number(i)] as [number, string])[1]);
}

/**
 * A case as the Python half reads it: with whether the server would store it (`accepted`), since
 * the reference is only given what the server accepts (it has no notion of validity).
 */
export const pythonCase = (c: Case, accepted: boolean): string => toPythonJson({ ...c, accepted });

/** Every case through python3 test/fuzz/targeting_fuzz.py in one run: its answers, in order. */
export function pythonAnswers(cases: readonly Case[], ts: readonly TsAnswer[]): Record<string, Said>[] {
  const input = `${cases.map((c, i) => pythonCase(c, (ts[i] as TsAnswer).accepted)).join("\n")}\n`;
  const r = spawnSync("python3", [PY], { input, encoding: "utf8", maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`python3 ${PY} failed (${r.status}): ${r.stderr}`);
  const lines = r.stdout.trimEnd().split("\n");
  if (lines.length !== cases.length) throw new Error(`python3 answered ${lines.length} of ${cases.length} cases`);
  return lines.map((l) => JSON.parse(l) as Record<string, Said>);
}

/** Deep equality of two JSON answers (key order aside; -0 equals 0, as JSON has one zero). */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every(
    (k) => Object.hasOwn(b, k) && sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
  );
}

/**
 * The answers that differ from the TypeScript evaluator's (`ts`), by source; empty when all agree.
 * A reference that declines the case (null for experiments it does not model) is left out. The
 * reference has no step budget: on a condition the evaluator ran out of steps on (`overBudget`, so
 * no match), it is held to the evaluator's answer without a budget, a match.
 */
export function disagreements(answers: Record<string, Said>, overBudget = false): string[] {
  const base = answers.ts;
  const out: string[] = [];
  for (const [who, said] of Object.entries(answers)) {
    if (who === "ts" || said === undefined) continue;
    if (who === "py_ref" && said === null && base !== null) continue;
    // Flags: the reference answers the same object; the condition client answers in_experiment.
    if (!sameJson(said, who === "py_ref" && overBudget ? true : base)) out.push(who);
  }
  return out;
}

/** A TypeScript answer as the Python side writes it: non-finite numbers by name, -0 as 0. */
const plain = (v: unknown): unknown =>
  JSON.parse(
    JSON.stringify(v, (_k, x) =>
      typeof x === "number" && !Number.isFinite(x) ? (Number.isNaN(x) ? "NaN" : x > 0 ? "Infinity" : "-Infinity") : x,
    ) ?? "null",
  );

/** Every answer of a case, the TypeScript ones and the Python ones (prefixed `py_`). */
export function allAnswers(ts: TsAnswer, py: Record<string, Said>): Record<string, Said> {
  const out: Record<string, Said> = {};
  for (const [k, v] of Object.entries(ts.answers)) out[k] = v === undefined ? undefined : plain(v);
  for (const [k, v] of Object.entries(py)) if (k !== "re_refused") out[`py_${k}`] = v;
  return out;
}
