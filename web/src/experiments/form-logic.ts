/**
 * The experiment form's pure rules: the key derived from the name, the percentage a new variant
 * row gets, the one-control rule, plain-language messages with field labels, and which errors a
 * change clears. No Preact here, so test/unit/experiment-form.test.ts checks each rule as a table.
 */
import {
  FULL_BASIS_POINTS,
  KEY_MAX_LENGTH,
  KEY_PATTERN,
  percentBasisPoints,
  type VariantType,
} from "../../../src/experiments/model";
import { NAMESPACE_KEY_PATTERN } from "../../../src/targeting/model";
import { foldConditionErrors, keepUnfixed, PERCENT_TEXT } from "../ui/form-errors";

/** One variant row as typed (numbers stay text until submit, so a half-typed "33." is kept). */
export interface VariantDraft {
  /** Present for variants already stored. */
  id?: string;
  key: string;
  variant_name: string;
  variant_type: VariantType;
  traffic_percentage: string;
  model_version: string;
  /** JSON object text; parsed on submit. */
  config: string;
}

/**
 * "Checkout button — Café v2" → "checkout_button_cafe_v2": accents dropped, every run of other
 * characters one underscore, trimmed, cut to the key length. Empty when nothing usable is left.
 */
export function deriveKey(name: string): string {
  const key = name
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, KEY_MAX_LENGTH)
    .replace(/_+$/, "");
  return KEY_PATTERN.test(key) ? key : "";
}

/** A typed percentage in basis points; 0 for a blank or unusable box (the sum then shows it short). */
const basisPoints = (text: string): number => {
  const n = Number(text.trim());
  return text.trim() === "" ? 0 : (percentBasisPoints(n) ?? Math.max(0, Math.round(n * 100) || 0));
};

/** The rows' sum, exact in basis points (33.33 + 33.33 + 33.34 is exactly 100). */
export const percentSum = (variants: readonly VariantDraft[]): number =>
  variants.reduce((sum, v) => sum + basisPoints(v.traffic_percentage), 0) / 100;

/** What a new row gets: whatever the others leave of 100%, never below 0. */
export function remainingPercent(variants: readonly VariantDraft[]): string {
  const used = variants.reduce((sum, v) => sum + basisPoints(v.traffic_percentage), 0);
  return String(Math.max(0, FULL_BASIS_POINTS - used) / 100);
}

/** Even split with the remainder on the first variant, in hundredths of a percent. */
export function evenSplit(n: number): string[] {
  const base = Math.floor(FULL_BASIS_POINTS / n);
  return Array.from({ length: n }, (_, i) => String((base + (i === 0 ? FULL_BASIS_POINTS - base * n : 0)) / 100));
}

/** A new row: the first is the control, later ones treatments named by their position. */
export function newVariant(existing: readonly VariantDraft[]): VariantDraft {
  const index = existing.length;
  const taken = new Set(existing.map((v) => v.key));
  let n = index;
  while (taken.has(`treatment_${n}`)) n++;
  const isControl = !existing.some((v) => v.variant_type === "control");
  return {
    key: isControl && !taken.has("control") ? "control" : `treatment_${n}`,
    variant_name: isControl ? "Control" : `Treatment ${n}`,
    variant_type: isControl ? "control" : "treatment",
    traffic_percentage: index === 0 ? "100" : remainingPercent(existing),
    model_version: "",
    config: "",
  };
}

/**
 * Picking a type for row `index`. Making a row the control makes the previous control a treatment,
 * so the form never holds two controls; making the control a treatment is allowed and then caught
 * by validateDraft ("choose the control"), because guessing which row should take over would surprise.
 */
export function setVariantType(variants: readonly VariantDraft[], index: number, type: VariantType): VariantDraft[] {
  return variants.map((v, i) => {
    if (i === index) return { ...v, variant_type: type };
    if (type === "control" && v.variant_type === "control") return { ...v, variant_type: "treatment" };
    return v;
  });
}

