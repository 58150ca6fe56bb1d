import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError, streaming, unwrap } from "../api/client";
import { wholeList } from "../api/pages";
import { canWrite, useMe } from "../auth/session-context";
import { Link } from "../router";
import { ErrorSummary, Field, labelsFor, useDraft } from "../ui/Field";
import { plainErrors, refusalMessage } from "../ui/form-errors";
import { fmtTime } from "../ui/format";
import { Badge, Empty, ErrorBox, Loading } from "../ui/status";
import { useAsync } from "../ui/use-async";
import {
  AGGREGATIONS,
  isModelRuleMetric,
  MODEL_RULE_METRICS,
  NO_DATA_POLICIES,
  OPERATORS,
  RULE_TYPES,
  SEVERITIES,
} from "../../../src/streaming/model";
import { AlertingNav } from "./AlertingNav";
import { bodyToPatch, describeRule, formToBody, newRuleForm, type RuleForm, ruleToForm } from "./rule-form";
import { RulePreview } from "./RulePreview";
import type { AlertRule } from "./types";

const STATE_REFRESH_MS = 5000;
const OPERATOR_LABEL: Record<(typeof OPERATORS)[number], string> = {
  gt: "above (>)",
  gte: "at or above (≥)",
  lt: "below (<)",
  lte: "at or below (≤)",
};

/** Each field's label: shown by its Field and named by the error summary (one list, no DOM lookup). */
const RULE_LABELS = {
  name: "Name",
  metric_name: "Metric",
  "tags.model": "Model",
  "tags.version": "Version",
  tags: "Tag filter",
  type: "Type",
  aggregation: "Aggregation",
  window_seconds: "Window (seconds)",
  threshold: "Threshold",
  sensitivity: "Sensitivity (|z|)",
  baseline_windows: "Baseline windows",
  for_seconds: "For (seconds)",
  severity: "Severity",
  no_data: "When data stops",
} as const;

export function RulesPage() {
  const me = useMe();
  const writable = canWrite(me);
  const rules = useAsync(() => wholeList(streaming["alert-rules"].$get), []);
  const [editing, setEditing] = useState<AlertRule | null>(null);
  // A rule's state moves as data arrives; keep it current while the page is open.
  useEffect(() => {
    const t = setInterval(() => document.visibilityState === "visible" && rules.reload(), STATE_REFRESH_MS);
    return () => clearInterval(t);
  }, [rules.reload]);

  return (
    <section aria-labelledby="rules-h">
      <h1 id="rules-h">Alert rules</h1>
      <AlertingNav current="/alerting/rules" />
      {writable && (
        <RuleFormCard
          key={editing?.id ?? "new"}
          editing={editing}
          onDone={() => {
            setEditing(null);
            rules.reload();
          }}
        />
      )}
      <h2>Rules</h2>
      {rules.status === "error" && <ErrorBox error={rules.error} onRetry={rules.reload} />}
      {!rules.data && rules.status === "loading" && <Loading label="Loading rules…" />}
      {rules.data &&
        (rules.data.items.length === 0 ? (
          <Empty>No rules yet. A rule watches a metric and opens an alert when its condition holds.</Empty>
        ) : (
          <ul class="op-cards" data-testid="rules-list">
            {rules.data.items.map((r) => (
              <RuleCard key={r.id} rule={r} writable={writable} onEdit={() => setEditing(r)} onDeleted={rules.reload} />
            ))}
          </ul>
        ))}
    </section>
  );
}

