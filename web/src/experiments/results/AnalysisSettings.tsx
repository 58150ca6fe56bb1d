import { useEffect, useState } from "preact/hooks";
import { CORRECTIONS, type Correction, ENGINES, type Engine } from "../../../../src/stats/model";
import { api, unwrap } from "../../api/client";
import type { Experiment } from "../../api/types";
import { useDraft } from "../../ui/Field";
import { ErrorBox } from "../../ui/status";
import { fmt } from "./format";
import { CORRECTION_NAMES } from "./verdict";

const ENGINE_NAMES: Record<Engine, string> = { frequentist: "Frequentist", bayesian: "Bayesian" };
/** The usual levels; a level set through the API that is not among them is offered too. */
const LEVELS = [0.9, 0.95, 0.99];

type Settings = Experiment["analysis_settings"];

/**
 * How the results are read, editable in any status (it changes the reading, not who sees what). Saved
 * with PATCH, so a reload shows the same reading.
 */
export function AnalysisSettings({
  experiment,
  writable,
  onChanged,
}: {
  experiment: Experiment;
  writable: boolean;
  onChanged: (e: Experiment) => void;
}) {
  const saved = experiment.analysis_settings;
  const [draft, setDraft, latest] = useDraft<Settings>(saved);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    setDraft(saved);
  }, [saved]);
  const set = <K extends keyof Settings>(key: K, value: Settings[K]) => setDraft((d) => ({ ...d, [key]: value }));
  const dirty = JSON.stringify(draft) !== JSON.stringify(saved);
  const levels = LEVELS.includes(draft.confidence_level) ? LEVELS : [...LEVELS, draft.confidence_level].sort();

  const save = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const { engine, confidence_level, sequential, cuped, correction } = latest.current;
      onChanged(
        await unwrap(
          api["ab-testing"].experiments[":id"].$patch({
            param: { id: experiment.id },
            json: { analysis_settings: { engine, confidence_level, sequential, cuped, correction } },
          }),
        ),
      );
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <details class="card analysis-settings">
      <summary>
        <strong>Analysis settings</strong>{" "}
        <span class="muted">
          {ENGINE_NAMES[saved.engine]} · {fmt.level(saved.confidence_level)}
          {saved.sequential ? " · sequential" : ""}
          {saved.cuped ? " · CUPED" : ""}
          {saved.engine === "bayesian" ? "" : ` · correction: ${CORRECTION_NAMES[saved.correction]}`}
        </span>
      </summary>
      <form onSubmit={save}>
        <fieldset disabled={!writable || busy}>
          <legend class="visually-hidden">Analysis settings</legend>
          <div class="settings-grid">
            <label>
              Engine
              <select
                id="s-engine"
                value={draft.engine}
                onChange={(e) => set("engine", e.currentTarget.value as Engine)}
              >
                {ENGINES.map((v) => (
                  <option key={v} value={v}>
                    {ENGINE_NAMES[v]}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Confidence
              <select
                id="s-confidence"
                value={String(draft.confidence_level)}
                onChange={(e) => set("confidence_level", Number(e.currentTarget.value))}
              >
                {levels.map((v) => (
                  <option key={v} value={String(v)}>
                    {fmt.level(v)}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Multiple-comparison correction
              <select
                id="s-correction"
                disabled={draft.engine === "bayesian"}
                title={
                  draft.engine === "bayesian"
                    ? "Corrects p-values, which the Bayesian verdict does not read"
                    : undefined
                }
                value={draft.correction}
                onChange={(e) => set("correction", e.currentTarget.value as Correction)}
              >
                {CORRECTIONS.map((v) => (
                  <option key={v} value={v}>
                    {CORRECTION_NAMES[v]}
                  </option>
                ))}
              </select>
            </label>
            <label class="check">
              <input
                id="s-sequential"
                type="checkbox"
                checked={draft.sequential}
                onChange={(e) => set("sequential", e.currentTarget.checked)}
              />
              Sequential (valid however often you look; wider intervals)
            </label>
            <label class="check">
              <input
                id="s-cuped"
                type="checkbox"
                checked={draft.cuped}
                onChange={(e) => set("cuped", e.currentTarget.checked)}
              />
              CUPED (use each user's pre-exposure value to narrow intervals)
            </label>
          </div>
          {writable ? (
            <div class="actions">
              <button type="submit" class="btn btn-primary" disabled={!dirty || busy}>
                {busy ? "Saving…" : "Apply settings"}
              </button>
              {dirty && (
                <button type="button" class="btn" onClick={() => setDraft(saved)}>
                  Discard
                </button>
              )}
            </div>
          ) : (
            <p class="help">Changing the analysis needs a token with write scope.</p>
          )}
        </fieldset>
      </form>
      {error !== null && <ErrorBox error={error} />}
    </details>
  );
}