/** Removing a row; when it was the control, the first remaining row becomes the control. */
export function removeVariant(variants: readonly VariantDraft[], index: number): VariantDraft[] {
  const removed = variants[index];
  const rest = variants.filter((_, i) => i !== index);
  if (removed?.variant_type !== "control" || rest.length === 0 || rest.some((v) => v.variant_type === "control"))
    return rest;
  return rest.map((v, i) => (i === 0 ? { ...v, variant_type: "control" } : v));
}

/** Why the rows cannot start, or null: used for the badge and, for the control, to refuse submitting. */
export function controlProblem(variants: readonly VariantDraft[]): string | null {
  const controls = variants.filter((v) => v.variant_type === "control").length;
  if (variants.length === 0) return null;
  if (controls === 0) return "Choose which variant is the control.";
  if (controls > 1) return `Only one variant can be the control (${controls} are).`;
  return null;
}

/** What the form checks itself, before the server does, in the same paths the server reports. */
export interface DraftFields {
  experiment_name: string;
  key: string;
  coverage: string;
  variants: readonly VariantDraft[];
}

const isObjectJson = (text: string): boolean => {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed);
  } catch {
    return false;
  }
};

const KEY_TEXT = `Use 1-${KEY_MAX_LENGTH} lowercase letters, digits, _ or -.`;

/** Every problem the form can name without the server, keyed by API path. */
export function validateDraft(d: DraftFields, checkVariants = true): Record<string, string> {
  const out: Record<string, string> = {};
  if (!d.experiment_name.trim()) out.experiment_name = "Enter a name.";
  if (!KEY_PATTERN.test(d.key.trim())) out.key = d.key.trim() ? KEY_TEXT : "Enter a key.";
  if (d.coverage.trim() === "" || percentBasisPoints(Number(d.coverage)) === null) out.coverage = PERCENT_TEXT;
  if (!checkVariants) return out;
  const seen = new Set<string>();
  d.variants.forEach((v, i) => {
    const p = `variants.${i}`;
    const key = v.key.trim();
    if (!KEY_PATTERN.test(key)) out[`${p}.key`] = key ? KEY_TEXT : "Enter a key.";
    else if (seen.has(key)) out[`${p}.key`] = `Another variant already uses the key "${key}".`;
    seen.add(key);
    if (v.traffic_percentage.trim() === "" || percentBasisPoints(Number(v.traffic_percentage)) === null)
      out[`${p}.traffic_percentage`] = PERCENT_TEXT;
    if (v.config.trim() && !isObjectJson(v.config)) out[`${p}.config`] = 'Enter a JSON object, like {"color": "blue"}.';
  });
  const control = controlProblem(d.variants);
  if (control) out.variants = control;
  return out;
}

/**
 * After an edit: an error whose field is now valid goes away, one still wrong keeps the current
 * local message; a server-only error stays until its own field changes (the server is not asked
 * on every keystroke).
 */
export const reconcileErrors = (
  shown: Record<string, string>,
  local: Record<string, string>,
  changed: string,
): Record<string, string> => keepUnfixed(shown, local, (path) => LOCALLY_CHECKED.test(path), changed);
// Paths validateDraft covers: when it no longer reports them, they are fixed.
// (The targeting condition is not: the form checks only that it is a JSON object, the server what it means.)
const LOCALLY_CHECKED =
  /^(experiment_name|key|coverage|variants|variants\.\d+\.(key|traffic_percentage|config)|namespace\.(key|start|end)|scheduled_(start|end)_at)$/;

const FIELD_LABELS: Record<string, string> = {
  experiment_name: "Name",
  key: "Key",
  primary_metric: "Primary metric",
  secondary_metrics: "Secondary metrics",
  guardrail_metrics: "Guardrail metrics",
  coverage: "Coverage",
  hypothesis: "Hypothesis",
  description: "Description",
  seed: "Seed",
  variants: "Variants",
  traffic_split: "Traffic split",
  targeting: "Targeting",
  namespace: "Namespace",
  scheduled_start_at: "Scheduled start",
  scheduled_end_at: "Scheduled end",
};
const NAMESPACE_LABELS: Record<string, string> = {
  key: "Namespace",
  start: "Namespace range start",
  end: "Namespace range end",
};
const VARIANT_LABELS: Record<string, string> = {
  key: "key",
  variant_name: "name",
  variant_type: "type",
  traffic_percentage: "traffic %",
  model_version: "model version",
  config: "config",
};

