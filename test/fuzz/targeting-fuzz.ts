/**
 * Differential fuzz of targeting: the same seeded random conditions, flags and experiments through
 * the TypeScript evaluator (src/targeting, src/flags, src/evaluation), the TypeScript SDK (src/sdk),
 * the Python SDK (sdk/python) and the independent reference (scripts/gen_targeting_vectors.py).
 * Only inputs the server would store are compared (validateCondition and the routes' zod schemas);
 * it also reports conditions the validator accepts but an evaluator throws on (a 500 risk), the two
 * validators disagreeing, and accepted patterns Python's re refuses. Each kind of disagreement is
 * minimised (greedy: drop keys, elements, characters while the same sources still disagree) and
 * printed with every side's answer.
 *
 *   npm run fuzz:targeting                      # 100,000 conditions, 20,000 flags, 20,000 experiments, seed 1
 *   npm run fuzz:targeting -- --seed 7 --conditions 5000 --flags 1000 --experiments 1000
 *
 * (that is `node --experimental-transform-types test/fuzz/targeting-fuzz.ts`: the SDK's class uses
 * parameter properties, which plain type stripping refuses).
 *
 * Single-threaded (Python runs after the TypeScript side, not beside it); the default run takes about
 * a minute of CPU to compare, and a minute or two more to minimise what it finds. Exit code 1 when anything disagrees. The inputs come from
 * test/fuzz/targeting-gen.ts; test/unit/targeting-fuzz.test.ts runs a small seeded version in `npm test`.
 */
import { spawn } from "node:child_process";
import { registerHooks } from "node:module";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

// Node's type stripping resolves only explicit `.ts` specifiers; src/ and test/ imports omit them.
registerHooks({
  resolve(specifier, context, nextResolve) {
    const local = /\/(src|test)\//.test(context.parentURL ?? "") && !context.parentURL?.includes("node_modules");
    if (local && specifier.startsWith(".") && !/\.[cm]?[jt]s$|\.json$/.test(specifier)) {
      return nextResolve(`${specifier}.ts`, context);
    }
    return nextResolve(specifier, context);
  },
});

const diff = await import("./targeting-diff.ts");
type Case = import("./targeting-diff.ts").Case;

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
};
const seed = arg("seed", 1);
const counts = {
  condition: arg("conditions", 100_000),
  flag: arg("flags", 20_000),
  experiment: arg("experiments", 20_000),
};

const cpu = () => process.cpuUsage().user / 1e6;
const t0 = cpu();
const cases = diff.fuzzCases(seed, counts);
const tGen = cpu();
const ts = cases.map(diff.tsAnswer);
const tTs = cpu();
const wall = Date.now();
const py = diff.pythonAnswers(cases, ts);
const pyWall = (Date.now() - wall) / 1000;
const tPy = cpu();

// ---- tally ------------------------------------------------------------------------------------------

const accepted = { condition: 0, flag: 0, experiment: 0 };
const matched = { condition: 0, rule: 0, in_experiment: 0 };
const groups = new Map<string, number[]>();
const throws: number[] = [];
const validatorsDisagree: number[] = [];
const reRefused: number[] = [];
/** How a disagreement is grouped: which sources differ, and whether the TypeScript budget ran out. */
const signature = (c: Case, t: ReturnType<typeof diff.tsAnswer>, who: string[]) =>
  `${c.kind}: ${who.join(", ")} differ from ts${t.overBudget ? " (the TypeScript step budget ran out)" : ""}`;
const isError = (v: unknown) => typeof v === "object" && v !== null && "error" in v;

cases.forEach((c, i) => {
  const t = ts[i] as ReturnType<typeof diff.tsAnswer>;
  const p = py[i] as Record<string, unknown>;
  if (t.validatorsDisagree) validatorsDisagree.push(i);
  const answers = diff.allAnswers(t, p);
  // Evaluators must be total whatever the input: a throw is reported, accepted or not (the
  // reference is only given what the server accepts, and answers nothing else).
  if (Object.values(answers).some(isError)) throws.push(i);
  if (!t.accepted) return;
  accepted[c.kind]++;
  if ((p.re_refused as string[] | undefined)?.length) reRefused.push(i);
  const base = answers.ts as Record<string, unknown> | boolean | null;
  if (c.kind === "condition" && base === true) matched.condition++;
  if (c.kind === "flag" && (base as { reason?: string }).reason === "rule") matched.rule++;
  if (c.kind === "experiment" && (base as { in_experiment?: boolean } | null)?.in_experiment) matched.in_experiment++;
  const who = diff.disagreements(answers, t.overBudget);
  if (who.length === 0) return;
  const key = signature(c, t, who);
  groups.set(key, [...(groups.get(key) ?? []), i]);
});

console.log(`seed ${seed}: ${counts.condition} conditions, ${counts.flag} flags, ${counts.experiment} experiments`);
console.log(
  `accepted by the validator: ${accepted.condition} conditions (${matched.condition} match), ${accepted.flag} flags (${matched.rule} by a rule), ${accepted.experiment} experiments (${matched.in_experiment} in experiment)`,
);
console.log(
  `CPU: generate ${(tGen - t0).toFixed(1)} s, TypeScript ${(tTs - tGen).toFixed(1)} s, Python ${pyWall.toFixed(1)} s wall (this process ${(tPy - tTs).toFixed(1)} s)`,
);
console.log(`validateCondition and ConditionSchema disagree: ${validatorsDisagree.length}`);
console.log(`an evaluator threw: ${throws.length}`);
console.log(`accepted patterns Python's re refuses: ${reRefused.length}`);
console.log(`disagreements on accepted cases: ${[...groups.values()].reduce((n, g) => n + g.length, 0)}`);

