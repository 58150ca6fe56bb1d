import type { AlertAction } from "./model";
import { DurableObject } from "cloudflare:workers";
import { getConfig } from "../config";
import { BaselineCache } from "./baseline-cache";
import { eraseObject } from "./store/erase";
import type { Env } from "../env";
import { LiveHub } from "./live/hub";
import type {
  AlertInT,
  AlertRuleInT,
  AlertRulePatchT,
  EventInT,
  MetricInT,
  PredictionInT,
  SourceInT,
  SourcePatchT,
} from "./schemas";
import { createAlert, getAlertOut, transitionAlert } from "./service-alerts";
import { BACKLOG_INTERVAL_MS, RETENTION_INTERVAL_MS, RULE_INTERVAL_MS, runAlarm } from "./service-alarm";
import { ingestEvents, ingestMetrics, ingestPredictions, processEvents } from "./service-ingest";
import {
  alertPage,
  dashboard,
  eventPage,
  metricList,
  metricSeries,
  type ModelsQuery,
  modelsSummary,
  predictionPage,
  type SeriesQuery,
} from "./service-read";
import { createAlertRule, deleteAlertRule, getAlertRule, listAlertRules, patchAlertRule } from "./service-rules";
import { addSource, patchSource, removeSource, sourceById, sourceList } from "./service-sources";
import { fail, type LivePublisher, type OrgContext, ok } from "./service-types";
import type { PageFilter } from "./store/sql";
import type { AlertFilter } from "./store/alerts";
import type { EventFilter } from "./store/events";
import { backfillMarker, type PredictionFilter } from "./store/predictions";
import { nextDueAt } from "./store/deliveries";
import { migrate } from "./store/schema";
import { eventRetentionMs } from "./store/retention";
import { presentDelivery } from "./notify/present";
import type { ChannelInT, ChannelPatchT, SilenceInT } from "./notify/schemas";
import { Outbox } from "./notify/sender";
import {
  channelById,
  channelList,
  createChannel,
  createSilence,
  deliveryPage,
  type NotifyContext,
  patchChannel,
  queueTestDelivery,
  removeChannel,
  removeSilence,
  silenceList,
} from "./notify/service";

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
  /** Retry jitter (tests pin it). */
  random: () => number = () => Math.random();
  /** Sends due notification deliveries from the alarm, within the in-flight bound. */
  readonly outbox: Outbox;
  /** Only an optimization (skip getAlarm); after eviction it is false again and we re-check. */
  private alarmChecked = false;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    void ctx.blockConcurrencyWhile(async () => {
      migrate(ctx.storage);
      // Predictions from before the model rollups (schema V5) are folded in by the alarm: bring it close.
      if (backfillMarker(ctx.storage.sql) !== null) {
        const soon = Date.now() + BACKLOG_INTERVAL_MS;
        const current = await ctx.storage.getAlarm();
        if (current === null || current > soon) await ctx.storage.setAlarm(soon);
      }
    });
    this.outbox = new Outbox({
      storage: ctx.storage,
      now: () => this.clock(),
      random: () => this.random(),
      allowHttpLocalhost: getConfig(env).allowHttpLocalhostChannels,
      fetch: (input, init) => fetch(input, init),
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

  /** Anomaly rules' baseline windows between evaluations (baseline-cache.ts): memory only. */
  protected readonly baselines = new BaselineCache();

  protected context(): OrgContext {
    return {
      sql: this.ctx.storage.sql,
      storage: this.ctx.storage,
      now: this.clock(),
      retention: getConfig(this.env).retention,
      publish: (message) => this.live.publish(message),
      listening: () => this.live.listening(),
      baselines: this.baselines,
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

  private notifyContext(): NotifyContext {
    return { ...this.context(), allowHttpLocalhost: getConfig(this.env).allowHttpLocalhostChannels };
  }

  /** After a change that may have queued deliveries: the alarm must come no later than the first due one. */
  private async armDeliveries(): Promise<void> {
    const due = nextDueAt(this.ctx.storage.sql);
    if (due === null) return;
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > due) await this.ctx.storage.setAlarm(due);
  }

  override async alarm(): Promise<void> {
    const { next } = runAlarm(this.context(), this.hub.connectionCount());
    // Receivers are waited on here, never on an ingest path; rules and retention have already run.
    await this.outbox.sendDue();
    const due = nextDueAt(this.ctx.storage.sql);
    const dueAt = due === null ? null : Math.max(due, this.clock());
    const at = next === null ? dueAt : dueAt === null ? next : Math.min(next, dueAt);
    if (at !== null) {
      await this.ctx.storage.setAlarm(at);
      return;
    }
    // Idle: no alarm until the next write, which must therefore look again.
    this.alarmChecked = false;
  }

  // Sources
  createSource(input: SourceInT) {
    return addSource(this.context(), input);
  }
  listSources(filter: PageFilter) {
    return sourceList(this.context(), filter);
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

  /**
   * Items dated before the event retention are acknowledged, then deleted by the retention pass
   * (docs/streaming.md): that pass must come soon, not at the hourly one, or they stay listed,
   * counted and deduplicated for up to an hour.
   */
  private async armAfterIngest(items: readonly { timestamp?: number | undefined }[]): Promise<void> {
    const horizon = this.clock() - eventRetentionMs(getConfig(this.env).retention);
    await this.armAlarm(items.some((i) => i.timestamp !== undefined && i.timestamp < horizon));
  }

  // Events and predictions
  async ingestEvents(events: EventInT[]) {
    const result = ingestEvents(this.context(), events);
    await this.armAfterIngest(events);
    return result;
  }
  listEvents(filter: EventFilter) {
    return eventPage(this.context(), filter);
  }
  processEvents(ids: string[]) {
    return processEvents(this.context(), ids);
  }
  async ingestPredictions(predictions: PredictionInT[]) {
    const stored = ingestPredictions(this.context(), predictions);
    await this.armAfterIngest(predictions);
    return stored;
  }
  listPredictions(filter: PredictionFilter) {
    return predictionPage(this.context(), filter);
  }

  // Alerts and rules
  async createAlert(input: AlertInT) {
    const result = createAlert(this.context(), input);
    await this.armAlarm();
    await this.armDeliveries();
    return result;
  }
  listAlerts(filter: AlertFilter) {
    return alertPage(this.context(), filter);
  }
  getAlert(id: string) {
    return getAlertOut(this.context(), id);
  }
  async transitionAlert(id: string, action: AlertAction, by: string, note?: string) {
    const result = transitionAlert(this.context(), id, action, by, note);
    await this.armDeliveries();
    return result;
  }
  async createAlertRule(input: AlertRuleInT) {
    const rule = createAlertRule(this.context(), input);
    await this.armAlarm(true);
    await this.armDeliveries();
    return rule;
  }
  listAlertRules(filter: PageFilter) {
    return listAlertRules(this.context(), filter);
  }
  getAlertRule(id: string) {
    return getAlertRule(this.context(), id);
  }
  async patchAlertRule(id: string, patch: AlertRulePatchT) {
    const result = patchAlertRule(this.context(), id, patch);
    await this.armAlarm(true);
    await this.armDeliveries();
    return result;
  }
  async deleteAlertRule(id: string) {
    const result = deleteAlertRule(this.context(), id);
    await this.armDeliveries();
    return result;
  }

  // Notification channels, deliveries and silences
  createChannel(input: ChannelInT) {
    return createChannel(this.notifyContext(), input);
  }
  listChannels(filter: PageFilter) {
    return channelList(this.notifyContext(), filter);
  }
  getChannel(id: string) {
    return channelById(this.notifyContext(), id);
  }
  updateChannel(id: string, patch: ChannelPatchT) {
    return patchChannel(this.notifyContext(), id, patch);
  }
  deleteChannel(id: string) {
    return removeChannel(this.notifyContext(), id);
  }
  /** Queues a test delivery and attempts it now (unless the in-flight bound is reached: then the alarm does). */
  async testChannel(id: string) {
    const queued = queueTestDelivery(this.notifyContext(), id);
    if (!queued.ok) return queued;
    await this.armDeliveries();
    const delivery = await this.outbox.sendNow(queued.value);
    await this.armDeliveries();
    return delivery === null ? fail("not-found", "channel not found") : ok(presentDelivery(delivery));
  }
  listDeliveries(channelId: string, filter: PageFilter) {
    return deliveryPage(this.notifyContext(), channelId, filter);
  }
  async createSilence(input: SilenceInT, by: string) {
    const result = createSilence(this.context(), input, by);
    // Retention deletes the silence once it has ended long enough: the alarm must be there to.
    await this.armAlarm();
    return result;
  }
  listSilences(filter: PageFilter) {
    return silenceList(this.context(), filter);
  }
  deleteSilence(id: string) {
    return removeSilence(this.context(), id);
  }

  // Metrics and dashboard
  async ingestMetrics(points: MetricInT[]) {
    const result = ingestMetrics(this.context(), points);
    await this.armAlarm();
    await this.armDeliveries();
    return result;
  }
  listMetrics(filter: PageFilter) {
    return metricList(this.context(), filter);
  }
  metricSeries(name: string, query: SeriesQuery) {
    return metricSeries(this.context(), name, query);
  }
  dashboard(minutes?: number) {
    return dashboard(this.context(), minutes);
  }
  models(query: ModelsQuery) {
    return modelsSummary(this.context(), query);
  }

  async ping(): Promise<string> {
    return "pong";
  }

  /** DELETE /orgs/:org/data: everything this organization stored here. */
  async eraseAll(): Promise<void> {
    await eraseObject(this.ctx);
    this.baselines.clear();
    this.hub.forgetSockets();
    this.alarmChecked = false;
  }
}
