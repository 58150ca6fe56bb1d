import { useState } from "preact/hooks";
import { ApiError, api, unwrap } from "../api/client";
import type { Experiment } from "../api/types";
import { useDraft } from "../ui/Field";
import { actionLabel, type LifecycleAction, legalActions } from "./status";

interface Props {
  experiment: Experiment;
  onChanged: (e: Experiment) => void;
  /** The variant the results suggest (winning on the primary metric); "Complete…" pre-selects it. */
  suggestedWinner?: string | null;
}

/** Only the moves legal from the current status are offered; 409/422 reasons are shown verbatim. */
export function Lifecycle({ experiment, onChanged, suggestedWinner = null }: Props) {
  const [busy, setBusy] = useState<LifecycleAction | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [completing, setCompleting] = useState(false);
  // Starting a draft locks its variants for good, and pausing moves every user to the control at
  // once, so both are confirmed; resuming locks nothing new and puts users back where they were.
  const [confirming, setConfirming] = useState<"start" | "pause" | null>(null);
  const [winner, setWinner, chosen] = useDraft("");
  const ep = api["ab-testing"].experiments[":id"];
  const param = { id: experiment.id };

  const run = async (action: LifecycleAction) => {
    setBusy(action);
    setError(null);
    try {
      const next =
        action === "start"
          ? await unwrap(ep.start.$post({ param }))
          : action === "pause"
            ? await unwrap(ep.pause.$post({ param }))
            : await unwrap(
                ep.complete.$post({ param, json: chosen.current ? { winner_variant_id: chosen.current } : {} }),
              );
      setCompleting(false);
      setConfirming(null);
      onChanged(next);
    } catch (err) {
      const details = err instanceof ApiError ? (err.problem?.errors ?? []).map((e) => e.message) : [];
      setError([err instanceof Error ? err.message : String(err), ...details].join(" "));
    } finally {
      setBusy(null);
    }
  };

  const actions = legalActions(experiment.status);
  const asks = (a: LifecycleAction): a is "start" | "pause" =>
    (a === "start" && experiment.status === "draft") || a === "pause";
  if (actions.length === 0) return null;
  return (
    <div class="lifecycle">
      <div class="actions">
        {actions.map((a) =>
          a === "complete" ? (
            <button
              key={a}
              type="button"
              class="btn"
              aria-expanded={completing}
              aria-controls="complete-form"
              onClick={() => {
                if (!completing) setWinner(suggestedWinner ?? "");
                setCompleting(!completing);
              }}
            >
              {actionLabel(a, experiment.status)}
            </button>
          ) : (
            <button
              key={a}
              type="button"
              class={`btn ${a === "start" ? "btn-primary" : ""}`}
              disabled={busy !== null}
              aria-expanded={asks(a) ? confirming === a : undefined}
              onClick={() => (asks(a) ? setConfirming((c) => (c === a ? null : a)) : run(a))}
            >
              {busy === a ? "Working…" : actionLabel(a, experiment.status)}
            </button>
          ),
        )}
      </div>
      {confirming !== null && (
        <Confirm
          action={confirming}
          experiment={experiment}
          busy={busy === confirming}
          onConfirm={() => run(confirming)}
          onCancel={() => setConfirming(null)}
        />
      )}
      {completing && (
        <form
          id="complete-form"
          class="card complete-form"
          onSubmit={(e) => {
            e.preventDefault();
            run("complete");
          }}
        >
          <label for="winner">Winner (optional)</label>
          <select id="winner" value={winner} onChange={(e) => setWinner(e.currentTarget.value)}>
            <option value="">No winner: serve the control</option>
            {experiment.variants.map((v) => (
              <option key={v.id} value={v.id}>
                {v.variant_name} ({v.key}){v.id === suggestedWinner ? ": winning on the primary metric" : ""}
              </option>
            ))}
          </select>
          <p class="help">Completing is final: every user then gets the winner (or the control).</p>
          <div class="actions">
            <button type="submit" class="btn btn-primary" disabled={busy !== null}>
              {busy === "complete" ? "Completing…" : "Complete experiment"}
            </button>
            <button type="button" class="btn" onClick={() => setCompleting(false)}>
              Cancel
            </button>
          </div>
        </form>
      )}
      {error && (
        <p class="notice notice-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

function Confirm(props: {
  action: "start" | "pause";
  experiment: Experiment;
  busy: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const { experiment: e, action } = props;
  const start = action === "start";
  return (
    <section class="card complete-form" aria-labelledby="confirm-h" data-testid={`${action}-confirm`}>
      <h2 id="confirm-h">
        {start ? "Start" : "Pause"} {e.experiment_name}?
      </h2>
      {start ? (
        <>
          <p>
            Starting locks the variants, their traffic split (
            {e.variants.map((v) => `${v.key} ${v.traffic_percentage}%`).join(", ")}) and the seed, so every user keeps
            the variant they get. Users are assigned and counted from now on.
          </p>
          <p class="help">
            You can still raise the coverage, change the metrics and analysis settings, and pause or complete it.
          </p>
        </>
      ) : (
        <>
          <p>While paused, every user gets the control and no exposure is recorded, so the results stop growing.</p>
          <p class="help">Nobody's bucket changes: Resume puts every enrolled user back in their variant.</p>
        </>
      )}
      <div class="actions">
        <button type="button" class="btn btn-primary" disabled={props.busy} onClick={props.onConfirm}>
          {props.busy ? (start ? "Starting…" : "Pausing…") : start ? "Yes, start it" : "Yes, pause it"}
        </button>
        <button type="button" class="btn" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </section>
  );
}