function RuleCard({
  rule: r,
  writable,
  onEdit,
  onDeleted,
}: {
  rule: AlertRule;
  writable: boolean;
  onEdit: () => void;
  onDeleted: () => void;
}) {
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const remove = async () => {
    try {
      await unwrap(streaming["alert-rules"][":id"].$delete({ param: { id: r.id } }));
      onDeleted();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <li class="card op-card" data-rule-id={r.id}>
      <div class="op-card-head">
        <strong>{r.name}</strong>
        <Badge kind={`rule-${r.state.status}`}>{r.state.status}</Badge>
        <Badge kind={r.severity}>{r.severity}</Badge>
      </div>
      <p class="small">{describeRule(r)}</p>
      <p class="small muted">
        {r.type} rule · no data: {r.no_data}
        {r.state.since && ` · ${r.state.status} since ${fmtTime(r.state.since)}`}
        {r.state.alert_id && (
          <>
            {" · "}
            <Link href={`/alerting/history?alert=${encodeURIComponent(r.state.alert_id)}`}>its alert</Link>
          </>
        )}
      </p>
      {writable && (
        <div class="row-actions">
          <button type="button" class="btn btn-small" onClick={onEdit}>
            Edit<span class="visually-hidden"> {r.name}</span>
          </button>
          {confirming ? (
            <>
              <button type="button" class="btn btn-small btn-danger" onClick={remove}>
                Delete {r.name}?
              </button>
              <button type="button" class="btn btn-small" onClick={() => setConfirming(false)}>
                Keep
              </button>
            </>
          ) : (
            <button type="button" class="btn btn-small btn-danger" onClick={() => setConfirming(true)}>
              Delete<span class="visually-hidden"> {r.name}</span>
            </button>
          )}
        </div>
      )}
      {error !== null && <ErrorBox error={error} />}
    </li>
  );
}

function RuleFormCard({ editing, onDone }: { editing: AlertRule | null; onDone: () => void }) {
  const [form, setForm, latest] = useDraft<RuleForm>(() => (editing ? ruleToForm(editing) : newRuleForm()));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const metrics = useAsync(() => wholeList(streaming.metrics.$get), []);
  const nameRef = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (editing) nameRef.current?.focus();
  }, [editing]);
  const set = (k: keyof RuleForm) => (e: Event) =>
    setForm((f) => ({ ...f, [k]: (e.currentTarget as HTMLInputElement).value }));

  const submit = async (e: Event) => {
    e.preventDefault();
    setErrors({});
    setMessage(null);
    const parsed = formToBody(latest.current);
    if ("errors" in parsed) {
      setErrors(parsed.errors);
      return;
    }
    setBusy(true);
    try {
      // An edit changes the rule in place: same id, same alerts and history (docs/alerting.md).
      if (editing) {
        await unwrap(
          streaming["alert-rules"][":id"].$patch({
            param: { id: editing.id },
            json: bodyToPatch(parsed.body),
          }),
        );
      } else await unwrap(streaming["alert-rules"].$post({ json: parsed.body }));
      setForm(newRuleForm());
      onDone();
    } catch (err) {
      if (err instanceof ApiError) {
        setErrors(plainErrors(err.fieldErrors()));
        setMessage(refusalMessage(err, "rule"));
      } else setMessage(String(err));
    } finally {
      setBusy(false);
    }
  };

  const threshold = form.type === "threshold";
  const operatorLabel = threshold ? "Fires when the value is" : "Side";
  return (
    <form class="card form op-form" onSubmit={submit} aria-labelledby="rule-form-h">
      <h2 id="rule-form-h">{editing ? `Edit ${editing.name}` : "New rule"}</h2>
      {editing && (
        <p class="help">
          Saving changes this rule in place: it keeps its alerts and history. A changed condition is checked at once: a
          wait restarts, and an open alert resolves if the new condition no longer holds. A new severity on a firing
          rule resolves its alert and opens one at the new severity, so channels that take that severity hear of it.
        </p>
      )}
      <ErrorSummary
        errors={errors}
        message={message}
        labelOf={labelsFor({ ...RULE_LABELS, operator: operatorLabel })}
      />
      <div class="rule-layout">
        <div>
          <div class="grid-2">
            <Field path="name" label={RULE_LABELS.name} error={errors.name}>
              {(a) => <input {...a} ref={nameRef} value={form.name} onInput={set("name")} maxLength={200} />}
            </Field>
            <Field path="metric_name" label={RULE_LABELS.metric_name} error={errors.metric_name}>
              {(a) => (
                <>
                  <input
                    {...a}
                    list="metric-names"
                    value={form.metric_name}
                    onInput={set("metric_name")}
                    autoComplete="off"
                    spellcheck={false}
                  />
                  <datalist id="metric-names">
                    {metrics.data?.items.map((m) => (
                      <option key={m.name} value={m.name} />
                    ))}
                    {Object.keys(MODEL_RULE_METRICS).map((name) => (
                      <option key={name} value={name} label={`${name} (a model statistic)`} />
                    ))}
                  </datalist>
                </>
              )}
            </Field>
            {isModelRuleMetric(form.metric_name.trim()) ? (
              <>
                <Field path="tags.model" label={RULE_LABELS["tags.model"]} error={errors["tags.model"]}>
                  {(a) => (
                    <input
                      {...a}
                      value={form.model}
                      onInput={set("model")}
                      placeholder="every model"
                      maxLength={500}
                      spellcheck={false}
                    />
                  )}
                </Field>
                <Field path="tags.version" label={RULE_LABELS["tags.version"]} error={errors["tags.version"]}>
                  {(a) => (
                    <input
                      {...a}
                      value={form.version}
                      onInput={set("version")}
                      placeholder="every version"
                      maxLength={500}
                      spellcheck={false}
                    />
                  )}
                </Field>
              </>
            ) : (
              <Field
                path="tags"
                label={RULE_LABELS.tags}
                error={errors.tags}
                help="Only points with these tags, e.g. region=eu, env=prod. Blank: every point."
              >
                {(a) => (
                  <input
                    {...a}
                    value={form.tag_filter}
                    onInput={set("tag_filter")}
                    autoComplete="off"
                    spellcheck={false}
                  />
                )}
              </Field>
            )}
            <Field path="type" label={RULE_LABELS.type} error={errors.type}>
              {(a) => (
                <select {...a} value={form.type} onChange={set("type")}>
                  {RULE_TYPES.map((t) => (
                    <option key={t} value={t}>
                      {t}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field path="aggregation" label={RULE_LABELS.aggregation} error={errors.aggregation}>
              {(a) => (
                <select {...a} value={form.aggregation} onChange={set("aggregation")}>
                  {AGGREGATIONS.map((x) => (
                    <option key={x} value={x}>
                      {x}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field path="window_seconds" label={RULE_LABELS.window_seconds} error={errors.window_seconds}>
              {(a) => <input {...a} inputMode="numeric" value={form.window_seconds} onInput={set("window_seconds")} />}
            </Field>
            <Field path="operator" label={operatorLabel} error={errors.operator}>
              {(a) => (
                <select {...a} value={form.operator} onChange={set("operator")}>
                  {OPERATORS.map((o) => (
                    <option key={o} value={o}>
                      {threshold
                        ? OPERATOR_LABEL[o]
                        : o === "gt"
                          ? "above only"
                          : o === "lt"
                            ? "below only"
                            : "both sides"}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            {threshold ? (
              <Field path="threshold" label={RULE_LABELS.threshold} error={errors.threshold}>
                {(a) => <input {...a} inputMode="decimal" value={form.threshold} onInput={set("threshold")} />}
              </Field>
            ) : (
              <>
                <Field path="sensitivity" label={RULE_LABELS.sensitivity} error={errors.sensitivity}>
                  {(a) => <input {...a} inputMode="decimal" value={form.sensitivity} onInput={set("sensitivity")} />}
                </Field>
                <Field path="baseline_windows" label={RULE_LABELS.baseline_windows} error={errors.baseline_windows}>
                  {(a) => (
                    <input {...a} inputMode="numeric" value={form.baseline_windows} onInput={set("baseline_windows")} />
                  )}
                </Field>
              </>
            )}
            <Field
              path="for_seconds"
              label={RULE_LABELS.for_seconds}
              error={errors.for_seconds}
              help="How long it must hold."
            >
              {(a) => <input {...a} inputMode="numeric" value={form.for_seconds} onInput={set("for_seconds")} />}
            </Field>
            <Field path="severity" label={RULE_LABELS.severity} error={errors.severity}>
              {(a) => (
                <select {...a} value={form.severity} onChange={set("severity")}>
                  {SEVERITIES.map((s) => (
                    <option key={s} value={s}>
                      {s}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field path="no_data" label={RULE_LABELS.no_data} error={errors.no_data}>
              {(a) => (
                <select {...a} value={form.no_data} onChange={set("no_data")}>
                  {NO_DATA_POLICIES.map((p) => (
                    <option key={p} value={p}>
                      {p === "keep" ? "keep the state" : p === "resolve" ? "resolve" : "alert"}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          </div>
        </div>
        <div>
          <h3>Preview</h3>
          <RulePreview
            metric={form.metric_name}
            tags={form.tag_filter}
            aggregation={form.aggregation}
            windowSeconds={form.window_seconds}
            threshold={threshold ? form.threshold : ""}
          />
        </div>
      </div>
      <div class="actions">
        <button type="submit" class="btn btn-primary" disabled={busy}>
          {busy ? "Saving…" : editing ? "Save rule" : "Create rule"}
        </button>
        {editing && (
          <button type="button" class="btn" onClick={onDone}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}
