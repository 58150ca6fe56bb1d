import { describe, expect, it } from "vitest";
import { bucketOf, inNamespace } from "../../src/evaluation/bucketing";
import { checkReportedExposure, MAX_REPORT_DELAY_MS } from "../../src/assignment/exposure-check";
import { MAX_FUTURE_SKEW_MS } from "../../src/http/time";
import type { ClientExperiment } from "../../src/experiments/model";

const NOW = Date.UTC(2026, 5, 1);

const experiment = (over: Partial<ClientExperiment> = {}): ClientExperiment => ({
  id: "e1",
  key: "exp",
  status: "running",
  seed: "exp",
  coverage: 100,
  winner_variant_id: null,
  variants: [
    {
      id: "vc",
      key: "control",
      variant_name: "C",
      variant_type: "control",
      model_version: null,
      config: {},
      traffic_percentage: 50,
    },
    {
      id: "vt",
      key: "treatment",
      variant_name: "T",
      variant_type: "treatment",
      model_version: null,
      config: {},
      traffic_percentage: 50,
    },
  ],
  ...over,
});

const variantOf = (user: string) => (bucketOf("exp", user) < 0.5 ? "control" : "treatment");
const other = (v: string) => (v === "control" ? "treatment" : "control");

describe("checkReportedExposure", () => {
  it.each(Array.from({ length: 40 }, (_, i) => `user-${i}`))("%s: its bucket's variant only", (user) => {
    const v = variantOf(user);
    expect(checkReportedExposure(experiment(), v, user, NOW, NOW)).toEqual({
      ok: true,
      variantId: v === "control" ? "vc" : "vt",
    });
    expect(checkReportedExposure(experiment(), other(v), user, NOW, NOW)).toEqual({
      ok: false,
      reason: "variant_mismatch",
    });
  });

  it("refuses unknown, stopped, out-of-namespace and out-of-coverage exposures; ignores targeting", () => {
    const user = "user-1";
    const v = variantOf(user);
    expect(checkReportedExposure(undefined, v, user, NOW, NOW)).toEqual({ ok: false, reason: "unknown_experiment" });
    for (const status of ["paused", "completed", "draft"] as const) {
      expect(checkReportedExposure(experiment({ status }), v, user, NOW, NOW)).toEqual({
        ok: false,
        reason: "not_running",
      });
    }
    expect(checkReportedExposure(experiment({ coverage: 0 }), v, user, NOW, NOW)).toEqual({
      ok: false,
      reason: "coverage",
    });
    const ns = { key: "layer", start: 0, end: 0.5 };
    const inside = inNamespace(user, ns);
    const layered = experiment({ namespace: inside ? { ...ns, start: 0.5, end: 1 } : ns });
    expect(checkReportedExposure(layered, v, user, NOW, NOW)).toEqual({ ok: false, reason: "namespace" });
    // Targeting needs attributes the report does not carry: the client applied it.
    const targeted = experiment({ targeting: { country: "US" } });
    expect(checkReportedExposure(targeted, v, user, NOW, NOW).ok).toBe(true);
  });

  it.each([
    [NOW + MAX_FUTURE_SKEW_MS, true],
    [NOW + MAX_FUTURE_SKEW_MS + 1, false],
    [NOW - MAX_REPORT_DELAY_MS, true],
    [NOW - MAX_REPORT_DELAY_MS - 1, false],
  ])("timestamp %d accepted: %s", (at, ok) => {
    const user = "user-2";
    const r = checkReportedExposure(experiment(), variantOf(user), user, at, NOW);
    expect(r.ok ? true : r.reason).toBe(ok ? true : "timestamp_out_of_range");
  });
});
