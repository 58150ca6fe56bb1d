// The sentence under the cumulative lift chart: it says the lifts are CUPED-adjusted exactly when
// the series' last day was adjusted (a variant carries adjusted_mean), not whenever CUPED is on.
import { describe, expect, it } from "vitest";
import { fmt } from "../../web/src/experiments/results/format";
import { seriesCaption } from "../../web/src/experiments/results/series-caption";

const name = (id: string | null | undefined) => (id === "t" ? "Green" : "Control");
const day = (adjusted: [number | null, number | null]) => ({
  date: "2026-12-02",
  variants: [
    { variant_id: "c", users: 40, mean: 10, adjusted_mean: adjusted[0] },
    { variant_id: "t", users: 41, mean: 11, adjusted_mean: adjusted[1] },
  ],
  comparisons: [{ variant_id: "t", relative_lift: 0.1, lift_ci_low: -0.02, lift_ci_high: 0.22 }],
});

describe("seriesCaption", () => {
  const lifts = `Green ${fmt.lift(0.1)} (${fmt.interval(-0.02, 0.22, fmt.lift)})`;
  it.each([
    ["unadjusted (CUPED off, or not applicable that day)", day([null, null]), false],
    ["adjusted", day([10.2, 10.9]), true],
  ])("%s", (_label, last, adjusted) => {
    const text = seriesCaption(last, name);
    expect(text.startsWith(`Cumulative to 2026-12-02: ${lifts}. Each day includes every user exposed`)).toBe(true);
    expect(text.includes("CUPED-adjusted")).toBe(adjusted);
  });
});
