import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { bucketOf } from "../../src/evaluation/bucketing";
import { as, expectProblem, tokenFor, api } from "../helpers";
import { exposureRows, type SeededExperiment, seedExperiment } from "./assignment-fixtures";

const URL = "/api/v1/ab-testing/exposures";
type Client = Awaited<ReturnType<typeof as>>;

let acme: Client;
let checkout: SeededExperiment;
let half: SeededExperiment;

/** The variant the server's bucketing gives: 50/50 over [0, 0.5) and [0.5, 1) at full coverage. */
const variantOf = (seed: string, user: string) => (bucketOf(seed, user) < 0.5 ? "control" : "treatment");

/** Users inside (or outside) 50% coverage of a 50/50 split: control [0, .25), treatment [.5, .75). */
function halfCoverageUser(inside: boolean, from = 0): { user: string; variant: string } {
  for (let i = from; ; i++) {
    const user = `h${i}`;
    const n = bucketOf("half", user);
    const enrolled = n < 0.25 || (n >= 0.5 && n < 0.75);
    if (enrolled === inside) return { user, variant: n < 0.5 ? "control" : "treatment" };
  }
}

beforeAll(async () => {
  acme = await as("acme");
  checkout = await seedExperiment({ org: "acme", key: "checkout" });
  half = await seedExperiment({ org: "acme", key: "half", coverage: 50 });
  await seedExperiment({ org: "acme", key: "paused_one", status: "paused" });
  await seedExperiment({ org: "acme", key: "draft_one", status: "draft" });
});

