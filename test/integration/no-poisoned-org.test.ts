// "No poisoned organization" (issue 10): whatever sequence of writes an organization receives (valid,
// extreme-but-valid at the documented limits, or invalid), every write answers below 500, and after
// each write every read of that organization answers 2xx and a WebSocket still gets its snapshot.
// One organization per sequence, so a sequence that poisons its organization fails on its own.
//
// To cover a new route, add a row to WRITES (with bodies that are valid, extreme and invalid) or to
// READS (a path built from what the organization holds so far).
import { env, SELF } from "cloudflare:test";
import fc from "fast-check";
import { describe, expect, inject, it } from "vitest";
import { MAX_TIME_MS, MIN_TIME_MS } from "../../src/http/time";
import { METRIC_KEY_MAX, METRIC_KEY_PATTERN, normaliseMetricKey } from "../../src/metrics/model";
import { AGGREGATIONS } from "../../src/streaming/rollup";
import { MAX_METRIC_ABS } from "../../src/http/values";
import { getConfig } from "../../src/config";
import type { Env } from "../../src/env";
import { metricRetentionMs } from "../../src/streaming/store/retention";
import { tokenFor } from "../helpers";
import { accepted, upgrade } from "../realtime/live-client";

const AB = "/api/v1/ab-testing";
const SA = "/api/v1/streaming-analytics";
const SEQUENCES = 200;

/** What an organization holds so far, learned from 2xx answers; reads and later writes pick from it. */
interface OrgState {
  /**
   * `metrics`: keys a timeseries read may ask of the experiment. It names them, or results it
   * accepted carry them; any other key is a 404 by contract, not a poisoned organization.
   */
  experiments: { id: string; key: string; variants: string[]; metrics: string[] }[];
  sources: string[];
  alerts: string[];
  rules: string[];
  events: string[];
  metrics: string[];
  /** Metric catalogue definitions (ids), feature flags, notification channels, silences. */
  definitions: string[];
  flags: string[];
  channels: string[];
  silences: string[];
}

const emptyState = (): OrgState => ({
  experiments: [],
  sources: [],
  alerts: [],
  rules: [],
  events: [],
  metrics: [],
  definitions: [],
  flags: [],
  channels: [],
  silences: [],
});

/** How long metric points are kept (METRIC_RETENTION_DAYS, as the Worker under test reads it). */
const METRIC_KEEP_MS = metricRetentionMs(getConfig(env as Env).retention);

/** Webhook channels post to the suite's real receiver on 127.0.0.1 (test/receiver/global-setup.ts). */
const RECEIVER = inject("receiverUrl");

/** Picks from a list by a generated index; a fixed unknown id when the list is empty (a 404 is fine). */
const pick = (list: readonly string[], n: number): string => list[n % list.length] ?? "missing-id";
/**
 * Whether a name may be asked as `?metric=`. Result names may be longer (up to 200) than keys
 * (128): a query with such a name is a request the contract refuses (400), whatever the
 * organization stored, so it is not a read to ask.
 */
const isQueryableKey = (n: string): boolean =>
  n !== "" && n.length <= METRIC_KEY_MAX && METRIC_KEY_PATTERN.test(n) && normaliseMetricKey(n) === n;
const expId = (s: OrgState, n: number) =>
  pick(
    s.experiments.map((e) => e.id),
    n,
  );
const variantOf = (s: OrgState, n: number) =>
  pick(
    s.experiments.flatMap((e) => e.variants),
    n,
  );

/** A body is a function of the state so that valid writes can name ids the organization holds. */
type Body = (s: OrgState, n: number) => unknown;

interface WriteRoute {
  name: string;
  method: "POST" | "PATCH" | "DELETE";
  path: (s: OrgState, n: number) => string;
  /** Valid, extreme-but-valid and invalid bodies, mixed. */
  body: fc.Arbitrary<Body>;
  /** Learns ids from a 2xx answer. */
  learn?: (s: OrgState, answer: unknown, sent: unknown, path: string) => void;
}

interface ReadRoute {
  name: string;
  paths: (s: OrgState) => string[];
}

// ------------------------------------------------------------------ value generators

