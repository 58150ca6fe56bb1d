import { env, runDurableObjectAlarm, runInDurableObject, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { OrgObject } from "../../src/streaming/org-object";
import { problemType } from "../../src/http/problem";
import { as, expectProblem, tokenFor } from "../helpers";
import { pinClock } from "../org-object";

const P = "/api/v1/streaming-analytics";

interface Alert {
  id: string;
  severity: string;
  status: string;
  title: string;
  message: string | null;
  fingerprint: string | null;
  occurrences: number;
  created_at: string;
  acknowledged_at: string | null;
  acknowledged_by: string | null;
  resolved_at: string | null;
  resolved_by: string | null;
  notes: { at: string; by: string; text: string }[];
}
interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

const ALERT_KEYS = [
  "id",
  "severity",
  "status",
  "title",
  "message",
  "fingerprint",
  "occurrences",
  "created_at",
  "acknowledged_at",
  "acknowledged_by",
  "resolved_at",
  "resolved_by",
  "notes",
];

describe("alerts", () => {
  it("201 with the docs/contract.md shape; the same unresolved fingerprint is 200 with occurrences raised", async () => {
    const c = await as("al-org");
    const res = await c.post(`${P}/alerts`, {
      severity: "warning",
      title: "disk",
      message: "90%",
      fingerprint: "disk:1",
    });
    expect(res.status).toBe(201);
    const alert = (await res.json()) as Alert;
    for (const key of ALERT_KEYS) expect(alert).toHaveProperty(key);
    expect(alert).toMatchObject({
      status: "open",
      occurrences: 1,
      fingerprint: "disk:1",
      notes: [],
      resolved_at: null,
    });

    const dup = await c.post(`${P}/alerts`, { severity: "critical", title: "disk again", fingerprint: "disk:1" });
    expect(dup.status).toBe(200);
    const dupBody = (await dup.json()) as Alert;
    expect(dupBody).toMatchObject({ id: alert.id, occurrences: 2, severity: "critical", title: "disk" });

    // Without a fingerprint nothing is deduplicated.
    expect((await c.post(`${P}/alerts`, { severity: "info", title: "a" })).status).toBe(201);
    expect((await c.post(`${P}/alerts`, { severity: "info", title: "a" })).status).toBe(201);

    // Once resolved, the same fingerprint opens a new alert.
    expect((await c.post(`${P}/alerts/${alert.id}/resolve`, {})).status).toBe(200);
    const fresh = await c.post(`${P}/alerts`, { severity: "warning", title: "disk", fingerprint: "disk:1" });
    expect(fresh.status).toBe(201);
    expect(((await fresh.json()) as Alert).id).not.toBe(alert.id);
  });

  it("a fingerprint of the rule:<id> form is refused: it would merge with that rule's own alerts", async () => {
    // An outside walk: a posted "rule:<id>" alert became the rule's alert, so the rule never opened
    // its own and deleting the rule resolved the posted one.
    const c = await as("al-reserved");
    const problem = await expectProblem(
      await c.post(`${P}/alerts`, { severity: "info", title: "fake", fingerprint: "rule:3f2a" }),
      400,
    );
    expect(problem.errors).toEqual([{ path: "fingerprint", message: expect.stringMatching(/reserved/) }]);
    expect(((await (await c.get(`${P}/alerts`)).json()) as { items: unknown[] }).items).toEqual([]);
    // Only the prefix is reserved: "rules:x" or "my-rule:x" are ordinary fingerprints.
    expect((await c.post(`${P}/alerts`, { severity: "info", title: "ok", fingerprint: "my-rule:x" })).status).toBe(201);
  });

  it("acknowledge then resolve with notes; illegal moves are 409", async () => {
    const c = await as("al-org-moves");
    const alert = (await (await c.post(`${P}/alerts`, { severity: "error", title: "x" })).json()) as Alert;
    const ack = await c.post(`${P}/alerts/${alert.id}/acknowledge`, { note: "looking" });
    expect(ack.status).toBe(200);
    const acked = (await ack.json()) as Alert;
    expect(acked).toMatchObject({ status: "acknowledged", acknowledged_by: "tester@example.com" });
    expect(acked.notes).toEqual([{ at: acked.acknowledged_at, by: "tester@example.com", text: "looking" }]);

    const again = await expectProblem(await c.post(`${P}/alerts/${alert.id}/acknowledge`, {}), 409);
    expect(again.type).toBe("urn:edge-experiments:problem:conflict");

    const resolved = (await (await c.post(`${P}/alerts/${alert.id}/resolve`, { note: "fixed" })).json()) as Alert;
    expect(resolved.status).toBe("resolved");
    expect(resolved.notes.map((n) => n.text)).toEqual(["looking", "fixed"]);
    await expectProblem(await c.post(`${P}/alerts/${alert.id}/resolve`, {}), 409);
    await expectProblem(await c.post(`${P}/alerts/${alert.id}/acknowledge`, {}), 409);

    // open → resolved directly is legal.
    const other = (await (await c.post(`${P}/alerts`, { severity: "info", title: "y" })).json()) as Alert;
    expect((await c.post(`${P}/alerts/${other.id}/resolve`, {})).status).toBe(200);

    await expectProblem(await c.post(`${P}/alerts/nope/resolve`, {}), 404);
    await expectProblem(await c.get(`${P}/alerts/nope`), 404);
    expect(((await (await c.get(`${P}/alerts/${alert.id}`)).json()) as Alert).status).toBe("resolved");
  });

  it("acknowledge and resolve take no body at all, with or without a JSON Content-Type", async () => {
    const c = await as("alerts-bodyless");
    const alert = (await (await c.post(`${P}/alerts`, { severity: "error", title: "disk" })).json()) as Alert;
    const token = await tokenFor("alerts-bodyless");
    const bare = (action: string, headers: Record<string, string>) =>
      SELF.fetch(`https://edge.test${P}/alerts/${alert.id}/${action}`, {
        method: "POST",
        headers: { Authorization: `Bearer ${token}`, ...headers },
      });
    const acked = await bare("acknowledge", { "Content-Type": "application/json" });
    expect(acked.status, await acked.clone().text()).toBe(200);
    expect(await acked.json()).toMatchObject({ status: "acknowledged", notes: [] });
    const resolved = await bare("resolve", {});
    expect(resolved.status).toBe(200);
    expect(await resolved.json()).toMatchObject({ status: "resolved", notes: [] });
    // A body that is there must still be valid.
    const other = (await (await c.post(`${P}/alerts`, { severity: "error", title: "cpu" })).json()) as Alert;
    await expectProblem(await c.post(`${P}/alerts/${other.id}/acknowledge`, { note: 5 }), 400);
  });

  it("lists with status and severity filters, newest first, paginated", async () => {
    const c = await as("al-org-list");
    const ids: string[] = [];
    for (const severity of ["info", "warning", "error", "critical", "warning"]) {
      ids.push(((await (await c.post(`${P}/alerts`, { severity, title: severity })).json()) as Alert).id);
    }
    await c.post(`${P}/alerts/${ids[1]}/acknowledge`, {});
    const all = (await (await c.get(`${P}/alerts?limit=2`)).json()) as Page<Alert>;
    expect(all.items.map((a) => a.id)).toEqual([ids[4], ids[3]]);
    const rest = (await (await c.get(`${P}/alerts?limit=10&cursor=${all.next_cursor}`)).json()) as Page<Alert>;
    expect(rest.items.map((a) => a.id)).toEqual([ids[2], ids[1], ids[0]]);
    expect(rest.next_cursor).toBeNull();
    const warnings = (await (await c.get(`${P}/alerts?severity=warning`)).json()) as Page<Alert>;
    expect(warnings.items.map((a) => a.id)).toEqual([ids[4], ids[1]]);
    const acked = (await (await c.get(`${P}/alerts?status=acknowledged`)).json()) as Page<Alert>;
    expect(acked.items.map((a) => a.id)).toEqual([ids[1]]);
    await expectProblem(await c.get(`${P}/alerts?status=closed`), 400);
    await expectProblem(await c.post(`${P}/alerts`, { severity: "fatal", title: "x" }), 400);
    await expectProblem(await c.post(`${P}/alerts`, { severity: "info" }), 400);
    await expectProblem(await c.post(`${P}/alerts`, { severity: "info", title: "x", source_id: "nope" }), 422);
  });
});

describe("alert rules", () => {
  it("CRUD and validation", async () => {
    const c = await as("rule-crud");
    const rule = {
      name: "hot",
      metric_name: "cpu",
      aggregation: "avg",
      window_seconds: 60,
      operator: "gt",
      threshold: 80,
      severity: "critical",
    };
    const res = await c.post(`${P}/alert-rules`, rule);
    expect(res.status).toBe(201);
    const created = (await res.json()) as { id: string; for_seconds: number; state: { status: string } };
    expect(created).toMatchObject({ ...rule, for_seconds: 0, state: { status: "inactive", since: null } });
    const list = (await (await c.get(`${P}/alert-rules`)).json()) as Page<{ id: string }>;
    expect(list.items.map((r) => r.id)).toEqual([created.id]);
    // One rule by id, as the list shows it; another organization's rule does not exist for this one.
    const one = await c.get(`${P}/alert-rules/${created.id}`);
    expect(one.status).toBe(200);
    expect(await one.json()).toEqual(list.items[0]);
    await expectProblem(await (await as("rule-crud-other")).get(`${P}/alert-rules/${created.id}`), 404);
    const bad = await expectProblem(
      await c.post(`${P}/alert-rules`, { ...rule, operator: "eq", aggregation: "p42" }),
      400,
    );
    expect(bad.errors?.map((e) => e.path).sort()).toEqual(["aggregation", "operator"]);
    expect((await c.delete(`${P}/alert-rules/${created.id}`)).status).toBe(204);
    await expectProblem(await c.delete(`${P}/alert-rules/${created.id}`), 404);
    await expectProblem(await c.get(`${P}/alert-rules/${created.id}`), 404);
    const reader = await as("rule-crud", "read");
    await expectProblem(await reader.post(`${P}/alert-rules`, rule), 403);
  });

  it("goes pending, fires (alert rule:<id>), and resolves on the alarm when data stops, then on a cleared condition", async () => {
    const org = "rule-life";
    const c = await as(org);
    const t0 = Date.now();
    await pinClock(org, t0);
    const rule = (await (
      await c.post(`${P}/alert-rules`, {
        name: "cpu hot",
        metric_name: "cpu",
        aggregation: "avg",
        window_seconds: 60,
        operator: "gt",
        threshold: 80,
        severity: "critical",
        for_seconds: 30,
        no_data: "resolve",
      })
    ).json()) as { id: string };
    const state = async () =>
      (
        (await (await c.get(`${P}/alert-rules`)).json()) as Page<{
          id: string;
          state: { status: string; alert_id: string | null };
        }>
      ).items[0]?.state;
    const ruleAlerts = async () =>
      ((await (await c.get(`${P}/alerts`)).json()) as Page<Alert>).items.filter(
        (a) => a.fingerprint === `rule:${rule.id}`,
      );

    expect((await c.post(`${P}/metrics`, { name: "cpu", value: 95, timestamp: t0 })).status).toBe(202);
    expect(await state()).toMatchObject({ status: "pending" });
    expect(await ruleAlerts()).toHaveLength(0);

    // Still above the threshold after for_seconds: fires.
    await pinClock(org, t0 + 31_000);
    await c.post(`${P}/metrics`, { name: "cpu", value: 90, timestamp: t0 + 31_000 });
    const firing = await state();
    expect(firing?.status).toBe("firing");
    const [opened] = await ruleAlerts();
    expect(opened).toMatchObject({ status: "open", severity: "critical", id: firing?.alert_id });
    expect(opened?.title).toContain("cpu hot");

    // Data stops: the alarm (not an ingest) notices and resolves with a note.
    await pinClock(org, t0 + 200_000);
    expect(await runDurableObjectAlarm(env.ORG.getByName(org))).toBe(true);
    expect(await state()).toMatchObject({ status: "inactive" });
    const [resolved] = await ruleAlerts();
    expect(resolved).toMatchObject({ id: opened?.id, status: "resolved", resolved_by: `rule:${rule.id}` });
    expect(resolved?.notes[0]?.text).toMatch(/no data/);

    // Fires again (a new alert: the old one is resolved), then the condition clears on ingest.
    await pinClock(org, t0 + 300_000);
    await c.post(`${P}/metrics`, { name: "cpu", value: 95, timestamp: t0 + 300_000 });
    await pinClock(org, t0 + 331_000);
    await c.post(`${P}/metrics`, { name: "cpu", value: 95, timestamp: t0 + 331_000 });
    expect(await state()).toMatchObject({ status: "firing" });
    await pinClock(org, t0 + 340_000);
    await c.post(`${P}/metrics`, {
      metrics: [1, 2, 3].map(() => ({ name: "cpu", value: 5, timestamp: t0 + 340_000 })),
    });
    const alerts = await ruleAlerts();
    expect(alerts).toHaveLength(2);
    expect(alerts.every((a) => a.status === "resolved")).toBe(true);
    expect(alerts[0]?.notes[0]?.text).toMatch(/condition cleared/);
  });

  it("deleting a firing rule resolves its alert", async () => {
    const org = "rule-delete";
    const c = await as(org);
    await c.post(`${P}/metrics`, { name: "errors", value: 10 });
    const rule = (await (
      await c.post(`${P}/alert-rules`, {
        name: "errors",
        metric_name: "errors",
        aggregation: "sum",
        window_seconds: 300,
        operator: "gte",
        threshold: 5,
        severity: "error",
      })
    ).json()) as { id: string; state: { status: string } };
    // Evaluated at creation over the data already there.
    expect(rule.state.status).toBe("firing");
    expect((await c.delete(`${P}/alert-rules/${rule.id}`)).status).toBe(204);
    const alerts = ((await (await c.get(`${P}/alerts`)).json()) as Page<Alert>).items;
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ status: "resolved", fingerprint: `rule:${rule.id}` });
    expect(alerts[0]?.notes[0]?.text).toBe("rule deleted");
  });
});

