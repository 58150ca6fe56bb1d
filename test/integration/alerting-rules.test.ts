/**
 * Rules and tagged metrics through the organization object: the no-data policy, an anomaly rule on
 * a step, group_by percentiles against exact values, and the tag-set bound.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { OrgObject } from "../../src/streaming/org-object";
import { as, expectProblem } from "../helpers";
import { pinClock as pin, stub } from "../org-object";
import { SeededRandom } from "../seeded-random";

const P = "/api/v1/streaming-analytics";

interface Rule {
  id: string;
  type: string;
  no_data: string;
  for_seconds: number;
  state: { status: string; alert_id: string | null };
}
interface Alert {
  id: string;
  status: string;
  title: string;
  fingerprint: string;
}

describe("no-data policy", () => {
  it("keep (the default): a firing rule whose data stops keeps firing; its alert stays open", async () => {
    const org = "nodata-keep";
    const c = await as(org);
    const T = Date.now() + 86_400_000;
    await pin(org, T);
    const rule = (await (
      await c.post(`${P}/alert-rules`, {
        name: "checkout latency",
        metric_name: "checkout.lat",
        aggregation: "p95",
        window_seconds: 60,
        operator: "gt",
        threshold: 500,
        severity: "critical",
      })
    ).json()) as Rule;
    expect(rule).toMatchObject({ type: "threshold", no_data: "keep", for_seconds: 0 });
    await c.post(`${P}/metrics`, { name: "checkout.lat", value: 1500, timestamp: T });
    // Checkout dies: no more points. Ten minutes of alarms later the alert is still open.
    for (const minutes of [2, 5, 10]) {
      await pin(org, T + minutes * 60_000);
      expect(await runDurableObjectAlarm(stub(org))).toBe(true);
    }
    const [stored] = ((await (await c.get(`${P}/alert-rules`)).json()) as { items: Rule[] }).items;
    expect(stored?.state.status).toBe("firing");
    const alerts = ((await (await c.get(`${P}/alerts`)).json()) as { items: Alert[] }).items;
    expect(alerts.map((a) => [a.fingerprint, a.status])).toEqual([[`rule:${rule.id}`, "open"]]);
  });

  it("alert: a metric that never reports opens a no-data alert", async () => {
    const org = "nodata-alert";
    const c = await as(org);
    await pin(org, Date.now() + 86_400_000);
    const rule = (await (
      await c.post(`${P}/alert-rules`, {
        name: "heartbeat",
        metric_name: "worker.heartbeat",
        aggregation: "max",
        window_seconds: 60,
        operator: "lt",
        threshold: 1,
        severity: "error",
        no_data: "alert",
      })
    ).json()) as Rule;
    expect(rule.state.status).toBe("firing");
    const [alert] = ((await (await c.get(`${P}/alerts`)).json()) as { items: Alert[] }).items;
    expect(alert).toMatchObject({ title: "heartbeat: no data", status: "open", fingerprint: `rule:${rule.id}` });
  });

  it("anomaly rules refuse a threshold; threshold rules need one", async () => {
    const c = await as("nodata-validate");
    const base = { name: "x", metric_name: "m", aggregation: "avg", window_seconds: 60, severity: "info" };
    const a = await expectProblem(await c.post(`${P}/alert-rules`, { ...base, type: "anomaly", threshold: 3 }), 400);
    expect(a.errors?.map((e) => e.path)).toEqual(["threshold"]);
    const t = await expectProblem(await c.post(`${P}/alert-rules`, { ...base, operator: "gt" }), 400);
    expect(t.errors?.map((e) => e.path)).toEqual(["threshold"]);
    await expectProblem(await c.post(`${P}/alert-rules`, { ...base, operator: "gt", threshold: 1, no_data: "x" }), 400);
  });
});

describe("anomaly rule through the object", () => {
  it("stays quiet on noise and fires within two windows of a step", async () => {
    const org = "anomaly-step";
    const c = await as(org);
    const W = 60_000;
    const T = Math.floor((Date.now() + 86_400_000) / W) * W;
    await pin(org, T);
    const rule = (await (
      await c.post(`${P}/alert-rules`, {
        name: "latency anomaly",
        type: "anomaly",
        metric_name: "lat",
        aggregation: "avg",
        window_seconds: 60,
        severity: "warning",
        sensitivity: 4,
      })
    ).json()) as Rule & { sensitivity: number; baseline_windows: number; operator: string | null };
    expect(rule).toMatchObject({
      type: "anomaly",
      sensitivity: 4,
      baseline_windows: 30,
      for_seconds: 60,
      operator: null,
    });
    const rand = new SeededRandom(7);
    let firedAt: number | null = null;
    for (let i = 1; i <= 40; i++) {
      const now = T + i * W;
      await pin(org, now);
      const level = i >= 36 ? 160 : 100; // a step of 6σ (of the points) at window 36
      const points = Array.from({ length: 5 }, (_, k) => ({
        name: "lat",
        value: level + 10 * rand.normal(),
        timestamp: now - 50_000 + k * 10_000,
      }));
      expect((await c.post(`${P}/metrics`, { metrics: points })).status).toBe(202);
      const alerts = ((await (await c.get(`${P}/alerts`)).json()) as { items: Alert[] }).items;
      if (alerts.length > 0 && firedAt === null) firedAt = i;
    }
    expect(firedAt).not.toBeNull();
    expect(firedAt).toBeGreaterThanOrEqual(36);
    expect(firedAt).toBeLessThanOrEqual(37);
    const [alert] = ((await (await c.get(`${P}/alerts`)).json()) as { items: Alert[] }).items;
    expect(alert?.title).toMatch(/^latency anomaly: avg\(lat\) = [\d.]+, anomaly z = [\d.]+$/);
  });
});

describe("tagged metrics", () => {
  it("group_by percentiles are within 1% of exact on 100k tagged values; filters select tag sets", async () => {
    const org = "tags-groups";
    const c = await as(org);
    const T = Date.now() + 86_400_000;
    await pin(org, T);
    const rand = new SeededRandom(2026);
    const regions = ["ap", "eu", "us"];
    const models = ["a", "b", "c", "d"];
    const byRegion = new Map<string, number[]>(regions.map((r) => [r, []]));
    const euA: number[] = [];
    const all: number[] = [];
    for (let batch = 0; batch < 100; batch++) {
      const metrics = Array.from({ length: 1000 }, (_, i) => {
        const region = regions[Math.floor(rand.uniform() * 3)] as string;
        const model = models[Math.floor(rand.uniform() * 4)] as string;
        // Regions differ in scale, so a wrong merge would show.
        const value = Math.exp(3 + 0.8 * rand.normal()) * (region === "us" ? 3 : region === "eu" ? 1 : 0.5);
        byRegion.get(region)?.push(value);
        if (region === "eu" && model === "a") euA.push(value);
        all.push(value);
        return { name: "lat", value, timestamp: T - 1_000 - ((batch * 1000 + i) % 50_000), tags: { region, model } };
      });
      const res = await c.post(`${P}/metrics`, { metrics });
      expect(res.status).toBe(202);
    }
    const exact = (values: number[], q: number) => {
      const sorted = [...values].sort((a, b) => a - b);
      return sorted[Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length))) - 1] as number;
    };
    for (const [agg, q] of [
      ["p50", 0.5],
      ["p90", 0.9],
      ["p99", 0.99],
    ] as const) {
      const res = await c.get(`${P}/metrics/lat?window=3600&aggregation=${agg}&group_by=region`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { value: number; groups: { tags: Record<string, string>; value: number }[] };
      expect(body.groups.map((g) => g.tags)).toEqual(regions.map((region) => ({ region })));
      for (const g of body.groups) {
        const want = exact(byRegion.get(g.tags.region as string) ?? [], q);
        expect(Math.abs(g.value - want) / want).toBeLessThan(0.01);
      }
      expect(Math.abs(body.value - exact(all, q)) / exact(all, q)).toBeLessThan(0.01);
      const filtered = (await (
        await c.get(`${P}/metrics/lat?window=3600&aggregation=${agg}&tag.region=eu&tag.model=a`)
      ).json()) as { value: number; tags: Record<string, string> };
      expect(filtered.tags).toEqual({ region: "eu", model: "a" });
      expect(Math.abs(filtered.value - exact(euA, q)) / exact(euA, q)).toBeLessThan(0.01);
    }
    const counts = (await (await c.get(`${P}/metrics/lat?window=3600&aggregation=count&group_by=model`)).json()) as {
      value: number;
      groups: { value: number }[];
    };
    expect(counts.value).toBe(100_000);
    expect(counts.groups.reduce((s, g) => s + g.value, 0)).toBe(100_000);
    const none = (await (await c.get(`${P}/metrics/lat?window=3600&aggregation=count&tag.region=mars`)).json()) as {
      value: number;
    };
    expect(none.value).toBe(0);
  }, 120_000);

  it("tag keys are own keys: prototype names make no groups, __proto__ and empty keys are refused", async () => {
    const c = await as("tags-proto");
    const points: { name: string; value: number; tags?: Record<string, string> }[] = [
      { name: "tg", value: 1, tags: { region: "eu" } },
      { name: "tg", value: 2, tags: { constructor: "x" } },
      { name: "tg", value: 3 },
    ];
    expect((await c.post(`${P}/metrics`, { metrics: points })).status).toBe(202);
    const groups = async (by: string) => {
      const res = await c.get(`${P}/metrics/tg?window=300&aggregation=count&group_by=${by}`);
      expect(res.status, await res.clone().text()).toBe(200);
      return ((await res.json()) as { groups: { tags: Record<string, string>; value: number }[] }).groups;
    };
    expect(await groups("constructor")).toEqual([{ tags: { constructor: "x" }, value: 1, series: expect.any(Array) }]);
    expect(await groups("toString")).toEqual([]);
    expect(await groups("__proto__")).toEqual([]);
    const filtered = (await (await c.get(`${P}/metrics/tg?window=300&aggregation=count&tag.toString=x`)).json()) as {
      value: number | null;
    };
    expect(filtered.value ?? 0).toBe(0);

    const proto = JSON.parse('{"name":"tg","value":1,"tags":{"__proto__":"x"}}') as unknown;
    expect((await expectProblem(await c.post(`${P}/metrics`, proto), 400)).errors).toEqual([
      { path: "tags.__proto__", message: "the key __proto__ is not allowed" },
    ]);
    const empty = await expectProblem(await c.post(`${P}/metrics`, { name: "tg", value: 1, tags: { "": "x" } }), 400);
    expect(empty.errors?.map((e) => e.path)).toEqual(["tags."]);
    // A read filter with an empty key could match no point; it was ignored, answering unfiltered.
    const emptyFilter = await expectProblem(await c.get(`${P}/metrics/tg?window=300&tag.=x`), 400);
    expect(emptyFilter.errors).toEqual([{ path: "query.tag.", message: "a tag key of 1 to 200 characters" }]);
    const longKey = await expectProblem(await c.get(`${P}/metrics/tg?window=300&tag.${"k".repeat(201)}=x`), 400);
    expect(longKey.errors?.map((e) => e.path)).toEqual([`query.tag.${"k".repeat(201)}`]);
    const rule = JSON.parse(
      '{"name":"r","metric_name":"tg","aggregation":"count","window_seconds":60,"operator":"gt","threshold":0,"severity":"info","tags":{"__proto__":"x"}}',
    ) as unknown;
    expect((await expectProblem(await c.post(`${P}/alert-rules`, rule), 400)).errors?.map((e) => e.path)).toEqual([
      "tags.__proto__",
    ]);
  });

  it("at most 1000 tag sets per metric: the 1001st is a 422 and nothing of that batch is stored", async () => {
    const org = "tags-limit";
    const c = await as(org);
    const T = Date.now() + 86_400_000;
    await pin(org, T);
    const first = Array.from({ length: 1000 }, (_, i) => ({
      name: "req",
      value: 1,
      timestamp: T,
      tags: { user: `u${i}` },
    }));
    expect((await c.post(`${P}/metrics`, { metrics: first })).status).toBe(202);
    const problem = await expectProblem(
      await c.post(`${P}/metrics`, {
        metrics: [
          { name: "other", value: 5, timestamp: T },
          { name: "req", value: 1, timestamp: T, tags: { user: "u1" } },
          { name: "req", value: 1, timestamp: T, tags: { user: "u1000" } },
        ],
      }),
      422,
    );
    expect(problem.detail).toContain("req would have 1001");
    expect(problem.errors).toEqual([{ path: "metrics.2.tags", message: expect.stringContaining("limit") }]);
    await expectProblem(await c.get(`${P}/metrics/other`), 404);
    const count = (await (await c.get(`${P}/metrics/req?window=600&aggregation=count`)).json()) as { value: number };
    expect(count.value).toBe(1000);
    const stored = await runInDurableObject(
      stub(org),
      (_i: OrgObject, state) =>
        state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM metric_tag_sets WHERE name = 'req'").one().n,
    );
    expect(stored).toBe(1000);
    // Known tag sets are still accepted.
    expect((await c.post(`${P}/metrics`, { name: "req", value: 1, timestamp: T, tags: { user: "u7" } })).status).toBe(
      202,
    );
  });
});

describe("editing a rule (PATCH /alert-rules/:id)", () => {
  const threshold = {
    name: "error rate",
    metric_name: "errors",
    aggregation: "max",
    window_seconds: 60,
    operator: "gt",
    threshold: 10,
    severity: "warning",
  };
  const rules = async (c: Awaited<ReturnType<typeof as>>) =>
    ((await (await c.get(`${P}/alert-rules`)).json()) as { items: (Rule & Record<string, unknown>)[] }).items;
  const alerts = async (c: Awaited<ReturnType<typeof as>>) =>
    ((await (await c.get(`${P}/alerts`)).json()) as { items: (Alert & { notes: { text: string }[] })[] }).items;

  /** An organization at a pinned time T with errors = 25 and the threshold rule (> 10) firing on it. */
  async function firingRule(org: string) {
    const c = await as(org);
    const T = Date.now() + 86_400_000;
    await pin(org, T);
    await c.post(`${P}/metrics`, { name: "errors", value: 25, timestamp: T });
    const rule = (await (await c.post(`${P}/alert-rules`, threshold)).json()) as Rule;
    return { c, T, rule };
  }

  it("a threshold raised above the data resolves the firing alert with the clearing note; same id and fingerprint", async () => {
    const { c, rule } = await firingRule("rule-edit-resolve");
    expect(rule.state.status).toBe("firing");
    const alertId = rule.state.alert_id;

    const res = await c.patch(`${P}/alert-rules/${rule.id}`, { threshold: 50, name: "error rate (relaxed)" });
    expect(res.status).toBe(200);
    const edited = (await res.json()) as Rule & { threshold: number; name: string };
    expect(edited).toMatchObject({ id: rule.id, threshold: 50, name: "error rate (relaxed)", operator: "gt" });
    expect(edited.state).toEqual({ status: "inactive", since: null, alert_id: null });

    const [alert] = await alerts(c);
    expect(alert).toMatchObject({ id: alertId, status: "resolved", fingerprint: `rule:${rule.id}` });
    expect(alert?.notes.at(-1)?.text).toContain("condition cleared: max = 25 ≤ 50");
    // Stored, not only answered.
    expect(await rules(c)).toEqual([expect.objectContaining({ id: rule.id, threshold: 50 })]);

    // Lowered again below the data: the same rule fires a new alert with the same fingerprint.
    const again = (await (await c.patch(`${P}/alert-rules/${rule.id}`, { threshold: 20 })).json()) as Rule;
    expect(again.state.status).toBe("firing");
    const open = (await alerts(c)).filter((a) => a.status === "open");
    expect(open.map((a) => [a.fingerprint, a.title])).toEqual([
      [`rule:${rule.id}`, "error rate (relaxed): max(errors) = 25 > 20"],
    ]);
  });

  it("a firing rule still breached keeps its one alert open; a pending wait restarts only when the condition changes", async () => {
    const org = "rule-edit-state";
    const { c, T, rule: firing } = await firingRule(org);
    const kept = (await (await c.patch(`${P}/alert-rules/${firing.id}`, { threshold: 15 })).json()) as Rule;
    expect(kept.state).toMatchObject({ status: "firing", alert_id: firing.state.alert_id });
    expect((await alerts(c)).map((a) => a.status)).toEqual(["open"]);

    const pending = (await (
      await c.post(`${P}/alert-rules`, { ...threshold, name: "slow", for_seconds: 300 })
    ).json()) as Rule & { state: { since: string } };
    expect(pending.state.status).toBe("pending");
    await pin(org, T + 120_000);
    await c.post(`${P}/metrics`, { name: "errors", value: 25, timestamp: T + 120_000 });
    const renamed = (await (
      await c.patch(`${P}/alert-rules/${pending.id}`, { name: "slow errors" })
    ).json()) as Rule & {
      state: { since: string };
    };
    expect(renamed.state).toMatchObject({ status: "pending", since: pending.state.since });
    const retuned = (await (await c.patch(`${P}/alert-rules/${pending.id}`, { threshold: 20 })).json()) as Rule & {
      state: { since: string };
    };
    expect(retuned.state).toMatchObject({ status: "pending", since: new Date(T + 120_000).toISOString() });
  });

  it("switches a threshold rule to anomaly without naming the fields it drops", async () => {
    const c = await as("rule-edit-type");
    const rule = (await (await c.post(`${P}/alert-rules`, threshold)).json()) as Rule;
    const res = await c.patch(`${P}/alert-rules/${rule.id}`, { type: "anomaly", operator: null, sensitivity: 5 });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      type: "anomaly",
      threshold: null,
      operator: null,
      sensitivity: 5,
      baseline_windows: 30,
    });
  });

  it("refuses what would leave the rule invalid and unknown fields; {} changes nothing; 404 for another org's rule", async () => {
    const c = await as("rule-edit-bad");
    const rule = (await (await c.post(`${P}/alert-rules`, threshold)).json()) as Rule;
    const url = `${P}/alert-rules/${rule.id}`;
    const merged = await expectProblem(await c.patch(url, { operator: null }), 400);
    expect(merged.errors?.map((e) => e.path)).toEqual(["operator"]);
    const typed = await expectProblem(await c.patch(url, { threshold: "high" }), 400);
    expect(typed.errors?.map((e) => e.path)).toEqual(["threshold"]);
    const unknown = await expectProblem(await c.patch(url, { treshold: 5 }), 400);
    expect(JSON.stringify(unknown.errors)).toContain("treshold");
    // An empty PATCH is a no-op, as on every other resource: 200 with the rule as it was.
    const empty = await c.patch(url, {});
    expect(empty.status).toBe(200);
    expect(await empty.json()).toEqual(rule);
    await expectProblem(await c.patch(url, { window_seconds: 5 }), 400);
    // Nothing of the refused patches was stored.
    expect(await rules(c)).toEqual([expect.objectContaining({ threshold: 10, operator: "gt", window_seconds: 60 })]);

    const other = await as("rule-edit-other");
    await expectProblem(await other.patch(url, { threshold: 1 }), 404);
    await expectProblem(await c.patch(`${P}/alert-rules/nope`, { threshold: 1 }), 404);
    const reader = await as("rule-edit-bad", "read");
    await expectProblem(await reader.patch(url, { threshold: 1 }), 403);
  });

  it("a metric_name no metric can have (`@foo`) is refused on create and on PATCH, listing the model statistics", async () => {
    const c = await as("rule-metric-name");
    for (const metric_name of ["@foo", "@models", "checkout latency"]) {
      const created = await expectProblem(await c.post(`${P}/alert-rules`, { ...threshold, metric_name }), 400);
      expect(created.errors).toEqual([
        {
          path: "metric_name",
          message:
            "a metric name (1-200 characters of [A-Za-z0-9_.:/-], not . or ..) or a model statistic: @models/confidence and @models/latency_ms",
        },
      ]);
      // POST /metrics refuses the same names, so such a rule could never see a point.
      await expectProblem(await c.post(`${P}/metrics`, { name: metric_name, value: 1 }), 400);
    }
    expect(await rules(c)).toEqual([]);
    const rule = (await (await c.post(`${P}/alert-rules`, threshold)).json()) as Rule;
    const patched = await expectProblem(await c.patch(`${P}/alert-rules/${rule.id}`, { metric_name: "@foo" }), 400);
    expect(patched.errors?.map((e) => e.path)).toEqual(["metric_name"]);
    expect(await rules(c)).toEqual([expect.objectContaining({ id: rule.id, metric_name: "errors" })]);
    // The reserved names themselves stay valid.
    const model = await c.patch(`${P}/alert-rules/${rule.id}`, { metric_name: "@models/confidence" });
    expect(model.status, await model.clone().text()).toBe(200);
  });
});
