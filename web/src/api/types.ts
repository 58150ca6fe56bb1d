// Response types come from the Worker's routes through hono's client types, so a schema change on
// the server breaks the dashboard's typecheck instead of its users.
import type { InferResponseType } from "hono/client";
import type { api } from "./client";

type AB = (typeof api)["ab-testing"];
export type Experiment = InferResponseType<AB["experiments"][":id"]["$get"], 200>;
export type ExperimentStatus = Experiment["status"];
// The results payloads are typed beside the results page (web/src/experiments/results/types.ts).

// The streaming payloads are the zod schemas' output types (the same ones its routes and the live
// protocol are built from).
export type {
  AlertOutT as Alert,
  AlertRuleT as AlertRule,
  DashboardSummaryT as DashboardSummary,
  EventOutT as StreamEvent,
  MetricSeriesT as MetricSeries,
  MetricSummaryT as MetricSummary,
  ModelsSummaryT as ModelsSummary,
  PredictionOutT as Prediction,
  SourceT as Source,
} from "../../../src/streaming/schemas";
export type { ServerMessage } from "../../../src/streaming/live/protocol";