describe("failures from the organization object speak the Worker's problem vocabulary", () => {
  it("each object failure arrives as the ProblemKind it carries (type, status, detail, errors)", async () => {
    const org = "obj-problems";
    const c = await as(org);
    const rpc = await runInDurableObject(env.ORG.getByName(org), async (o: OrgObject) => [
      await o.getAlert("nope"),
      await o.createAlert({ severity: "info", title: "t", source_id: "ghost" }),
    ]);
    expect(rpc).toEqual([
      { ok: false, kind: "not-found", detail: "alert not found" },
      {
        ok: false,
        kind: "unprocessable",
        detail: "unknown source_id: ghost",
        errors: [{ path: "source_id", message: "no data source with id ghost" }],
      },
    ]);
    const missing = await expectProblem(await c.get(`${P}/alerts/nope`), 404);
    expect(missing).toMatchObject({ type: problemType("not-found"), detail: "alert not found" });
    const ghost = await expectProblem(
      await c.post(`${P}/alerts`, { severity: "info", title: "t", source_id: "ghost" }),
      422,
    );
    expect(ghost).toMatchObject({ type: problemType("unprocessable"), errors: [{ path: "source_id" }] });
    const cursor = await expectProblem(await c.get(`${P}/events?cursor=zzz`), 400);
    expect(cursor).toMatchObject({ type: problemType("validation"), errors: [{ path: "query.cursor" }] });
    const { id } = (await (await c.post(`${P}/alerts`, { severity: "info", title: "t" })).json()) as { id: string };
    expect((await c.post(`${P}/alerts/${id}/resolve`, {})).status).toBe(200);
    const twice = await expectProblem(await c.post(`${P}/alerts/${id}/acknowledge`, {}), 409);
    expect(twice.type).toBe(problemType("conflict"));
  });
});
