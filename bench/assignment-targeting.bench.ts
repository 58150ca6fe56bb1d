// Assignment with targeting (issue 15): the assignment bench's POST /assign, in an organization with
// 5 running experiments that carry targeting conditions (one in a namespace as well) and 20 feature
// flags with conditions and rollouts, every request sending user attributes. Against GET
// /api/v1/health in the same run, alternating rounds; the ratio is the median of the per-round
// ratios. POST /flags/evaluate (every flag, the same attributes) is measured in the same rounds.
import type { BenchContext, BenchSection, LoadResult } from "./harness.ts";
import { round } from "./harness.ts";

const P = "/api/v1/ab-testing";
const USERS = 20_000;
const CONCURRENCY = 32;
const ROUNDS = 8;
const ROUND_MS = 3_000;

/** Conditions in the shapes teams write: lists, versions, nested paths, $or, $regex, $exists. */
export const EXPERIMENTS: { key: string; targeting: Record<string, unknown>; namespace?: Record<string, unknown> }[] = [
  { key: "t-hero", targeting: { country: { $in: ["US", "CA", "GB", "FR", "DE"] } } },
  { key: "t-pricing", targeting: { plan: { $in: ["pro", "team"] }, "app.version": { $vgte: "2.4.0" } } },
  {
    key: "t-onboarding",
    targeting: { $or: [{ beta: true }, { "app.platform": "ios", "app.version": { $vgte: "3.0.0" } }] },
  },
  { key: "t-search", targeting: { email: { $regex: "@example\\.(com|org)$" }, age: { $gte: 18, $lt: 65 } } },
  {
    key: "t-checkout",
    targeting: { country: { $nin: ["CN", "RU"] }, tags: { $elemMatch: { $eq: "returning" } } },
    namespace: { key: "checkout", start: 0, end: 0.5 },
  },
];

const COUNTRIES = ["US", "FR", "DE", "BR", "IN", "GB", "CN", "CA"];
const PLANS = ["free", "pro", "team", "enterprise"];
const VERSIONS = ["1.9.3", "2.3.9", "2.4.0", "2.10.1", "3.0.0-beta.2", "3.1.0"];

/** The attributes of user i: deterministic, so every round asks the same mix of matches. */
export const attributesOf = (i: number) => ({
  country: COUNTRIES[i % COUNTRIES.length],
  plan: PLANS[(i >> 3) % PLANS.length],
  beta: i % 7 === 0,
  age: 16 + (i % 60),
  email: `user${i}@example.${i % 3 === 0 ? "org" : "com"}`,
  app: { version: VERSIONS[i % VERSIONS.length], platform: i % 2 === 0 ? "ios" : "android" },
  tags: i % 4 === 0 ? ["returning", "mobile"] : ["new"],
});

export const flagOf = (k: number) => ({
  key: `flag-${k}`,
  value_type: k % 2 === 0 ? "boolean" : "string",
  default_value: k % 2 === 0 ? false : "off",
  rules: [
    {
      condition: {
        country: { $in: COUNTRIES.slice(0, 1 + (k % COUNTRIES.length)) },
        "app.version": { $vgte: "2.0.0" },
      },
      rollout_percentage: 10 + ((k * 7) % 90),
      value: k % 2 === 0 ? true : "on",
    },
    { condition: { plan: PLANS[k % PLANS.length] }, rollout_percentage: 50, value: k % 2 === 0 ? true : "plan" },
    { rollout_percentage: 5, value: k % 2 === 0 ? true : "everyone" },
  ],
});

