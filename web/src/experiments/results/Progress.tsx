import { useEffect, useState } from "preact/hooks";
import { METRIC_KINDS, type MetricKind } from "../../../../src/metrics/model";
import { api, unwrap } from "../../api/client";
import type { Experiment } from "../../api/types";
import { fmtNum, fmtPct } from "../../ui/format";
import { ErrorBox } from "../../ui/status";
import { fmt } from "./format";
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
  const [kind, setKind] = useState<MetricKind>(primary?.kind ?? "binomial");
  const [mean, setMean] = useState(control?.mean != null ? String(Number(control.mean.toPrecision(4))) : "");
  const [sd, setSd] = useState(control?.stddev != null ? String(Number(control.stddev.toPrecision(4))) : "");
  const [mde, setMde] = useState("5");
  const [power, setPower] = useState("80");
  const [answer, setAnswer] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const call = async (run: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await run();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const compute = (ev: Event) => {
    ev.preventDefault();
    return call(async () => {
      const out = await unwrap(
        api["ab-testing"].power.$post({
          json: {
            kind,
            baseline_mean: Number(mean),
            ...(kind !== "binomial" && sd !== "" && { baseline_stddev: Number(sd) }),
            mde_relative: Number(mde) / 100,
            alpha: 1 - e.analysis_settings.confidence_level,
            power: Number(power) / 100,
            variants: e.variants.length,
          },
        }),
      );
      setAnswer(out.users_per_variant);
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

  return (
    <form class="power-form" onSubmit={compute}>
      <div class="settings-grid">
        <label>
          Metric kind
          <select id="p-kind" value={kind} onChange={(ev) => setKind(ev.currentTarget.value as MetricKind)}>
            {METRIC_KINDS.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
        </label>
        <label>
          {kind === "binomial" ? "Baseline rate (0-1)" : "Baseline mean"}
          <input
            id="p-mean"
            inputMode="decimal"
            value={mean}
            onInput={(ev) => setMean(ev.currentTarget.value)}
            required
          />
        </label>
        {kind !== "binomial" && (
          <label>
            Baseline standard deviation
            <input id="p-sd" inputMode="decimal" value={sd} onInput={(ev) => setSd(ev.currentTarget.value)} required />
          </label>
        )}
        <label>
          Smallest lift to detect (%)
          <input id="p-mde" inputMode="decimal" value={mde} onInput={(ev) => setMde(ev.currentTarget.value)} required />
        </label>
        <label>
          Power (%)
          <input id="p-power" inputMode="decimal" value={power} onInput={(ev) => setPower(ev.currentTarget.value)} />
        </label>
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