// ---- minimise and print -------------------------------------------------------------------------------

/** A long-lived python3 for one case at a time. */
function pythonServer() {
  const child = spawn("python3", [fileURLToPath(new URL("./targeting_fuzz.py", import.meta.url))], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const waiting: ((line: string) => void)[] = [];
  lines.on("line", (l) => waiting.shift()?.(l));
  return {
    ask: (c: Case, accepted: boolean) =>
      new Promise<Record<string, unknown>>((resolve) => {
        waiting.push((l) => resolve(JSON.parse(l)));
        child.stdin?.write(`${diff.pythonCase(c, accepted)}\n`);
      }),
    close: () => child.stdin?.end(),
  };
}

type J = unknown;
/** Smaller variants of a JSON value: without one key or element, a child in its place, a shorter string. */
function* smaller(v: J): Generator<J> {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) yield [...v.slice(0, i), ...v.slice(i + 1)];
    for (let i = 0; i < v.length; i++) for (const s of smaller(v[i])) yield v.map((x, j) => (j === i ? s : x));
  } else if (typeof v === "object" && v !== null) {
    const o = v as Record<string, J>;
    for (const k of Object.keys(o)) {
      const { [k]: _, ...rest } = o;
      yield rest;
    }
    for (const k of Object.keys(o)) for (const s of smaller(o[k])) yield { ...o, [k]: s };
  } else if (typeof v === "string" && v.length > 0) {
    const cps = [...v];
    // Long strings lose halves first; short ones one code point at a time.
    if (cps.length > 16) {
      yield cps.slice(cps.length >> 1).join("");
      yield cps.slice(0, cps.length >> 1).join("");
      yield cps.slice(1).join("");
    } else for (let i = 0; i < cps.length; i++) yield [...cps.slice(0, i), ...cps.slice(i + 1)].join("");
  } else if (typeof v === "number" && v !== 0 && Number.isInteger(v) && Math.abs(v) < 1000) {
    yield 0;
  }
}

const shrinkable: Record<Case["kind"], string[][]> = {
  condition: [["condition"], ["attributes"]],
  flag: [["attributes"], ["flag", "rules"]],
  experiment: [["attributes"], ["experiment", "targeting"]],
};
const getIn = (o: J, path: string[]): J => path.reduce((x, k) => (x as Record<string, J> | undefined)?.[k], o);
const setIn = (o: J, path: string[], v: J): J => {
  if (path.length === 0) return v;
  const [k, ...rest] = path as [string, ...string[]];
  return { ...(o as Record<string, J>), [k]: setIn((o as Record<string, J>)[k], rest, v) };
};

async function minimise(c: Case, wanted: string, server: ReturnType<typeof pythonServer>): Promise<Case> {
  const still = async (x: Case) => {
    const t = diff.tsAnswer(x);
    if (!t.accepted) return false;
    const who = diff.disagreements(diff.allAnswers(t, await server.ask(x, true)), t.overBudget);
    return signature(x, t, who) === wanted;
  };
  let best = c;
  for (let progress = true, rounds = 0; progress && rounds < 200; rounds++) {
    progress = false;
    for (const path of shrinkable[c.kind]) {
      const here = getIn(best, path);
      if (here === undefined) continue;
      for (const s of smaller(here)) {
        const candidate = setIn(best, path, s) as Case;
        if (await still(candidate)) {
          best = candidate;
          progress = true;
          break;
        }
      }
      if (progress) break;
    }
  }
  return best;
}

/** JSON for the report: -0 and non-finite numbers named, long strings abbreviated. */
const show = (x: J) =>
  JSON.stringify(x, (_k, v) => {
    if (typeof v === "number" && (Object.is(v, -0) || !Number.isFinite(v)))
      return `${Object.is(v, -0) ? "-0" : v} (number)`;
    if (typeof v === "string" && v.length > 60)
      return `${v.slice(0, 24)}... (${v.length} code units) ...${v.slice(-12)}`;
    return v;
  });

if (groups.size > 0 || throws.length > 0 || reRefused.length > 0 || validatorsDisagree.length > 0) {
  const server = pythonServer();
  for (const [title, members] of groups) {
    console.log(`\n== ${title}: ${members.length} cases`);
    // Minimise a few, and print the distinct minimal cases.
    const seen = new Set<string>();
    for (const i of members.slice(0, 20)) {
      if (seen.size >= 8) break;
      const m = await minimise(cases[i] as Case, title, server);
      const text = show(m);
      if (seen.has(text)) continue;
      seen.add(text);
      console.log(`case #${i}, minimised: ${text}`);
      const t = diff.tsAnswer(m);
      console.log(`  answers: ${show(diff.allAnswers(t, await server.ask(m, t.accepted)))}`);
    }
  }
  for (const [title, list] of [
    ["an evaluator threw", throws],
    ["accepted patterns Python's re refuses", reRefused],
    ["the validators disagree", validatorsDisagree],
  ] as const) {
    for (const i of list.slice(0, 5)) {
      console.log(`\n== ${title}: case #${i}: ${show(cases[i])}`);
      console.log(
        `  answers: ${show(diff.allAnswers(ts[i] as ReturnType<typeof diff.tsAnswer>, py[i] as Record<string, unknown>))}`,
      );
    }
  }
  server.close();
  process.exitCode = 1;
}
