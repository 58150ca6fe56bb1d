import { describe, expect, it } from "vitest";
import {
  type Alert,
  type AlertStatus,
  acknowledge,
  createAlert,
  openOrDedupe,
  recordOccurrence,
  resolve,
} from "../../src/streaming/alert-state";

const T = 1_900_000_000_000;
const base = createAlert({ severity: "warning", title: "Disk", message: "90% full", fingerprint: "disk:1" }, "a1", T);

function inStatus(status: AlertStatus): Alert {
  return { ...base, status };
}

describe("alert transitions", () => {
  it("createAlert starts open with one occurrence", () => {
    expect(base).toEqual({
      id: "a1",
      severity: "warning",
      status: "open",
      title: "Disk",
      message: "90% full",
      source_id: null,
      fingerprint: "disk:1",
      occurrences: 1,
      created_at: T,
      last_seen_at: T,
      acknowledged_at: null,
      acknowledged_by: null,
      resolved_at: null,
      resolved_by: null,
      notes: [],
      silenced: false,
    });
  });

  it.each([
    ["acknowledge", "open", "acknowledged"],
    ["acknowledge", "acknowledged", null],
    ["acknowledge", "resolved", null],
    ["resolve", "open", "resolved"],
    ["resolve", "acknowledged", "resolved"],
    ["resolve", "resolved", null],
  ] as const)("%s from %s → %s (null: illegal, 409)", (action, from, to) => {
    const fn = action === "acknowledge" ? acknowledge : resolve;
    const result = fn(inStatus(from), "ops@x", undefined, T + 1);
    if (to === null) {
      expect(result).toMatchObject({ ok: false, error: { kind: "illegal_transition", action, from } });
      if (!result.ok) expect(result.error.message).toContain(`cannot ${action} an alert that is ${from}`);
    } else {
      expect(result).toMatchObject({ ok: true, alert: { status: to } });
    }
  });

  it("records who and when, appends trimmed notes, keeps acknowledgement history on resolve", () => {
    const acked = acknowledge(base, "alice", "  looking  ", T + 10);
    if (!acked.ok) throw new Error("unexpected");
    expect(acked.alert).toMatchObject({
      acknowledged_at: T + 10,
      acknowledged_by: "alice",
      notes: [{ at: T + 10, by: "alice", text: "looking" }],
    });
    const resolved = resolve(acked.alert, "bob", "fixed", T + 20);
    if (!resolved.ok) throw new Error("unexpected");
    expect(resolved.alert).toMatchObject({
      status: "resolved",
      acknowledged_by: "alice",
      resolved_at: T + 20,
      resolved_by: "bob",
      notes: [
        { at: T + 10, by: "alice", text: "looking" },
        { at: T + 20, by: "bob", text: "fixed" },
      ],
    });
    expect(base.status).toBe("open"); // inputs are not mutated
    const blank = resolve(base, "bob", "   ", T);
    expect(blank.ok && blank.alert.notes).toEqual([]);
  });
});

describe("fingerprint dedup", () => {
  it.each([
    ["same fingerprint, open: +1 occurrence", inStatus("open"), "disk:1", false, 2],
    ["same fingerprint, acknowledged: +1 occurrence", inStatus("acknowledged"), "disk:1", false, 2],
    ["same fingerprint, resolved: new alert", inStatus("resolved"), "disk:1", true, 1],
    ["different fingerprint: new alert", inStatus("open"), "disk:2", true, 1],
    ["no fingerprint: never deduplicated", { ...base, fingerprint: null }, undefined, true, 1],
    ["nothing stored: new alert", null, "disk:1", true, 1],
  ] as const)("%s", (_label, existing, fingerprint, created, occurrences) => {
    const out = openOrDedupe(
      existing,
      { severity: "warning", title: "Disk", ...(fingerprint ? { fingerprint } : {}) },
      "a2",
      T + 5,
    );
    expect(out.created).toBe(created);
    expect(out.alert.occurrences).toBe(occurrences);
    expect(out.alert.id).toBe(created ? "a2" : "a1");
  });

  it("a repeat raises severity, never lowers it, and moves last_seen_at", () => {
    expect(recordOccurrence(base, "critical", T + 9)).toMatchObject({
      severity: "critical",
      occurrences: 2,
      last_seen_at: T + 9,
      created_at: T,
    });
    expect(recordOccurrence(base, "info", T + 9).severity).toBe("warning");
  });

  it.each([
    ["a warning repeated as critical: raised from warning", "critical", "warning"],
    ["a warning repeated as warning: not raised", "warning", null],
    ["a warning repeated as info: not raised (severity never drops)", "info", null],
  ] as const)("%s", (_label, severity, raisedFrom) => {
    const out = openOrDedupe(inStatus("open"), { severity, title: "Disk", fingerprint: "disk:1" }, "a2", T + 5);
    expect(out.raisedFrom).toBe(raisedFrom);
  });

  it("a new alert was raised from nothing", () => {
    expect(openOrDedupe(null, { severity: "critical", title: "Disk" }, "a2", T).raisedFrom).toBeNull();
  });
});
