import { useEffect, useState } from "preact/hooks";
import { METRIC_KINDS } from "../../../../src/metrics/model";
import { ApiError, api, unwrap } from "../../api/client";
import type { Experiment } from "../../api/types";
import { Field, useDraft } from "../../ui/Field";
import { keepUnfixed } from "../../ui/form-errors";
import { fmtNum, fmtPct } from "../../ui/format";
import { ErrorBox } from "../../ui/status";
import { fmt } from "./format";
import { POWER_FIELDS, type PowerDraft, powerBody, powerErrors } from "./power-form";
import type { Analysis, NameOf } from "./types";

const runningFor = (days: number | null): string => {
  if (days === null) return "Not started yet.";
  const whole = Math.floor(days);
  return whole < 1 ? "Running for less than a day." : `Running for ${fmtNum(whole)} ${whole === 1 ? "day" : "days"}.`;
};
const CALC_ID = "power-calculator";

interface Props {
  experiment: Experiment;
  analysis: Analysis;
  name: NameOf;
  writable: boolean;
  onChanged: (e: Experiment) => void;
}

/** Days running, users per variant against the split and against the planned sample, and the calculator. */
export function Progress({ experiment: e, analysis: a, name, writable, onChanged }: Props) {
  const [calcOpen, setCalcOpen] = useState(false);
  // The "power calculator" links point at the collapsed panel: following one opens it.
  useEffect(() => {
    const follow = () => location.hash === `#${CALC_ID}` && setCalcOpen(true);
    follow();
    addEventListener("hashchange", follow);
    return () => removeEventListener("hashchange", follow);
  }, []);
  const planned = a.power.planned_users_per_variant;
  const total = a.assignments.reduce((s, x) => s + x.users, 0);
  const configured = new Map(e.variants.map((v) => [v.id, v.traffic_percentage]));
  const days = a.power.days_running;

  return (
    <section class="card progress" aria-labelledby="progress-h">
      <h3 id="progress-h">Progress</h3>
      <p data-testid="progress-summary">
        {runningFor(days)}{" "}
        {planned === null ? (
          <>
            No planned sample size: the <a href={`#${CALC_ID}`}>power calculator</a> tells how many users each variant
            needs.
          </>
        ) : (
          <>
            Planned {fmt.count(planned)} users per variant; the smallest variant is at {fmtPct(a.power.progress)} (
            <a href={`#${CALC_ID}`}>power calculator</a>
            ).
          </>
        )}
      </p>
      <div class="results-table-wrap">
        <table class="results-table">
          <caption class="visually-hidden">Users per variant</caption>
          <thead>
            <tr>
              <th scope="col">Variant</th>
              <th scope="col" class="num">
                Users
              </th>
              <th scope="col" class="num">
                Observed split
              </th>
              <th scope="col" class="num">
                Configured split
              </th>
              {planned !== null && <th scope="col">Toward planned users</th>}
            </tr>
          </thead>
          <tbody>
            {a.assignments.map((v) => (
              <tr key={v.variant_id}>
                <th scope="row">{name(v.variant_id)}</th>
                <td class="num" data-label="Users">
                  {fmt.count(v.users)}
                </td>
                <td class="num" data-label="Observed split">
                  {total ? fmtPct(v.users / total) : "—"}
                </td>
                <td class="num" data-label="Configured split">
                  {fmtNum(configured.get(v.variant_id))}%
                </td>
                {planned !== null && (
                  <td data-label="Toward planned users">
                    <progress
                      max={planned}
                      value={Math.min(v.users, planned)}
                      aria-label={`${name(v.variant_id)}: ${fmt.count(v.users)} of ${fmt.count(planned)} planned users`}
                    />{" "}
                    {fmtPct(v.users / planned)}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <details
        id={CALC_ID}
        open={calcOpen}
        onToggle={(ev) => setCalcOpen((ev.currentTarget as HTMLDetailsElement).open)}
      >
        <summary>Power calculator</summary>
        <PowerCalculator experiment={e} analysis={a} writable={writable} onChanged={onChanged} />
      </details>
    </section>
  );
}

function PowerCalculator({ experiment: e, analysis: a, writable, onChanged }: Omit<Props, "name">) {
  // Start from what the experiment already knows: its primary metric's kind and control values.
  const primary = a.metrics.find((m) => m.role === "primary");
  const controlId = primary?.comparisons[0]?.control_variant_id;
  const control = primary?.variants.find((v) => v.variant_id === controlId);
  const [draft, setDraft, latest] = useDraft<PowerDraft>(() => ({
    kind: primary?.kind ?? "binomial",
    mean: control?.mean != null ? String(Number(control.mean.toPrecision(4))) : "",
    sd: control?.stddev != null ? String(Number(control.stddev.toPrecision(4))) : "",
    mde: "5",
    power: "80",
  }));
  const [answer, setAnswer] = useState<number | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  // An answer belongs to the inputs it was computed from: any edit takes it away, with the edited
  // field's message (the server is asked again on Calculate).
  const set = (k: keyof PowerDraft, path: string) => (ev: Event) => {
    setDraft((d) => ({ ...d, [k]: (ev.currentTarget as HTMLInputElement).value }));
    setAnswer(null);
    setErrors(keepUnfixed(errors, {}, () => false, path));
  };

  const call = async (run: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    setErrors({});
    try {
      await run();
    } catch (err) {
      setAnswer(null);
      const shown = err instanceof ApiError ? powerErrors(err.fieldErrors()) : {};
      setErrors(shown);
      // A reason at a field says it all; anything else (a refused save, the network) above them.
      if (!POWER_FIELDS.some((p) => p in shown)) setError(err);
    } finally {
      setBusy(false);
    }
  };
  const compute = (ev: Event) => {
    ev.preventDefault();
    return call(async () => {
      const body = powerBody(latest.current, e.analysis_settings.confidence_level, e.variants.length);
      setAnswer((await unwrap(api["ab-testing"].power.$post({ json: body }))).users_per_variant);
    });
  };
  const usePlanned = () =>
    call(async () => {
      if (answer === null) return;
      onChanged(
        await unwrap(
          api["ab-testing"].experiments[":id"].$patch({
            param: { id: e.id },
            json: { planned_users_per_variant: answer },
          }),
        ),
      );
    });
  const input = (k: "mean" | "sd" | "mde" | "power", path: string) => (a: object) => (
    <input {...a} inputMode="decimal" value={draft[k]} onInput={set(k, path)} required={k !== "power"} />
  );

  return (
    <form class="power-form" onSubmit={compute}>
      <div class="settings-grid">
        <Field path="kind" label="Metric kind" error={errors.kind}>
          {(a) => (
            <select {...a} value={draft.kind} onChange={set("kind", "kind")}>
              {METRIC_KINDS.map((k) => (
                <option key={k} value={k}>
                  {k}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field
          path="baseline_mean"
          label={draft.kind === "binomial" ? "Baseline rate (0-1)" : "Baseline mean"}
          error={errors.baseline_mean}
        >
          {input("mean", "baseline_mean")}
        </Field>
        {draft.kind !== "binomial" && (
          <Field path="baseline_stddev" label="Baseline standard deviation" error={errors.baseline_stddev}>
            {input("sd", "baseline_stddev")}
          </Field>
        )}
        <Field path="mde_relative" label="Smallest lift to detect (%)" error={errors.mde_relative}>
          {input("mde", "mde_relative")}
        </Field>
        <Field path="power" label="Power (%)" error={errors.power}>
          {input("power", "power")}
        </Field>
      </div>
      <p class="help">
        Two-sided at the experiment's {fmt.level(e.analysis_settings.confidence_level)} confidence, over{" "}
        {e.variants.length} variants.
      </p>
      <div class="actions">
        <button type="submit" class="btn" disabled={busy}>
          Calculate
        </button>
        {answer !== null && writable && (
          <button type="button" class="btn btn-primary" disabled={busy} onClick={usePlanned}>
            Plan {fmt.count(answer)} users per variant
          </button>
        )}
      </div>
      {answer !== null && (
        <p role="status" data-testid="power-answer">
          Each variant needs <strong>{fmt.count(answer)}</strong> exposed users.
        </p>
      )}
      {error !== null && <ErrorBox error={error} />}
    </form>
  );
}