/** "variants.2.config" → "Variant 3 config"; "" (the whole request) → "Form". */
export function fieldLabel(path: string): string {
  const variant = /^variants\.(\d+)(?:\.(\w+))?/.exec(path);
  if (variant) {
    const n = Number(variant[1]) + 1;
    return variant[2] ? `Variant ${n} ${VARIANT_LABELS[variant[2]] ?? variant[2].replace(/_/g, " ")}` : `Variant ${n}`;
  }
  const ns = /^namespace\.(key|start|end)$/.exec(path);
  if (ns?.[1]) return NAMESPACE_LABELS[ns[1]] ?? "Namespace";
  const metric = /^(secondary_metrics|guardrail_metrics)\.(\d+)/.exec(path);
  if (metric?.[1]) return `${FIELD_LABELS[metric[1]]} (${Number(metric[2]) + 1})`;
  const head = path.split(".")[0] ?? "";
  return FIELD_LABELS[head] ?? (head ? head.replace(/_/g, " ") : "Form");
}

/**
 * Who may enter and when, as typed: the targeting condition as JSON text (blank: everyone), the
 * namespace as its key and a range of the namespace's hash in [0, 1) (all blank: none), and the
 * schedule as `datetime-local` values in the browser's time zone (blank: none).
 */
export interface AudienceDraft {
  targeting: string;
  namespace_key: string;
  namespace_start: string;
  namespace_end: string;
  scheduled_start: string;
  scheduled_end: string;
}

export interface AudienceBody {
  targeting: Record<string, unknown> | null;
  namespace: { key: string; start: number; end: number } | null;
  scheduled_start_at: number | null;
  scheduled_end_at: number | null;
}

const pad = (n: number) => String(n).padStart(2, "0");

