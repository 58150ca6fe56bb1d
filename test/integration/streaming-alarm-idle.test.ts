import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { OrgObject } from "../../src/streaming/org-object";
import { RETENTION_INTERVAL_MS } from "../../src/streaming/service-alarm";
import { as } from "../helpers";
import { pinClock, stub } from "../org-object";

const P = "/api/v1/streaming-analytics";
const DAY = 86_400_000;
const alarmAt = (org: string) => runInDurableObject(stub(org), (_i: OrgObject, state) => state.storage.getAlarm());

describe("an idle organization object stops re-arming its alarm (issue 17)", () => {
  it("once retention removed its last row it sleeps without an alarm, and the next write re-arms it", async () => {
    const org = "alarm-idle";
    const c = await as(org);
    const now = Date.now();
    await pinClock(org, now);
    expect((await c.post(`${P}/events`, { events: [{ event_type: "x", timestamp: now }] })).status).toBe(202);
    expect(await alarmAt(org)).toBe(now + RETENTION_INTERVAL_MS);

    // Eight days on, the event (and its rate bucket) expire: nothing is left to trim or evaluate.
    await pinClock(org, now + 8 * DAY);
    expect(await runDurableObjectAlarm(stub(org))).toBe(true);
    expect(await alarmAt(org)).toBeNull();

    // A new write arms it again, in the same object instance (no eviction in between).
    expect((await c.post(`${P}/events`, { events: [{ event_type: "y", timestamp: now + 8 * DAY }] })).status).toBe(202);
    expect(await alarmAt(org)).toBe(now + 8 * DAY + RETENTION_INTERVAL_MS);
  });
});
