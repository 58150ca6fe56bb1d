/**
 * Publications leave only after their transaction commits (service-types.ts `inTransaction`). A
 * SQLite trigger makes the rule's state write fail after the rule has opened its alert in the same
 * transaction: the metric batch rolls back, and the socket must see no alert for it. "Nothing
 * arrived" is asserted against a sentinel sent afterwards, never after a pause.
 */
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { OrgObject } from "../../src/streaming/org-object";
import { as } from "../helpers";
import { connectWithToken } from "./live-client";

const P = "/api/v1/streaming-analytics";

const exec = (org: string, statement: string) =>
  runInDurableObject(env.ORG.getByName(org), (_o: OrgObject, state) => {
    state.storage.sql.exec(statement);
  });

const count = (org: string, table: string) =>
  runInDurableObject(
    env.ORG.getByName(org),
    (_o: OrgObject, state) => state.storage.sql.exec<{ n: number }>(`SELECT count(*) AS n FROM ${table}`).one().n,
  );

describe("publish after commit", () => {
  it("a rolled-back metric batch whose rule opened an alert pushes no alert and no metric frame", async () => {
    const org = "pac-rollback";
    const c = await as(org);
    const rule = await c.post(`${P}/alert-rules`, {
      name: "hot",
      metric_name: "temp",
      aggregation: "max",
      window_seconds: 60,
      operator: "gt",
      threshold: 10,
      severity: "critical",
    });
    expect(rule.status).toBe(201);
    const socket = await connectWithToken(c.token);
    await socket.next("snapshot");

    await exec(
      org,
      "CREATE TRIGGER fail_rule_state BEFORE UPDATE OF state ON alert_rules BEGIN SELECT RAISE(ABORT, 'injected'); END",
    );
    const failed = await c.post(`${P}/metrics`, { name: "temp", value: 50 });
    expect(failed.status).toBe(500);
    expect(await count(org, "alerts")).toBe(0);
    expect(await count(org, "metric_rollups")).toBe(0);
    await exec(org, "DROP TRIGGER fail_rule_state");

    // The sentinel: an event published after the failed call; it must be the first live frame.
    expect((await c.post(`${P}/events`, { events: [{ event_id: "sentinel", event_type: "s" }] })).status).toBe(202);
    await socket.next("events");
    expect(socket.messages.map((m) => m.type)).toEqual(["snapshot", "events"]);

    // The same write without the fault opens the alert and pushes it.
    expect((await c.post(`${P}/metrics`, { name: "temp", value: 50 })).status).toBe(202);
    const alert = await socket.next("alert");
    expect(alert.data).toMatchObject({ severity: "critical", status: "open" });
    expect(await count(org, "alerts")).toBe(1);
    socket.close();
  });
});