describe("POST /exposures", () => {
  it("stores the exposures the bucketing confirms, with their timestamps, and says why it refused the rest", async () => {
    const t0 = Date.now() - 60_000;
    const users = Array.from({ length: 6 }, (_, i) => `user-${i}`);
    const inside = halfCoverageUser(true);
    const outside = halfCoverageUser(false);
    const wrongUser = "user-wrong";
    const wrong = variantOf("checkout", wrongUser) === "control" ? "treatment" : "control";
    const exposures = [
      ...users.map((u, i) => ({
        experiment_key: "checkout",
        variant_key: variantOf("checkout", u),
        user_id: u,
        timestamp: i % 2 === 0 ? t0 + i : new Date(t0 + i).toISOString(),
      })),
      { experiment_key: "half", variant_key: inside.variant, user_id: inside.user }, // 6: no timestamp: now
      { experiment_key: "half", variant_key: outside.variant, user_id: outside.user }, // 7
      { experiment_key: "checkout", variant_key: wrong, user_id: wrongUser }, // 8
      { experiment_key: "nope", variant_key: "control", user_id: "u" }, // 9
      { experiment_key: "paused_one", variant_key: "control", user_id: "u" }, // 10
      { experiment_key: "draft_one", variant_key: "control", user_id: "u" }, // 11
      { experiment_key: "checkout", variant_key: variantOf("checkout", "late"), user_id: "late", timestamp: 0 }, // 12
      {
        experiment_key: "checkout",
        variant_key: variantOf("checkout", "future"),
        user_id: "future",
        timestamp: Date.now() + 3_600_000,
      }, // 13
    ];
    const before = Date.now();
    const res = await acme.post(URL, { exposures });
    expect(res.status, await res.clone().text()).toBe(202);
    expect(await res.json()).toEqual({
      accepted: 7,
      duplicates: 0,
      rejected: [
        { index: 7, reason: "coverage" },
        { index: 8, reason: "variant_mismatch" },
        { index: 9, reason: "unknown_experiment" },
        { index: 10, reason: "not_running" },
        { index: 11, reason: "not_running" },
        { index: 12, reason: "timestamp_out_of_range" },
        { index: 13, reason: "timestamp_out_of_range" },
      ],
    });

    const stored = await exposureRows(checkout.id);
    expect(stored).toEqual(
      users.map((u, i) => ({
        user_id: u,
        variant_id: checkout.variantIds[variantOf("checkout", u)],
        exposed_at: t0 + i,
      })),
    );
    const halfRows = await exposureRows(half.id);
    expect(halfRows).toHaveLength(1);
    expect(halfRows[0]?.user_id).toBe(inside.user);
    expect(halfRows[0]?.variant_id).toBe(half.variantIds[inside.variant]);
    expect(halfRows[0]?.exposed_at).toBeGreaterThanOrEqual(before);
    expect(halfRows[0]?.exposed_at).toBeLessThanOrEqual(Date.now());
  });

  it("a user with results already stored counts once: the fold trigger's rows are not exposures", async () => {
    const user = "results-first";
    const variant_key = variantOf("checkout", user);
    const results = await acme.post(`/api/v1/ab-testing/experiments/${checkout.id}/results`, {
      results: ["m", "lat", "conv2"].map((metric_name) => ({ metric_name, metric_value: 5, user_id: user })),
    });
    expect(results.status, await results.clone().text()).toBe(201);
    const res = await acme.post(URL, { exposures: [{ experiment_key: "checkout", variant_key, user_id: user }] });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
    expect((await exposureRows(checkout.id)).filter((r) => r.user_id === user)).toHaveLength(1);
    // The trigger did fold the user's three results (what meta.changes had counted as exposures).
    const folded = await env.DB.prepare(
      "SELECT count(*) AS n FROM user_metric_values WHERE experiment_id = ? AND user_id = ?",
    )
      .bind(checkout.id, user)
      .first<{ n: number }>();
    expect(folded?.n).toBe(3);
  });

  it("first exposure wins: a re-sent pair is a duplicate and keeps its stored time; in a batch the earliest wins", async () => {
    const t = Date.now() - 10_000;
    const user = "repeat-user";
    const variant_key = variantOf("checkout", user);
    const first = await acme.post(URL, {
      exposures: [
        { experiment_key: "checkout", variant_key, user_id: user, timestamp: t + 5 },
        { experiment_key: "checkout", variant_key, user_id: user, timestamp: t },
      ],
    });
    expect(await first.json()).toEqual({ accepted: 1, duplicates: 1, rejected: [] });
    const again = await acme.post(URL, {
      exposures: [{ experiment_key: "checkout", variant_key, user_id: user, timestamp: t - 1000 }],
    });
    expect(again.status).toBe(202);
    expect(await again.json()).toEqual({ accepted: 0, duplicates: 1, rejected: [] });
    const rows = (await exposureRows(checkout.id)).filter((r) => r.user_id === user);
    expect(rows).toEqual([{ user_id: user, variant_id: checkout.variantIds[variant_key], exposed_at: t }]);
  });

  // Found by an outside probe: an exposure dated a day before a 15-minute-old experiment moved the
  // user's first exposure before the start, turning pre-start results into in-experiment ones.
  it("an exposure dated before the experiment first started is stored at the start, not before", async () => {
    const org = "acme-prestart";
    const client = await as(org);
    const started = await seedExperiment({ org, key: "prestart" });
    const startedAt = Date.now() - 15 * 60_000;
    await env.DB.prepare("UPDATE experiments SET started_at = ? WHERE id = ?").bind(startedAt, started.id).run();
    const early = "early-user";
    const later = "later-user";
    const res = await client.post(URL, {
      exposures: [
        {
          experiment_key: "prestart",
          variant_key: variantOf("prestart", early),
          user_id: early,
          timestamp: startedAt - 86_400_000,
        },
        {
          experiment_key: "prestart",
          variant_key: variantOf("prestart", later),
          user_id: later,
          timestamp: startedAt + 5,
        },
      ],
    });
    expect(await res.json()).toEqual({ accepted: 2, duplicates: 0, rejected: [] });
    expect((await exposureRows(started.id)).map((r) => [r.user_id, r.exposed_at])).toEqual([
      [early, startedAt],
      [later, startedAt + 5],
    ]);
  });

  it("agrees with POST /assign: an exposure reported for a user the route would enrol is the route's variant", async () => {
    for (let i = 0; i < 10; i++) {
      const user = `cross-${i}`;
      const assigned = await acme.post("/api/v1/ab-testing/assign", { user_id: user, experiments: ["checkout"] });
      const { assignments } = (await assigned.json()) as { assignments: { variant_key: string }[] };
      const res = await acme.post(URL, {
        exposures: [{ experiment_key: "checkout", variant_key: assignments[0]?.variant_key, user_id: user }],
      });
      const body = (await res.json()) as { rejected: unknown[] };
      expect(body.rejected).toEqual([]);
    }
  });

  it("another organization's experiment is unknown, and nothing is stored for it", async () => {
    const other = await as("other-org");
    const user = "cross-org-user";
    const res = await other.post(URL, {
      exposures: [{ experiment_key: "checkout", variant_key: variantOf("checkout", user), user_id: user }],
    });
    expect(await res.json()).toEqual({
      accepted: 0,
      duplicates: 0,
      rejected: [{ index: 0, reason: "unknown_experiment" }],
    });
    expect((await exposureRows(checkout.id)).some((r) => r.user_id === user)).toBe(false);
  });

  it.each([
    [{ exposures: [] }, "exposures"],
    [
      {
        exposures: Array.from({ length: 1001 }, (_, i) => ({
          experiment_key: "checkout",
          variant_key: "control",
          user_id: `u${i}`,
        })),
      },
      "exposures",
    ],
    [
      { exposures: [{ experiment_key: "Bad Key", variant_key: "control", user_id: "u" }] },
      "exposures.0.experiment_key",
    ],
    [{ exposures: [{ experiment_key: "checkout", variant_key: "control" }] }, "exposures.0.user_id"],
    [
      { exposures: [{ experiment_key: "checkout", variant_key: "control", user_id: "u", timestamp: "yesterday" }] },
      "exposures.0.timestamp",
    ],
    [{ exposures: [{ experiment_key: "checkout", variant_key: "control", user_id: "u", extra: 1 }] }, "exposures.0"],
  ])("refuses a malformed body with 400 naming the field (%#), storing nothing", async (body, path) => {
    const before = (await exposureRows(checkout.id)).length;
    const problem = await expectProblem(await acme.post(URL, body), 400);
    expect(problem.errors?.some((e) => e.path === path || e.path.startsWith(`${path}.`))).toBe(true);
    expect((await exposureRows(checkout.id)).length).toBe(before);
  });

  it("needs the assign scope", async () => {
    const token = await tokenFor("acme", "read write ingest");
    const res = await api(URL, { token, method: "POST", body: { exposures: [] } });
    await expectProblem(res, 403);
    await expectProblem(await api(URL, { method: "POST", body: { exposures: [] } }), 401);
  });
});
