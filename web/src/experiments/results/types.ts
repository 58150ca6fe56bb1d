// The results payloads, inferred from the Worker's routes (like web/src/api/types.ts).
import type { InferResponseType } from "hono/client";
import type { api } from "../../api/client";

type Experiments = (typeof api)["ab-testing"]["experiments"][":id"];
export type Analysis = InferResponseType<Experiments["results"]["$get"], 200>;
export type AnalysisMetric = Analysis["metrics"][number];
export type Timeseries = InferResponseType<Experiments["results"]["timeseries"]["$get"], 200>;
/** A variant's display name by id ("—" for none). */
export type NameOf = (id: string | null | undefined) => string;