/** An API time (ISO) as a `datetime-local` value in the browser's zone; blank for none. */
export function localInputOf(iso: string | null | undefined): string {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

const LOCAL_INPUT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/;

/** A `datetime-local` value (the browser's zone) as epoch ms; null when blank or not a time. */
export function epochOfLocalInput(text: string): number | null {
  if (!LOCAL_INPUT.test(text)) return null;
  const ms = new Date(text).getTime();
  return Number.isNaN(ms) ? null : ms;
}

export const audienceDraftOf = (e: {
  targeting: Record<string, unknown> | null;
  namespace: { key: string; start: number; end: number } | null;
  scheduled_start_at: string | null;
  scheduled_end_at: string | null;
}): AudienceDraft => ({
  targeting: e.targeting === null ? "" : JSON.stringify(e.targeting, null, 2),
  namespace_key: e.namespace?.key ?? "",
  namespace_start: e.namespace ? String(e.namespace.start) : "",
  namespace_end: e.namespace ? String(e.namespace.end) : "",
  scheduled_start: localInputOf(e.scheduled_start_at),
  scheduled_end: localInputOf(e.scheduled_end_at),
});

export const EMPTY_AUDIENCE: AudienceDraft = {
  targeting: "",
  namespace_key: "",
  namespace_start: "",
  namespace_end: "",
  scheduled_start: "",
  scheduled_end: "",
};

const fraction = (text: string): number | null => {
  const n = text.trim() === "" ? Number.NaN : Number(text);
  return Number.isFinite(n) && n >= 0 && n <= 1 ? n : null;
};

/**
 * The audience fields of the request, and what the form can name without the server, by API path.
 * The condition's meaning (operators, operand types, a `$regex` that could hang) is the server's
 * to check: it answers `400` naming `targeting.<path>`, shown at the targeting field.
 */
export function audienceBody(d: AudienceDraft): { body: AudienceBody; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  let targeting: Record<string, unknown> | null = null;
  if (d.targeting.trim() !== "") {
    if (isObjectJson(d.targeting)) targeting = JSON.parse(d.targeting) as Record<string, unknown>;
    else errors.targeting = 'Enter a JSON object, such as {"country": {"$in": ["FR", "DE"]}}, or leave it blank.';
  }
  let namespace: AudienceBody["namespace"] = null;
  const nsTyped = [d.namespace_key, d.namespace_start, d.namespace_end].some((t) => t.trim() !== "");
  if (nsTyped) {
    const key = d.namespace_key.trim();
    const start = fraction(d.namespace_start);
    const end = fraction(d.namespace_end);
    if (!NAMESPACE_KEY_PATTERN.test(key)) errors["namespace.key"] = key ? KEY_TEXT : "Enter the namespace's key.";
    if (start === null) errors["namespace.start"] = "Enter where the range starts, from 0 to 1 (e.g. 0).";
    if (end === null) errors["namespace.end"] = "Enter where the range ends, from 0 to 1 (e.g. 0.5).";
    else if (start !== null && end <= start) errors["namespace.end"] = "The range must end after it starts.";
    if (start !== null && end !== null) namespace = { key, start, end };
  }
  const start = d.scheduled_start.trim() === "" ? null : epochOfLocalInput(d.scheduled_start);
  const end = d.scheduled_end.trim() === "" ? null : epochOfLocalInput(d.scheduled_end);
  if (d.scheduled_start.trim() !== "" && start === null) errors.scheduled_start_at = "Enter a date and time.";
  if (d.scheduled_end.trim() !== "" && end === null) errors.scheduled_end_at = "Enter a date and time.";
  else if (start !== null && end !== null && end <= start)
    errors.scheduled_end_at = "The end must come after the start.";
  return { body: { targeting, namespace, scheduled_start_at: start, scheduled_end_at: end }, errors };
}

/**
 * What a PATCH sends of the audience: a schedule time only when its field changed. The field shows
 * minutes, so an untouched one sent back would move a stored time that has seconds, and on a
 * started experiment a changed start is a 409 (it could never act).
 */
export function audiencePatch(body: AudienceBody, d: AudienceDraft, initial: AudienceDraft): Partial<AudienceBody> {
  const { scheduled_start_at, scheduled_end_at, ...rest } = body;
  return {
    ...rest,
    ...(d.scheduled_start !== initial.scheduled_start ? { scheduled_start_at } : {}),
    ...(d.scheduled_end !== initial.scheduled_end ? { scheduled_end_at } : {}),
  };
}

/**
 * Server errors inside the condition (`targeting.age.$gt`) belong to the one targeting field; the
 * inner path stays in the message.
 */
export const audienceErrors = (errors: Record<string, string>): Record<string, string> =>
  foldConditionErrors(errors, /^(targeting)\.(.+)$/);

/** An experiment as the namespace check needs it. */
export interface NamespaceMember {
  id: string;
  experiment_name: string;
  status: string;
  namespace: { key: string; start: number; end: number } | null;
}

export interface NamespaceNeighbour {
  name: string;
  status: string;
  start: number;
  end: number;
  /** Its range shares part of [start, end) typed: the two would share users. */
  overlaps: boolean;
}

/** The namespace key to list neighbours for: the typed key once it is a valid one, else null. */
export function namespaceQueryKey(d: Pick<AudienceDraft, "namespace_key">): string | null {
  const key = d.namespace_key.trim();
  return NAMESPACE_KEY_PATTERN.test(key) ? key : null;
}

/**
 * The other experiments in the namespace being typed, by where their range starts, each marked when
 * it overlaps the typed range (GrowthBook's namespace picker shows the same). Completed experiments
 * no longer enrol anyone and are left out. Empty while the key or the range is incomplete.
 */
export function namespaceNeighbours(
  experiments: readonly NamespaceMember[],
  selfId: string | null,
  d: Pick<AudienceDraft, "namespace_key" | "namespace_start" | "namespace_end">,
): NamespaceNeighbour[] {
  const key = d.namespace_key.trim();
  if (!key) return [];
  const start = fraction(d.namespace_start);
  const end = fraction(d.namespace_end);
  return experiments
    .filter((e) => e.id !== selfId && e.status !== "completed" && e.namespace?.key === key)
    .map((e) => {
      const ns = e.namespace as { start: number; end: number };
      return {
        name: e.experiment_name,
        status: e.status,
        start: ns.start,
        end: ns.end,
        overlaps: start !== null && end !== null && start < ns.end && ns.start < end,
      };
    })
    .sort((a, b) => a.start - b.start || a.end - b.end);
}