const IDX = fc.nat({ max: 1000 });
const constBody = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<Body> => arb.map((v) => () => v);
/** Names with any unicode, up to the documented 200 characters (the API trims; blank ones are 400s). */
const unicodeName = fc.oneof(
  fc.string({ unit: "grapheme", minLength: 1, maxLength: 40 }),
  fc.constantFrom("日本語の名前", "💥🔥", "a".repeat(200), "é".repeat(200), "\u0000x", " "),
);
const key = fc.stringMatching(/^[a-z0-9_-]{1,64}$/);
/** Times as the API takes them: in range, at both documented bounds, and just beyond them. */
const time = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: MIN_TIME_MS, max: MAX_TIME_MS }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      MIN_TIME_MS,
      MAX_TIME_MS,
      new Date(MIN_TIME_MS).toISOString(),
      new Date(MAX_TIME_MS).toISOString(),
      "9999-12-31T23:59:59.999+00:00",
    ),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      MIN_TIME_MS - 1,
      MAX_TIME_MS + 1,
      "9999999999999999",
      8.64e15,
      -1,
      "not a time",
      "+275760-09-13T00:00:00Z",
    ),
  },
);
/** Metric values: ordinary, at the documented ±1e15, and beyond (refused). */
const metricValue = fc.oneof(
  { weight: 3, arbitrary: fc.double({ min: -1e6, max: 1e6, noNaN: true }) },
  { weight: 2, arbitrary: fc.constantFrom(MAX_METRIC_ABS, -MAX_METRIC_ABS, 0, -0, 5e-324, MAX_METRIC_ABS - 0.5) },
  { weight: 1, arbitrary: fc.constantFrom(1.7976931348623157e308, -1e308, MAX_METRIC_ABS * 2) },
);
/** Anything at all, for the invalid side of every route. */
const anyJson: fc.Arbitrary<Body> = constBody(
  fc.oneof(
    fc.jsonValue({ maxDepth: 3 }),
    fc.constantFrom(null, [], "", 1e308, { events: [] }, { metrics: [] }, { results: [] }),
  ),
);
/** Valid bodies of a route, with anything at all mixed in one time in five. */
const bodies = (...valid: fc.Arbitrary<Body>[]): fc.Arbitrary<Body> =>
  fc.oneof({ weight: 4, arbitrary: fc.oneof(...valid) }, { weight: 1, arbitrary: anyJson });

/** A JSON payload up to ~600 KB, under the 1 MB body limit: huge but allowed. */
const payload = fc.oneof(
  { weight: 8, arbitrary: fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }) },
  { weight: 1, arbitrary: fc.constant({ blob: "x".repeat(600_000) }) },
  { weight: 1, arbitrary: fc.constant({ deep: JSON.parse(`${"[".repeat(30)}1${"]".repeat(30)}`) }) },
);
/** Batches of 1 to 5 items, or exactly the 1000-item maximum, or one past it. */
const batchOf = <T>(item: fc.Arbitrary<T>): fc.Arbitrary<T[]> =>
  fc.oneof(
    { weight: 8, arbitrary: fc.array(item, { minLength: 1, maxLength: 5 }) },
    { weight: 1, arbitrary: item.map((v) => Array.from({ length: 1000 }, () => v)) },
    { weight: 1, arbitrary: item.map((v) => Array.from({ length: 1001 }, () => v)) },
  );

const variantsBody = fc.oneof(
  fc.constant([
    { key: "control", variant_type: "control", traffic_percentage: 50 },
    { key: "treat", variant_name: "Treatment ✨", variant_type: "treatment", traffic_percentage: 50 },
  ]),
  fc.constant([
    { key: "control", variant_type: "control", traffic_percentage: 0.01 },
    { key: "treat", variant_type: "treatment", traffic_percentage: 99.99, config: { deep: { a: [1, 2, 3] } } },
  ]),
  fc.constant([
    { key: "control", variant_type: "control", traffic_percentage: 49.999 }, // not exact: 400
    { key: "treat", variant_type: "treatment", traffic_percentage: 50 },
  ]),
  fc.constant(
    Array.from({ length: 50 }, (_, i) => ({
      key: `v${i}`,
      variant_type: i === 0 ? "control" : "treatment",
      traffic_percentage: 2,
    })),
  ),
);

// ------------------------------------------------------------------ the route tables

const experimentAction = (action: string, body: fc.Arbitrary<Body>): WriteRoute => ({
  name: action,
  method: "POST",
  path: (s, n) => `${AB}/experiments/${expId(s, n)}/${action}`,
  body,
});

