import { DurableObject } from "cloudflare:workers";
import { getConfig } from "../config";
import { eraseObject } from "./store/erase";
import type { Env } from "../env";
import { LiveHub } from "./live/hub";
import type { AlertInT, AlertRuleInT, EventInT, MetricInT, PredictionInT, SourceInT, SourcePatchT } from "./schemas";
import { createAlert, getAlertOut, transitionAlert } from "./service-alerts";
import { RETENTION_INTERVAL_MS, RULE_INTERVAL_MS, runAlarm } from "./service-alarm";
import { ingestEvents, ingestMetrics, ingestPredictions, processEvents } from "./service-ingest";
import {
  alertPage,
  dashboard,
  eventPage,
  listMetrics,
  metricSeries,
  predictionPage,
  type SeriesQuery,
} from "./service-read";
import { createAlertRule, deleteAlertRule, listAlertRules } from "./service-rules";
import { addSource, patchSource, removeSource, sourceById, sourceList } from "./service-sources";
import { type LivePublisher, type OrgContext, ok } from "./service-types";
import type { AlertFilter } from "./store/alerts";
import type { EventFilter } from "./store/events";
import type { PredictionFilter } from "./store/predictions";
import { migrate } from "./store/schema";

/**
 * One per organization (reached with `ORG.getByName(org)`; the Worker has already authenticated
 * and authorized the caller). Thin on purpose: every method delegates to a service function over
 * the SQLite store, and nothing needed for correctness is kept in memory — the object may be
 * evicted or hibernate between any two calls. Expected failures are returned as values
 * (`Result`), because exceptions lose their class crossing RPC.
 */
export class OrgObject extends DurableObject<Env> {
  /** Read once per call. Tests pin it to step rules and retention through time. */
  clock: () => number = () => Date.now();
  /** Where every durable write is announced (the hub; tests may swap in a recorder). */
  live: LivePublisher;
  /** Only an optimization (skip getAlarm); after eviction it is false again and we re-check. */
  private alarmChecked = false;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    void ctx.blockConcurrencyWhile(async () => {
      migrate(ctx.storage);
    });
    // ---- live (issue 5 realtime) ----
    this.hub = new LiveHub(ctx, () => this.dashboard());
    this.live = this.hub;
    // ---- end live ----
  }

  // ---- live (issue 5 realtime): socket hooks, all delegated to the hub ----
  /** The organization's sockets; `live` is the same object seen as a publisher (tests may swap it). */
  readonly hub: LiveHub;

  /** Only WebSocket upgrades come through fetch (sockets cannot travel over RPC); the Worker authenticated them. */
  override async fetch(request: Request): Promise<Response> {
    return this.hub.fetch(request);
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    await this.hub.onMessage(ws, message);
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string, wasClean: boolean): Promise<void> {
    this.hub.onClose(ws, code, reason, wasClean);
  }

  override async webSocketError(ws: WebSocket, error: unknown): Promise<void> {
    this.hub.onError(ws, error);
  }
  // ---- end live ----

  private context(): OrgContext {
    return {
      sql: this.ctx.storage.sql,
      storage: this.ctx.storage,
      now: this.clock(),
      retention: getConfig(this.env).retention,
      publish: (message) => this.live.publish(message),
    };
  }

  /** Every write path ends here: retention (and rules) depend on the alarm being set. */
  private async armAlarm(soon = false): Promise<void> {
    if (this.alarmChecked && !soon) return;
    const want = this.clock() + (soon ? RULE_INTERVAL_MS : RETENTION_INTERVAL_MS);
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > want) await this.ctx.storage.setAlarm(want);
    this.alarmChecked = true;
  }

  override async alarm(): Promise<void> {
    const { next } = runAlarm(this.context(), this.hub.connectionCount());
    if (next !== null) {
      await this.ctx.storage.setAlarm(next);
      return;
    }
    // Idle: no alarm until the next write, which must therefore look again.
    this.alarmChecked = false;
  }

  // Sources
  createSource(input: SourceInT) {
    return addSource(this.context(), input);
  }
  listSources() {
    return sourceList(this.context());
  }
  getSource(id: string) {
    return sourceById(this.context(), id);
  }
  updateSource(id: string, patch: SourcePatchT) {
    return patchSource(this.context(), id, patch);
  }
  deleteSource(id: string) {
    return removeSource(this.context(), id);
  }

  // Events and predictions
  async ingestEvents(events: EventInT[]) {
    const result = ingestEvents(this.context(), events);
    await this.armAlarm();
    return result;
  }
  /** Bench baseline: the same RPC with the same batch, storing nothing. */
  ingestEventsNoop(events: EventInT[]) {
    return ok({ accepted: events.length, duplicates: 0 });
  }
  listEvents(filter: EventFilter) {
    return eventPage(this.context(), filter);
  }
  processEvents(ids: string[]) {
    return processEvents(this.context(), ids);
  }
  async ingestPredictions(predictions: PredictionInT[]) {
    const stored = ingestPredictions(this.context(), predictions);
    await this.armAlarm();
    return stored;
  }
  listPredictions(filter: PredictionFilter) {
    return predictionPage(this.context(), filter);
  }

  // Alerts and rules
  async createAlert(input: AlertInT) {
    const result = createAlert(this.context(), input);
    await this.armAlarm();
    return result;
  }
  listAlerts(filter: AlertFilter) {
    return alertPage(this.context(), filter);
  }
  getAlert(id: string) {
    return getAlertOut(this.context(), id);
  }
  transitionAlert(id: string, action: "acknowledge" | "resolve", by: string, note?: string) {
    return transitionAlert(this.context(), id, action, by, note);
  }
  async createAlertRule(input: AlertRuleInT) {
    const rule = createAlertRule(this.context(), input);
    await this.armAlarm(true);
    return rule;
  }
  listAlertRules() {
    return listAlertRules(this.context());
  }
  deleteAlertRule(id: string) {
    return deleteAlertRule(this.context(), id);
  }

  // Metrics and dashboard
  async ingestMetrics(points: MetricInT[]) {
    const result = ingestMetrics(this.context(), points);
    await this.armAlarm();
    return result;
  }
  listMetrics() {
    return listMetrics(this.context());
  }
  metricSeries(name: string, query: SeriesQuery) {
    return metricSeries(this.context(), name, query);
  }
  dashboard() {
    return dashboard(this.context());
  }

  async ping(): Promise<string> {
    return "pong";
  }

  /** DELETE /orgs/:org/data: everything this organization stored here. */
  async eraseAll(): Promise<void> {
    await eraseObject(this.ctx);
    this.alarmChecked = false;
  }
}