async function send(ctx: BenchContext, token: string, path: string, body?: unknown): Promise<{ id?: string }> {
  const res = await fetch(`${ctx.baseUrl}${P}${path}`, {
    method: "POST",
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: JSON.stringify(body ?? {}),
  });
  if (!res.ok) throw new Error(`POST ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as { id?: string };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length / 2;
  return Number.isInteger(mid) ? ((s[mid - 1] as number) + (s[mid] as number)) / 2 : (s[Math.floor(mid)] as number);
};

/** The organization this bench (and `bench:profile -- assign-targeting`) measures: 5 targeted experiments, 20 flags. */
export async function seedTargeting(ctx: BenchContext, token: string): Promise<void> {
  for (const e of EXPERIMENTS) {
    const { id } = await send(ctx, token, "/experiments", {
      key: e.key,
      experiment_name: e.key,
      targeting: e.targeting,
      ...(e.namespace && { namespace: e.namespace }),
      variants: [
        { key: "control", variant_type: "control", traffic_percentage: 50 },
        { key: "b", variant_type: "treatment", traffic_percentage: 50, config: { color: "green" } },
      ],
    });
    await send(ctx, token, `/experiments/${id}/start`);
  }
  for (let k = 0; k < 20; k++) await send(ctx, token, "/flags", flagOf(k));
}

export default async function assignmentTargetingBench(ctx: BenchContext): Promise<BenchSection> {
  const token = await ctx.token("bench-targeting");
  await seedTargeting(ctx, token);

  const auth = { Authorization: `Bearer ${token}` };
  let seq = 0;
  const assign = () => {
    const i = seq++ % USERS;
    return {
      path: `${P}/assign`,
      method: "POST",
      headers: auth,
      body: { user_id: `u-${i}`, attributes: attributesOf(i) },
    };
  };
  const flags = () => {
    const i = seq++ % USERS;
    return {
      path: `${P}/flags/evaluate`,
      method: "POST",
      headers: auth,
      body: { user_id: `u-${i}`, attributes: attributesOf(i) },
    };
  };
  const health = () => ({ path: "/api/v1/health" });
  // The same body (user and attributes) to a handler that neither authenticates nor reads it
  // (bench/worker.ts): what a JSON POST of this size costs here before any Worker code runs.
  let bareSeq = 0;
  const bare = () => {
    const i = bareSeq++ % USERS;
    return {
      path: "/api/v1/streaming-analytics/bench/bare-post",
      method: "POST",
      body: { user_id: `u-${i}`, attributes: attributesOf(i) },
    };
  };

  // What the mix looks like: how many answers are exposures, and why the others are not.
  const sample = await fetch(`${ctx.baseUrl}${P}/assign`, {
    method: "POST",
    headers: { ...auth, "Content-Type": "application/json" },
    body: JSON.stringify({ user_id: "u-4", attributes: attributesOf(4) }),
  });
  const sampled = (await sample.json()) as { assignments: unknown[] };
  if (sampled.assignments.length !== EXPERIMENTS.length) throw new Error(`expected 5 assignments: ${sampled}`);
  const reasons: Record<string, number> = {};
  for (let i = 0; i < 200; i++) {
    const res = await fetch(`${ctx.baseUrl}${P}/assign`, {
      method: "POST",
      headers: { ...auth, "Content-Type": "application/json" },
      body: JSON.stringify({ user_id: `mix-${i}`, attributes: attributesOf(i) }),
    });
    const { assignments } = (await res.json()) as { assignments: { reason: string | null }[] };
    for (const a of assignments) reasons[a.reason ?? "in_experiment"] = (reasons[a.reason ?? "in_experiment"] ?? 0) + 1;
  }

  await ctx.load({ concurrency: CONCURRENCY, requests: 2_000, request: assign });
  await ctx.load({ concurrency: CONCURRENCY, requests: 1_000, request: flags });
  await ctx.load({ concurrency: CONCURRENCY, requests: 2_000, request: health });
  const hs: LoadResult[] = [];
  const as: LoadResult[] = [];
  const fs: LoadResult[] = [];
  const bs: LoadResult[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    hs.push(await ctx.load({ concurrency: CONCURRENCY, durationMs: ROUND_MS, request: health }));
    as.push(await ctx.load({ concurrency: CONCURRENCY, durationMs: ROUND_MS, request: assign }));
    fs.push(await ctx.load({ concurrency: CONCURRENCY, durationMs: ROUND_MS, request: flags }));
    bs.push(await ctx.load({ concurrency: CONCURRENCY, durationMs: ROUND_MS, request: bare }));
  }
  for (const r of [...hs, ...as, ...fs, ...bs]) {
    if (r.errors > 0) throw new Error(`errors under load: ${JSON.stringify(r.statuses)}`);
  }
  const paired = (num: LoadResult[]) => median(num.map((n, i) => n.rps / (hs[i] as LoadResult).rps));
  const mean = (xs: LoadResult[], f: (r: LoadResult) => number) => xs.reduce((t, r) => t + f(r), 0) / xs.length;
  ctx.log(`assign/health per round: ${as.map((a, i) => round(a.rps / (hs[i] as LoadResult).rps, 3)).join(", ")}`);
  return {
    title: "Assignment with targeting (5 targeted experiments, 20 flags, attributes on every request)",
    figures: [
      {
        name: "GET /api/v1/health",
        value: round(
          mean(hs, (r) => r.rps),
          0,
        ),
        unit: `req/s (c=${CONCURRENCY})`,
      },
      {
        name: "POST /assign with attributes",
        value: round(
          mean(as, (r) => r.rps),
          0,
        ),
        unit: `req/s, p50 ${round(mean(as, (r) => r.p50Ms))} ms, p99 ${round(mean(as, (r) => r.p99Ms))} ms`,
      },
      {
        name: "POST /flags/evaluate (20 flags) with attributes",
        value: round(
          mean(fs, (r) => r.rps),
          0,
        ),
        unit: `req/s, p50 ${round(mean(fs, (r) => r.p50Ms))} ms, p99 ${round(mean(fs, (r) => r.p99Ms))} ms`,
      },
    ],
    ratios: [
      { name: "POST /assign with attributes rps / GET /health rps", value: round(paired(as), 3), goal: ">= 0.85" },
      { name: "POST /flags/evaluate rps / GET /health rps", value: round(paired(fs), 3) },
      {
        name: "bare POST of the same body (no auth, not read) rps / GET /health rps: the floor for this request here",
        value: round(paired(bs), 3),
      },
      {
        name: "POST /assign with attributes rps / the bare POST rps (the Worker's whole share)",
        value: round(median(as.map((a, i) => a.rps / (bs[i] as LoadResult).rps)), 3),
      },
    ],
    notes: [
      `${USERS} users cycled, each with 7 attributes (nested app.version, tags array, email); ${ROUNDS} alternating rounds of ${ROUND_MS / 1000} s (health, assign, flags, the bare POST); ratios are medians of per-round ratios.`,
      `Answers over 200 sample users x 5 experiments: ${Object.entries(reasons)
        .map(([k, v]) => `${k} ${v}`)
        .join(", ")}.`,
    ],
  };
}