const WRITES: WriteRoute[] = [
  {
    name: "create experiment",
    method: "POST",
    path: () => `${AB}/experiments`,
    body: bodies(
      fc
        .record({
          key,
          experiment_name: unicodeName,
          variants: variantsBody,
          coverage: fc.constantFrom(100, 0.01, 0, 50),
        })
        .map((b) => () => b),
      fc.record({ key, experiment_name: unicodeName }).map((b) => () => b),
      fc
        .record({ key, experiment_name: unicodeName, status: fc.constant("running") }) // read-only: 400
        .map((b) => () => b),
      // Second round: targeting, layers, schedule, metrics and analysis settings, at their limits.
      fc
        .record({
          key,
          experiment_name: unicodeName,
          variants: variantsBody,
          targeting: fc.constantFrom(
            null,
            { country: { $in: ["DE", "FR"] } },
            { version: { $vgte: "2.1.0" }, $or: [{ plan: "pro" }, { beta: { $exists: true } }] },
            { name: { $regex: "(a+)+$" } }, // catastrophic pattern: 400
            { $bogus: 1 }, // unknown operator: 400
          ),
          namespace: fc.constantFrom(
            null,
            { key: "layer", start: 0, end: 0.5 },
            { key: "layer", start: 0.5, end: 1 },
            { key: "layer", start: 0.7, end: 0.7 }, // empty range: 400
          ),
          scheduled_start_at: fc.option(time, { nil: undefined }),
          scheduled_end_at: fc.option(time, { nil: undefined }),
          secondary_metrics: fc.constantFrom([], ["m1", "revenue"], ["BAD KEY\u0000"]),
          guardrail_metrics: fc.constantFrom([], ["latency"]),
          planned_users_per_variant: fc.constantFrom(undefined, 1, 1_000_000, 0, -5),
          analysis_settings: fc.constantFrom(
            null,
            { engine: "bayesian" },
            { engine: "frequentist", confidence_level: 0.999, sequential: true, cuped: true, correction: "bh" },
            { confidence_level: 1.5 }, // 400
          ),
        })
        .map((b) => () => b),
    ),
    learn: (s, a) => {
      const e = a as {
        id: string;
        key: string;
        variants?: { id: string }[];
        primary_metric?: string | null;
        secondary_metrics?: string[];
        guardrail_metrics?: string[];
      };
      const named = [e.primary_metric ?? [], e.secondary_metrics ?? [], e.guardrail_metrics ?? []].flat();
      s.experiments.push({
        id: e.id,
        key: e.key,
        variants: (e.variants ?? []).map((v) => v.id),
        metrics: named.filter(isQueryableKey),
      });
    },
  },
  {
    name: "patch experiment",
    method: "PATCH",
    path: (s, n) => `${AB}/experiments/${expId(s, n)}`,
    body: bodies(
      constBody(fc.record({ description: fc.string({ maxLength: 100 }) }, { requiredKeys: [] })),
      constBody(fc.record({ coverage: fc.constantFrom(0, 0.01, 100, 100.001, -1) })),
      constBody(fc.constant({ traffic_split: { control: 30, treat: 70 } })),
      constBody(variantsBody.map((variants) => ({ variants }))),
    ),
    learn: (s, a) => {
      const e = a as { id: string; key: string; variants?: { id: string }[] };
      const known = s.experiments.find((x) => x.id === e.id);
      if (known) known.variants = (e.variants ?? []).map((v) => v.id);
    },
  },
  {
    name: "delete experiment",
    method: "DELETE",
    path: (s, n) => `${AB}/experiments/${expId(s, n)}`,
    body: fc.constant(() => undefined),
    learn: (s, _a, _sent, path) => {
      s.experiments = s.experiments.filter((e) => !path.endsWith(`/${e.id}`));
    },
  },
  experimentAction(
    "start",
    fc.constant(() => ({})),
  ),
  experimentAction(
    "pause",
    fc.constant(() => ({})),
  ),
  experimentAction(
    "complete",
    fc.oneof(
      fc.constant((s: OrgState, n: number) => ({ winner_variant_id: variantOf(s, n) })),
      fc.constant(() => ({})),
    ),
  ),
  {
    name: "add variant",
    method: "POST",
    path: (s, n) => `${AB}/experiments/${expId(s, n)}/variants`,
    body: bodies(
      constBody(
        fc.record({
          key,
          variant_name: unicodeName,
          variant_type: fc.constantFrom("treatment", "control"),
          traffic_percentage: fc.constantFrom(0, 0.01, 100, 33.33, 33.333),
          config: payload,
        }),
      ),
    ),
    learn: (s, a, _sent, path) => {
      const v = a as { id: string };
      s.experiments.find((e) => path.includes(`/experiments/${e.id}/`))?.variants.push(v.id);
    },
  },
  {
    name: "assign one",
    method: "POST",
    path: (s, n) => `${AB}/experiments/${expId(s, n)}/assign`,
    body: bodies(constBody(fc.record({ user_id: fc.oneof(unicodeName, fc.constant("u".repeat(256))) }))),
  },
  {
    name: "assign all",
    method: "POST",
    path: () => `${AB}/assign`,
    body: bodies(
      fc.record({ user_id: unicodeName, all: fc.boolean() }).map(
        ({ user_id, all }) =>
          (s: OrgState) =>
            all ? { user_id } : { user_id, experiments: s.experiments.map((e) => e.key) },
      ),
    ),
  },
  {
    name: "record results",
    method: "POST",
    path: (s, n) => `${AB}/experiments/${expId(s, n)}/results`,
    body: bodies(
      fc
        .record({ metric_name: unicodeName, metric_value: metricValue, recorded_at: time, user: fc.boolean() })
        .chain(({ user, ...r }) =>
          batchOf(fc.constant(r)).map((items) => (s: OrgState, n: number) => {
            const one = { ...r, ...(user ? { user_id: "u1" } : { variant_id: variantOf(s, n) }) };
            return items.length === 1 ? one : { results: items.map(() => one) };
          }),
        ),
    ),
    learn: (s, _a, sent, path) => {
      const name = (sent as { metric_name?: string; results?: { metric_name: string }[] }).results?.[0]?.metric_name;
      const metric = name ?? (sent as { metric_name: string }).metric_name;
      const known = s.experiments.find((e) => path.endsWith(`/${e.id}/results`));
      if (known && isQueryableKey(metric) && !known.metrics.includes(metric)) known.metrics.push(metric);
    },
  },
  {
    name: "create source",
    method: "POST",
    path: () => `${SA}/sources`,
    body: bodies(
      constBody(
        fc.record(
          {
            name: unicodeName,
            source_type: fc.constantFrom("kafka", "websocket", "http", "webhook", "ftp"),
            config: payload,
          },
          { requiredKeys: ["name", "source_type"] },
        ),
      ),
    ),
    learn: (s, a) => s.sources.push((a as { id: string }).id),
  },
  {
    name: "patch source",
    method: "PATCH",
    path: (s, n) => `${SA}/sources/${pick(s.sources, n)}`,
    body: bodies(constBody(fc.record({ description: fc.string({ maxLength: 50 }) }))),
  },
  {
    name: "delete source",
    method: "DELETE",
    path: (s, n) => `${SA}/sources/${pick(s.sources, n)}`,
    body: fc.constant(() => undefined),
    learn: (s, _a, _sent, path) => {
      s.sources = s.sources.filter((id) => !path.endsWith(`/${id}`));
    },
  },
  {
    name: "ingest events",
    method: "POST",
    path: () => `${SA}/events`,
    body: bodies(
      fc
        .record(
          {
            event_type: unicodeName,
            payload,
            timestamp: time,
            event_id: fc.string({ minLength: 1, maxLength: 12 }),
            source: fc.boolean(),
          },
          { requiredKeys: ["event_type", "source"] },
        )
        .chain(({ source, ...e }) =>
          batchOf(fc.constant(e)).map((items) => (s: OrgState, n: number) => ({
            // A huge payload goes out once; a 1000-item batch carries small ones (the body limit is 1 MB).
            events: items.map((ev, i) => ({
              ...ev,
              ...(items.length > 1 && "payload" in ev ? { payload: { i } } : {}),
              ...(ev.event_id ? { event_id: `${ev.event_id}-${i}` } : {}),
              ...(source ? { source_id: pick(s.sources, n) } : {}),
            })),
          })),
        ),
    ),
    learn: (s, _a, sent) => {
      for (const e of (sent as { events: { event_id?: string }[] }).events) if (e.event_id) s.events.push(e.event_id);
    },
  },
  {
    name: "process events",
    method: "POST",
    path: () => `${SA}/events/process`,
    body: bodies(
      fc.constant((s: OrgState) => ({ event_ids: s.events.length ? s.events.slice(0, 1000) : ["missing"] })),
    ),
  },
  {
    name: "predictions",
    method: "POST",
    path: () => `${SA}/predictions`,
    body: bodies(
      fc
        .record(
          {
            model_name: unicodeName,
            prediction: fc.jsonValue({ maxDepth: 2 }),
            confidence: fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(0, 1, 1.0000001, -0.1)),
            latency_ms: fc.constantFrom(0, 1e308, 12.5),
            features: payload,
            timestamp: time,
          },
          { requiredKeys: ["model_name", "prediction", "confidence"] },
        )
        .chain((p) =>
          batchOf(fc.constant(p)).map((items) => () => {
            const small = items.length > 1 ? items.map((x) => ({ ...x, features: {} })) : items;
            return small.length === 1 ? small[0] : { predictions: small };
          }),
        ),
    ),
  },
  {
    name: "create alert",
    method: "POST",
    path: () => `${SA}/alerts`,
    body: bodies(
      constBody(
        fc.record(
          {
            severity: fc.constantFrom("info", "warning", "error", "critical", "fatal"),
            title: unicodeName,
            message: fc.oneof(fc.string({ maxLength: 20 }), fc.constant("m".repeat(10_000))),
            fingerprint: fc.constantFrom("fp-1", "fp-2", "指紋"),
          },
          { requiredKeys: ["severity", "title"] },
        ),
      ),
    ),
    learn: (s, a) => {
      const id = (a as { id: string }).id;
      if (!s.alerts.includes(id)) s.alerts.push(id);
    },
  },
  ...(["acknowledge", "resolve"] as const).map(
    (action): WriteRoute => ({
      name: `${action} alert`,
      method: "POST",
      path: (s, n) => `${SA}/alerts/${pick(s.alerts, n)}/${action}`,
      body: bodies(
        constBody(fc.record({ note: fc.oneof(unicodeName, fc.constant("n".repeat(5000))) }, { requiredKeys: [] })),
      ),
    }),
  ),
  {
    name: "create alert rule",
    method: "POST",
    path: () => `${SA}/alert-rules`,
    body: bodies(
      fc
        .record({
          name: unicodeName,
          metric: fc.nat({ max: 10 }),
          aggregation: fc.constantFrom(...AGGREGATIONS),
          window_seconds: fc.constantFrom(10, 60, 31 * 86400, 9),
          operator: fc.constantFrom("gt", "gte", "lt", "lte"),
          threshold: fc.constantFrom(0, -1e15, 1e15, 1e308, 0.5),
          severity: fc.constantFrom("info", "critical"),
          for_seconds: fc.constantFrom(0, 86400, 30),
          no_data: fc.constantFrom(undefined, "keep", "resolve", "alert", "panic"),
          tags: fc.constantFrom(undefined, { region: "eu" }, { "": "x" }),
          anomaly: fc.constantFrom(
            undefined,
            { type: "anomaly", sensitivity: 3, baseline_windows: 30 },
            { type: "anomaly", sensitivity: 0.1, baseline_windows: 2 },
            { type: "anomaly", sensitivity: -1 }, // 400
          ),
        })
        .map(({ metric, anomaly, ...r }) => (s: OrgState) => {
          const rule = { ...r, metric_name: pick(s.metrics, metric).replace("missing-id", "m1") };
          if (!anomaly) return rule;
          const { threshold: _threshold, ...rest } = rule;
          return { ...rest, ...anomaly };
        }),
    ),
    learn: (s, a) => s.rules.push((a as { id: string }).id),
  },
  {
    name: "delete alert rule",
    method: "DELETE",
    path: (s, n) => `${SA}/alert-rules/${pick(s.rules, n)}`,
    body: fc.constant(() => undefined),
    learn: (s, _a, _sent, path) => {
      s.rules = s.rules.filter((id) => !path.endsWith(`/${id}`));
    },
  },
  {
    name: "metrics",
    method: "POST",
    path: () => `${SA}/metrics`,
    body: bodies(
      fc
        .record(
          {
            name: fc.oneof(fc.constantFrom("m1", "latency", "温度"), unicodeName),
            value: metricValue,
            timestamp: time,
            tags: fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
          },
          { requiredKeys: ["name", "value"] },
        )
        .chain((m) =>
          batchOf(fc.constant(m)).map((items) => () => (items.length === 1 ? items[0] : { metrics: items })),
        ),
    ),
    learn: (s, _a, sent) => {
      type Point = { name: string; timestamp?: number | string };
      const items = (sent as { metrics?: Point[] }).metrics ?? [sent as Point];
      // A point older than the metric retention is acknowledged and kept by nothing: it makes no
      // metric (a 404 by contract), so only points inside it (with a day to spare) make one to read.
      const kept = Date.now() - METRIC_KEEP_MS + 86_400_000;
      for (const { name, timestamp } of items) {
        const at =
          timestamp === undefined
            ? Date.now()
            : typeof timestamp === "number"
              ? timestamp
              : /^\d+$/.test(timestamp)
                ? Number(timestamp)
                : Date.parse(timestamp);
        if (at >= kept && !s.metrics.includes(name)) s.metrics.push(name);
      }
    },
  },
  {
    name: "report exposures",
    method: "POST",
    path: () => `${AB}/exposures`,
    body: bodies(
      fc
        .record({ user_id: unicodeName, variant: fc.constantFrom("control", "treat", "v0", "nope"), timestamp: time })
        .chain((x) =>
          batchOf(fc.constant(x)).map((items) => (s: OrgState, n: number) => ({
            exposures: items.map((e, i) => ({
              experiment_key: s.experiments[n % Math.max(1, s.experiments.length)]?.key ?? "missing",
              variant_key: e.variant,
              user_id: `${e.user_id}-${i}`,
              timestamp: e.timestamp,
            })),
          })),
        ),
    ),
  },
  {
    name: "power",
    method: "POST",
    path: () => `${AB}/power`,
    body: bodies(
      constBody(
        fc.record(
          {
            kind: fc.constantFrom("binomial", "mean", "event_mean", "poisson"),
            baseline_mean: fc.constantFrom(0, 0.1, 1, 1e15, -1, 1e308),
            baseline_stddev: fc.constantFrom(0, 1, 1e-300, 1e308),
            mde_relative: fc.constantFrom(0, 1e-9, 0.05, 10),
            alpha: fc.constantFrom(0.05, 0, 1, 1e-12),
            power: fc.constantFrom(0.8, 0.999999, 1),
            variants: fc.constantFrom(2, 50, 1, 1000),
          },
          { requiredKeys: ["kind", "baseline_mean", "mde_relative"] },
        ),
      ),
    ),
  },
  {
    name: "define metric",
    method: "POST",
    path: () => `${AB}/metrics`,
    body: bodies(
      constBody(
        fc.record(
          {
            key: fc.oneof(fc.constantFrom("m1", "revenue", "latency", "温度", "k".repeat(200)), unicodeName),
            name: unicodeName,
            description: fc.oneof(fc.constant(null), fc.string({ maxLength: 30 })),
            kind: fc.constantFrom("binomial", "mean", "event_mean", "median"),
            direction: fc.constantFrom("increase", "decrease"),
            format: fc.constantFrom("number", "percent", "currency"),
            currency: fc.constantFrom("USD", "EUR", "usd", null),
            capping: fc.constantFrom(
              null,
              { type: "absolute", value: 100 },
              { type: "percentile", value: 0.99 },
              { type: "percentile", value: 1.5 },
              { type: "absolute", value: -1e308 },
            ),
          },
          { requiredKeys: ["key"] },
        ),
      ),
    ),
    learn: (s, a) => s.definitions.push((a as { id: string }).id),
  },
  {
    name: "patch metric",
    method: "PATCH",
    path: (s, n) => `${AB}/metrics/${pick(s.definitions, n)}`,
    body: bodies(
      constBody(
        fc.record(
          {
            name: unicodeName,
            direction: fc.constantFrom("increase", "decrease", "sideways"),
            format: fc.constantFrom("number", "currency"),
            capping: fc.constantFrom(null, { type: "absolute", value: 1e15 }),
          },
          { requiredKeys: [] },
        ),
      ),
    ),
  },
  {
    name: "delete metric",
    method: "DELETE",
    path: (s, n) => `${AB}/metrics/${pick(s.definitions, n)}`,
    body: fc.constant(() => undefined),
    learn: (s, _a, _sent, path) => {
      s.definitions = s.definitions.filter((id) => !path.endsWith(`/${id}`));
    },
  },
  {
    name: "create flag",
    method: "POST",
    path: () => `${AB}/flags`,
    body: bodies(
      constBody(
        fc
          .record({
            key,
            description: fc.oneof(fc.constant(null), unicodeName),
            typed: fc.constantFrom(
              { value_type: "boolean", default_value: false, rule: true },
              { value_type: "string", default_value: "", rule: "x".repeat(5000) },
              { value_type: "number", default_value: 0, rule: 1e308 },
              { value_type: "json", default_value: { a: [1, { b: null }] }, rule: [] },
              { value_type: "number", default_value: "not a number", rule: 1 }, // 400
            ),
            enabled: fc.boolean(),
            rollout: fc.constantFrom(0, 0.01, 33.33, 100, 100.5),
            condition: fc.constantFrom(undefined, null, { plan: "pro" }, { $where: "1" }),
            many: fc.boolean(),
          })
          .map(({ typed, rollout, condition, many, ...f }) => ({
            ...f,
            value_type: typed.value_type,
            default_value: typed.default_value,
            rules: Array.from({ length: many ? 50 : 1 }, () => ({
              rollout_percentage: rollout,
              value: typed.rule,
              ...(condition === undefined ? {} : { condition }),
            })),
          })),
      ),
    ),
    learn: (s, a) => s.flags.push((a as { id: string }).id),
  },
  {
    name: "patch flag",
    method: "PATCH",
    path: (s, n) => `${AB}/flags/${pick(s.flags, n)}`,
    body: bodies(
      constBody(fc.record({ enabled: fc.boolean(), description: unicodeName }, { requiredKeys: [] })),
      constBody(fc.constantFrom({ value_type: "string" }, { default_value: 42 }, { rules: [] }, { id: "x" })),
    ),
  },
  {
    name: "delete flag",
    method: "DELETE",
    path: (s, n) => `${AB}/flags/${pick(s.flags, n)}`,
    body: fc.constant(() => undefined),
    learn: (s, _a, _sent, path) => {
      s.flags = s.flags.filter((id) => !path.endsWith(`/${id}`));
    },
  },
  {
    name: "evaluate flags",
    method: "POST",
    path: () => `${AB}/flags/evaluate`,
    body: bodies(
      fc.record({ user_id: unicodeName, attributes: payload, named: fc.boolean() }).map(
        ({ named, ...b }) =>
          () =>
            named ? { ...b, flags: ["a", "b"] } : b,
      ),
    ),
  },
  {
    name: "create channel",
    method: "POST",
    path: () => `${SA}/channels`,
    body: bodies(
      constBody(
        fc.record(
          {
            name: unicodeName,
            type: fc.constantFrom("webhook", "slack", "email"),
            url: fc.constantFrom(
              `${RECEIVER}/poison`,
              "ftp://example.com/x",
              "https://",
              `${RECEIVER}/${"p".repeat(1900)}`,
            ),
            min_severity: fc.constantFrom("info", "critical", "loud"),
            notify_on: fc.constantFrom(["opened"], ["opened", "resolved", "resolved"], [], ["exploded"]),
            enabled: fc.boolean(),
          },
          { requiredKeys: ["name", "type", "url"] },
        ),
      ),
    ),
    learn: (s, a) => s.channels.push((a as { id: string }).id),
  },
  {
    name: "patch channel",
    method: "PATCH",
    path: (s, n) => `${SA}/channels/${pick(s.channels, n)}`,
    body: bodies(
      constBody(fc.record({ name: unicodeName, enabled: fc.boolean() }, { requiredKeys: [] })),
      constBody(fc.constantFrom({ url: "http://169.254.169.254/" }, { type: "slack" }, { notify_on: [] })),
    ),
  },
  {
    name: "test channel",
    method: "POST",
    path: (s, n) => `${SA}/channels/${pick(s.channels, n)}/test`,
    body: fc.constant(() => ({})),
  },
  {
    name: "delete channel",
    method: "DELETE",
    path: (s, n) => `${SA}/channels/${pick(s.channels, n)}`,
    body: fc.constant(() => undefined),
    learn: (s, _a, _sent, path) => {
      s.channels = s.channels.filter((id) => !path.endsWith(`/${id}`));
    },
  },
  {
    name: "create silence",
    method: "POST",
    path: () => `${SA}/silences`,
    body: bodies(
      fc
        .record(
          {
            matchers: fc.constantFrom(
              { fingerprint: "fp-1" },
              { severity: "critical", rule_id: "r1" },
              { source_id: "s".repeat(128) },
              {}, // silences everything: 400
              { severity: "loud" },
            ),
            starts_at: time,
            ends_at: time,
            comment: fc.oneof(unicodeName, fc.constant("c".repeat(2001))),
          },
          { requiredKeys: ["matchers", "ends_at"] },
        )
        .map((b) => () => b),
    ),
    learn: (s, a) => s.silences.push((a as { id: string }).id),
  },
  {
    name: "delete silence",
    method: "DELETE",
    path: (s, n) => `${SA}/silences/${pick(s.silences, n)}`,
    body: fc.constant(() => undefined),
    learn: (s, _a, _sent, path) => {
      s.silences = s.silences.filter((id) => !path.endsWith(`/${id}`));
    },
  },
];

