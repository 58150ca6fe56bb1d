/**
 * The sentence under the cumulative lift chart: the latest day's lifts with their intervals, what a
 * day includes, and whether the lifts are CUPED-adjusted. Adjusted is read from the series itself
 * (a variant's `adjusted_mean` is set only on a day CUPED was applied), not from the settings: with
 * CUPED on, a day without spread in the pre-exposure values is shown unadjusted.
 */
import { fmt } from "./format";
import type { NameOf, Timeseries } from "./types";

type Day = Timeseries["items"][number];

export function seriesCaption(last: Day, name: NameOf): string {
  const lifts = last.comparisons
    .map(
      (c) =>
        `${name(c.variant_id)} ${fmt.lift(c.relative_lift)} (${fmt.interval(c.lift_ci_low, c.lift_ci_high, fmt.lift)})`,
    )
    .join("; ");
  const adjusted = last.variants.some((v) => v.adjusted_mean !== null)
    ? " Lifts and bands are CUPED-adjusted by each user's pre-exposure value, as in the table."
    : "";
  return `Cumulative to ${last.date}: ${lifts}. Each day includes every user exposed up to its end; the band is the interval on that day.${adjusted}`;
}
