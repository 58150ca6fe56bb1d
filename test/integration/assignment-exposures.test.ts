import { env } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { bucketOf } from "../../src/evaluation/bucketing";
import { ExposureBuffer, exposureBuffer } from "../../src/assignment/exposures";
import { createDb } from "../../src/db/client";
import { insertExposures } from "../../src/assignment/read-model";
import { tokenFor } from "../helpers";
import { exposureRows, seedExperiment } from "./assignment-fixtures";
import { captureExposures } from "./exposure-capture";

const BASE = "/api/v1/ab-testing";

afterEach(() => vi.restoreAllMocks());

describe("exposures", () => {
  it("a burst of 10,000 assignments over 2,000 users stores exactly 2,000 exposures, each the user's variant", async () => {
    const org = "burst-exp";
    const e = await seedExperiment({
      org,
      key: "burst",
      variants: [
        { key: "control", type: "control", pct: 50 },
        { key: "b", pct: 30 },
        { key: "c", pct: 20 },
      ],
    });
    const queue = captureExposures();
    const token = await tokenFor(org);
    const USERS = 2_000;
    const CALLS = 10_000;
    const CHUNK = 500;
    const answered = new Map<string, string>();
    const stats = exposureBuffer(env.EXPOSURES).stats;
    const before = { ...stats };
    for (let start = 0; start < CALLS; start += CHUNK) {
      const answers = await Promise.all(
        Array.from({ length: CHUNK }, async (_, j) => {
          const user = `user-${(start + j) % USERS}`;
          // Half the calls through each route: both record exposures the same way.
          const path = (start + j) % 2 === 0 ? `${BASE}/experiments/${e.id}/assign` : `${BASE}/assign`;
          const res = await queue.fetch(
            new Request(`https://edge.test${path}`, {
              method: "POST",
              headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
              body: JSON.stringify({ user_id: user }),
            }),
          );
          expect(res.status).toBe(200);
          const body = (await res.json()) as { variant_id?: string; assignments?: { variant_id: string }[] };
          return [user, body.variant_id ?? body.assignments?.[0]?.variant_id ?? ""] as const;
        }),
      );
      for (const [user, variant] of answers) {
        const before = answered.get(user);
        if (before !== undefined) expect(variant).toBe(before);
        answered.set(user, variant);
      }
    }

    await queue.deliver();
    const rows = await exposureRows(e.id);
    expect(rows).toHaveLength(USERS);
    for (const row of rows) expect(row.variant_id).toBe(answered.get(row.user_id));
    // Every call enqueued, each pair sent to the queue once, and no message without a new pair. How
    // few messages that takes depends on how the calls spread over the 25 ms flush delay, that is on
    // the machine's load: coalescing is tested on an injected timer in test/unit/assignment-exposures.
    expect(stats.enqueued - before.enqueued).toBe(CALLS);
    expect(stats.sent - before.sent).toBe(USERS);
    expect(stats.sends - before.sends).toBeGreaterThan(0);
    expect(stats.sends - before.sends).toBeLessThanOrEqual(USERS);
    expect(stats.dropped).toBe(0);

    // Per variant, what the bucketing says for these 2,000 users.
    const expected: Record<string, number> = {};
    for (let i = 0; i < USERS; i++) {
      const n = bucketOf("burst", `user-${i}`);
      const key = n < 0.5 ? "control" : n < 0.8 ? "b" : "c";
      const id = e.variantIds[key] ?? "";
      expected[id] = (expected[id] ?? 0) + 1;
    }
    const { results } = await env.DB.prepare(
      "SELECT variant_id, COUNT(*) AS users FROM exposures WHERE experiment_id = ? GROUP BY variant_id",
    )
      .bind(e.id)
      .all<{ variant_id: string; users: number }>();
    expect(Object.fromEntries(results.map((r) => [r.variant_id, r.users]))).toEqual(expected);

    // And the analysis counts them per variant.
    const reader = await queue.as(org, "read");
    const analysis = await reader.get(`${BASE}/experiments/${e.id}/results`);
    expect(analysis.status).toBe(200);
    const { assignments } = (await analysis.json()) as { assignments: { variant_id: string; users: number }[] };
    expect(Object.fromEntries(assignments.map((a) => [a.variant_id, a.users]))).toEqual(expected);
  }, 120_000);

  it("the first exposure wins: later ones, in the same batch or another isolate's, do not replace it", async () => {
    const e = await seedExperiment({ org: "first-exp", key: "first" });
    const variant = e.variantIds.control ?? "";
    const row = (userId: string, exposedAt: number) => ({
      orgId: "first-exp",
      experimentId: e.id,
      userId,
      variantId: variant,
      exposedAt,
    });
    const db = createDb(env.DB);
    // Two buffers stand for two isolates: neither knows what the other stored.
    const a = new ExposureBuffer((rows) => insertExposures(db, rows));
    const b = new ExposureBuffer((rows) => insertExposures(db, rows));
    await Promise.all([a.add([row("u1", 1000)]), a.add([row("u2", 3000), row("u2", 4000)])]);
    await b.add([row("u1", 2000), row("u2", 5000), row("u3", 6000)]);
    await a.add([row("u3", 7000)]);
    expect(await exposureRows(e.id)).toEqual([
      { user_id: "u1", variant_id: variant, exposed_at: 1000 },
      { user_id: "u2", variant_id: variant, exposed_at: 3000 },
      { user_id: "u3", variant_id: variant, exposed_at: 6000 },
    ]);
  });

  it("repeated calls through the route store one row with the first call's time", async () => {
    const org = "repeat-exp";
    const e = await seedExperiment({ org, key: "rep" });
    const queue = captureExposures();
    const client = await queue.as(org);
    const t0 = Date.now();
    await client.post(`${BASE}/experiments/${e.id}/assign`, { user_id: "same" });
    await queue.deliver();
    const [first, ...none] = await exposureRows(e.id);
    expect(none).toEqual([]);
    for (let i = 0; i < 5; i++) await client.post(`${BASE}/experiments/${e.id}/assign`, { user_id: "same" });
    await queue.deliver();
    expect(await exposureRows(e.id)).toEqual([first]);
    expect(first?.exposed_at).toBeGreaterThanOrEqual(t0);
  });

  it("answers that are not in the experiment are not exposures", async () => {
    const org = "noexp";
    const paused = await seedExperiment({ org, key: "p", status: "paused" });
    const none = await seedExperiment({ org, key: "none", coverage: 0.01 });
    const queue = captureExposures();
    const client = await queue.as(org);
    for (let i = 0; i < 20; i++) {
      await client.post(`${BASE}/experiments/${paused.id}/assign`, { user_id: `u${i}` });
      await client.post(`${BASE}/experiments/${none.id}/assign`, { user_id: `u${i}` });
      await client.post(`${BASE}/assign`, { user_id: `u${i}`, experiments: ["p", "none"] });
    }
    // Every answer's after-response work done and whatever it sent delivered to the consumer.
    await queue.deliver();
    const { results } = await env.DB.prepare("SELECT COUNT(*) AS n FROM exposures WHERE org_id = ?")
      .bind(org)
      .all<{ n: number }>();
    // Coverage 0.01% enrols only users in bucket 0; none of these 20 is (checked by bucketing).
    const enrolled = Array.from({ length: 20 }, (_, i) => bucketOf("none", `u${i}`)).filter((n) => n < 0.0001 * 0.5);
    expect(results[0]?.n).toBe(enrolled.length);
  });
});