/** Aggregations and windows asked of each known metric, a few per read round. */
const SERIES_QUERIES = [
  "aggregation=avg",
  "aggregation=p99&window=86400&step=3600",
  "aggregation=sum",
  "aggregation=count&window=60",
];

const READS: ReadRoute[] = [
  { name: "experiments", paths: () => [`${AB}/experiments`, `${AB}/experiments?status=running`] },
  {
    name: "one experiment",
    // The two newest: each read round stays cheap however long the sequence.
    paths: (s) =>
      s.experiments
        .slice(-2)
        .flatMap((e) => [
          `${AB}/experiments/${e.id}`,
          `${AB}/experiments/${e.id}/variants`,
          `${AB}/experiments/${e.id}/results`,
          `${AB}/experiments/${e.id}/history`,
          ...e.metrics
            .slice(-1)
            .map((m) => `${AB}/experiments/${e.id}/results/timeseries?metric=${encodeURIComponent(m)}`),
        ]),
  },
  {
    name: "metric catalogue",
    paths: (s) => [`${AB}/metrics`, ...s.definitions.slice(-1).map((id) => `${AB}/metrics/${id}`)],
  },
  {
    name: "flags",
    paths: (s) => [
      `${AB}/flags`,
      ...s.flags.slice(-1).flatMap((id) => [`${AB}/flags/${id}`, `${AB}/flags/${id}/history`]),
    ],
  },
  {
    name: "channels",
    paths: (s) => [
      `${SA}/channels`,
      ...s.channels.slice(-1).flatMap((id) => [`${SA}/channels/${id}`, `${SA}/channels/${id}/deliveries`]),
    ],
  },
  { name: "silences", paths: () => [`${SA}/silences`] },
  { name: "me", paths: () => ["/api/v1/me"] },
  { name: "config", paths: () => [`${AB}/config`] },
  { name: "sources", paths: (s) => [`${SA}/sources`, ...s.sources.slice(-1).map((id) => `${SA}/sources/${id}`)] },
  { name: "events", paths: () => [`${SA}/events?limit=500`] },
  { name: "predictions", paths: () => [`${SA}/predictions`, `${SA}/models`, `${SA}/models?window=604800`] },
  { name: "alerts", paths: (s) => [`${SA}/alerts`, ...s.alerts.slice(-1).map((id) => `${SA}/alerts/${id}`)] },
  { name: "alert rules", paths: () => [`${SA}/alert-rules`] },
  {
    name: "metrics",
    paths: (s) => [
      `${SA}/metrics`,
      ...s.metrics.slice(-2).flatMap((m) => SERIES_QUERIES.map((q) => `${SA}/metrics/${encodeURIComponent(m)}?${q}`)),
    ],
  },
  { name: "dashboard", paths: () => [`${SA}/dashboard`] },
];

