/**
 * The power calculator's pure part (test/unit/web-power-form.test.ts): its request from the fields
 * as typed, and the server's reasons worded for the fields. The form asks for the lift and the power
 * in percent where the API takes fractions, so a bound the API names ("less than 1") is said in the
 * field's unit ("less than 100%").
 */
import type { MetricKind } from "../../../../src/metrics/model";
import { plainMessage } from "../../ui/form-errors";

export interface PowerDraft {
  kind: MetricKind;
  mean: string;
  sd: string;
  /** Smallest lift to detect, in percent. */
  mde: string;
  /** In percent. */
  power: string;
}

/** The API paths the form has a field for; a problem elsewhere is said above the fields. */
export const POWER_FIELDS = ["kind", "baseline_mean", "baseline_stddev", "mde_relative", "power"] as const;
const IN_PERCENT = new Set(["mde_relative", "power"]);

/**
 * `POST /power`'s body. Text that is no number goes as NaN, which JSON sends as null: the server
 * then names the field ("Enter a number."), so the form keeps one source for what is valid.
 */
export const powerBody = (d: PowerDraft, confidenceLevel: number, variants: number) => ({
  kind: d.kind,
  baseline_mean: Number(d.mean),
  ...(d.kind !== "binomial" && d.sd !== "" && { baseline_stddev: Number(d.sd) }),
  mde_relative: Number(d.mde) / 100,
  alpha: 1 - confidenceLevel,
  power: Number(d.power) / 100,
  variants,
});

/** The server's field errors in plain words, bounds of the percent fields in percent. */
export function powerErrors(apiErrors: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [path, message] of Object.entries(apiErrors)) {
    out[path] = plainMessage(
      IN_PERCENT.has(path)
        ? message.replace(
            /\b(than|most|least|from|to) (\d[\d.]*)/g,
            (_, to: string, n: string) => `${to} ${Number((Number(n) * 100).toPrecision(12))}%`,
          )
        : message,
    );
  }
  return out;
}
