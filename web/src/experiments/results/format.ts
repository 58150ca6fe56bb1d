/**
 * How the results page writes numbers: in the metric's own format (a rate as a percentage, money in
 * its currency), differences of rates in percentage points, lifts as signed percentages, and the
 * chance to beat control never as a flat "100%". Pure, so each rule is a table-driven unit test.
 */
import type { MetricFormat } from "../../../../src/metrics/model";
import { fmtConfidence } from "../../ui/format";

export interface ValueFormat {
  format: MetricFormat;
  currency: string | null;
}

type Num = number | null | undefined;
const finite = (v: Num): v is number => typeof v === "number" && Number.isFinite(v);
const DASH = "—";

/** Beyond these the chance to beat control is shown as a bound, never as a certain 0% or 100%. */
const CHANCE_FLOOR = 0.001;

/** The formatters for one locale (the browser's by default; tests pin one). */
export function makeFormat(locale?: string) {
  const cache = new Map<string, Intl.NumberFormat>();
  const nf = (opts: Intl.NumberFormatOptions): Intl.NumberFormat => {
    const key = JSON.stringify(opts);
    let f = cache.get(key);
    if (!f) {
      f = new Intl.NumberFormat(locale, opts);
      cache.set(key, f);
    }
    return f;
  };
  // Small magnitudes keep two significant digits so 0.004 does not read as 0.
  const digits = (v: number, usual: number) => (Math.abs(v) > 0 && Math.abs(v) < 10 ** -usual ? usual + 2 : usual);
  const percent = (v: number, signed: boolean) =>
    nf({
      style: "percent",
      maximumFractionDigits: digits(v * 100, 1),
      signDisplay: signed ? "exceptZero" : "auto",
    }).format(v);
  const plain = (v: number, signed: boolean) =>
    nf({ maximumFractionDigits: digits(v, 2), signDisplay: signed ? "exceptZero" : "auto" }).format(v);
  const money = (v: number, currency: string, signed: boolean) =>
    nf({ style: "currency", currency, signDisplay: signed ? "exceptZero" : "auto" }).format(v);
  const count = (v: number) => nf({ maximumFractionDigits: 0 }).format(v);

  const inFormat = (v: number, f: ValueFormat, signed: boolean): string =>
    f.format === "percent"
      ? percent(v, signed)
      : f.format === "currency" && f.currency
        ? money(v, f.currency, signed)
        : plain(v, signed);

  return {
    /** A variant's value: 8.5%, $12.30, 3.2. */
    value: (v: Num, f: ValueFormat): string => (finite(v) ? inFormat(v, f, false) : DASH),
    /** Treatment − control: +6.7 pp for rates (never a relative percentage), +$1.20, +0.4. */
    difference: (v: Num, f: ValueFormat): string => {
      if (!finite(v)) return DASH;
      if (f.format !== "percent") return inFormat(v, f, true);
      return `${plain(v * 100, true)} pp`;
    },
    /** Relative lift: +12.3%. */
    lift: (v: Num): string => (finite(v) ? percent(v, true) : DASH),
    /** An interval in any of the above: "+4.1% to +20.5%". */
    interval: (lo: Num, hi: Num, one: (v: number) => string): string =>
      finite(lo) && finite(hi) ? `${one(lo)} to ${one(hi)}` : DASH,
    /** ">99.9%" and "<0.1%" at the extremes: a posterior or a p-value is never certainty. */
    chance: (v: Num): string => {
      if (!finite(v)) return DASH;
      if (v > 1 - CHANCE_FLOOR) return `>${percent(1 - CHANCE_FLOOR, false)}`;
      if (v < CHANCE_FLOOR) return `<${percent(CHANCE_FLOOR, false)}`;
      return percent(v, false);
    },
    /**
     * What a value is made of: converted users / users for a rate, total / users otherwise
     * (rows for event_mean, whose denominator is the count of values).
     */
    ratio: (numerator: Num, denominator: Num, f: ValueFormat): string =>
      finite(numerator) && finite(denominator)
        ? `${f.format === "percent" ? count(numerator) : inFormat(numerator, f, false)} / ${count(denominator)}`
        : DASH,
    count: (v: Num): string => (finite(v) ? count(v) : DASH),
    /** A confidence level as its usual label: 0.95 → "95%" (the dashboard's one confidence format). */
    level: (v: number): string => fmtConfidence(v, locale),
  };
}

export type Formatters = ReturnType<typeof makeFormat>;
export const fmt = makeFormat();