// ------------------------------------------------------------------ the property

interface Op {
  route: WriteRoute;
  n: number;
  body: Body;
}

/** An op prints as its route's name and index, so a counterexample reads as a list of writes. */
const named = (o: Op): Op => Object.assign(o, { [fc.toStringMethod]: () => `${o.route.name}#${o.n}` });

const op: fc.Arbitrary<Op> = fc.oneof(
  ...WRITES.map((route) => fc.record({ route: fc.constant(route), n: IDX, body: route.body }).map(named)),
);

/**
 * Most sequences are short, since the read round after each write is the cost; about one in fifty
 * runs 20 to 50 writes, so that long histories (and lists that page) are covered every run.
 */
const sequence = fc.oneof(
  { weight: 49, arbitrary: fc.array(op, { minLength: 1, maxLength: 4 }) },
  { weight: 1, arbitrary: fc.array(op, { minLength: 20, maxLength: 50 }) },
);

let orgCounter = 0;
/** What the generated runs did, so the test can check it exercised both accepted and refused writes. */
const tally = { sequences: 0, writes: 0, accepted: 0, refused: 0, reads: 0, series: 0, snapshots: 0 };

async function call(token: string, method: string, path: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = { Authorization: `Bearer ${token}` };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  return SELF.fetch(`https://edge.test${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** Every read of the organization, concurrently, and a socket's first frame: all must succeed. */
async function expectReadable(token: string, s: OrgState, trail: string[]): Promise<void> {
  const paths = READS.flatMap((r) => r.paths(s));
  tally.reads += paths.length;
  tally.series += paths.filter((p) => p.includes("/results/timeseries?")).length;
  const answers = await Promise.all(
    paths.map(async (path) => {
      const res = await call(token, "GET", path);
      const text = await res.text();
      return { path, status: res.status, text };
    }),
  );
  for (const a of answers) {
    expect(a.status, `GET ${a.path} after\n${trail.join("\n")}\n${a.text.slice(0, 500)}`).toBeLessThan(300);
    expect(a.status).toBeGreaterThanOrEqual(200);
  }
  const socket = await accepted(await upgrade("", { Authorization: `Bearer ${token}` }));
  try {
    const first = await socket.next("snapshot");
    expect(first.type).toBe("snapshot");
    expect(socket.of("error"), `socket errors after\n${trail.join("\n")}`).toEqual([]);
    expect(socket.invalid).toEqual([]);
  } finally {
    socket.close();
  }
  tally.snapshots++;
}

async function runSequence(ops: readonly Op[]): Promise<void> {
  const org = `poison-${++orgCounter}`;
  const token = await tokenFor(org);
  const state = emptyState();
  const trail: string[] = [];
  tally.sequences++;
  for (const { route, n, body } of ops) {
    const path = route.path(state, n);
    const sent = route.method === "DELETE" ? undefined : body(state, n);
    const res = await call(token, route.method, path, sent);
    const text = await res.text();
    trail.push(`${route.method} ${path} ${JSON.stringify(sent)?.slice(0, 200)} -> ${res.status}`);
    expect(res.status, `${trail.join("\n")}\n${text.slice(0, 500)}`).toBeLessThan(500);
    tally.writes++;
    if (res.status < 300) tally.accepted++;
    else tally.refused++;
    if (res.status < 300 && route.learn) route.learn(state, text ? JSON.parse(text) : null, sent, path);
    await expectReadable(token, state, trail);
  }
}

/** A fixed write, for the reproductions below. */
const fixed = (name: string, body: unknown): Op => {
  const route = WRITES.find((w) => w.name === name);
  if (!route) throw new Error(`no write route '${name}'`);
  return named({ route, n: 0, body: () => body });
};

/** FINDINGS.md, "Reliability and security": the writes that used to break an organization's reads. */
const FINDINGS_REPRODUCTION: Op[] = [
  fixed("metrics", { name: "m1", value: 1, timestamp: "9999999999999999" }),
  fixed("metrics", {
    metrics: [
      { name: "okm", value: 5 },
      { name: "badm", value: 1, timestamp: "9999999999999999" },
    ],
  }),
  fixed("metrics", { name: "big", value: 1.7976931348623157e308 }),
  fixed("metrics", { name: "big", value: 1.7976931348623157e308 }),
  fixed("ingest events", { events: [{ event_type: "t", timestamp: "9999999999999999" }] }),
  fixed("predictions", { model_name: "m", prediction: 1, confidence: 0.5, timestamp: "9999999999999999" }),
];

/**
 * A started experiment with a primary metric and results under a second key: both timeseries reads
 * are asked in every run, since random sequences reach them only now and then (most random
 * experiment bodies are refused).
 */
const TIMESERIES_EXAMPLE: Op[] = [
  fixed("create experiment", { key: "series", experiment_name: "Series", primary_metric: "m1" }),
  fixed("start", {}),
  fixed("record results", { metric_name: "revenue", metric_value: 3, user_id: "u1" }),
];

/** A point dated at the contract's earliest time: acknowledged, older than any retention, no metric. */
const ANCIENT_POINT: Op[] = [fixed("metrics", { name: "-", value: 0, timestamp: MIN_TIME_MS })];

describe("no poisoned organization", () => {
  it("the FINDINGS reproduction is refused and leaves every read working", async () => {
    const token = await tokenFor("poison-findings");
    const statuses: number[] = [];
    for (const { route, body } of FINDINGS_REPRODUCTION) {
      const res = await call(token, route.method, route.path(emptyState(), 0), body(emptyState(), 0));
      statuses.push(res.status);
      await res.arrayBuffer();
      await expectReadable(token, emptyState(), [route.name]);
    }
    // Every one of them is a 400 (out-of-range time or value), and the mixed batch stored nothing.
    expect(statuses).toEqual([400, 400, 400, 400, 400, 400]);
    const metrics = (await (await call(token, "GET", `${SA}/metrics`)).json()) as { items: unknown[] };
    expect(metrics.items).toEqual([]);
  });

  it(`${SEQUENCES} generated write sequences: writes never 5xx, reads and the socket snapshot always 2xx`, async () => {
    await fc.assert(fc.asyncProperty(sequence, runSequence), {
      numRuns: SEQUENCES,
      examples: [[FINDINGS_REPRODUCTION], [TIMESERIES_EXAMPLE], [ANCIENT_POINT]],
    });
    console.info(`no-poisoned-org: ${JSON.stringify(tally)}`);
    expect(tally.sequences).toBeGreaterThanOrEqual(SEQUENCES);
    // The generators reach both sides: a run that only ever wrote valid (or only invalid) bodies proves little.
    expect(tally.accepted).toBeGreaterThan(SEQUENCES / 4);
    expect(tally.refused).toBeGreaterThan(SEQUENCES / 4);
    // Experiment timeseries are asked only of metrics an experiment knows; some runs must get there.
    expect(tally.series).toBeGreaterThanOrEqual(2);
  }, 600_000);
});
