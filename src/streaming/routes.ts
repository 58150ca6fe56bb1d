/** `/api/v1/streaming-analytics`: every route reaches the caller's organization object by RPC. */
import { createRouter } from "../http/router";
import { alertRoutes } from "./routes-alerts";
import { eventRoutes } from "./routes-events";
import { metricRoutes } from "./routes-metrics";
import { notifyRoutes } from "./routes-notify";
import { sourceRoutes } from "./routes-sources";

export const streamingRoutes = createRouter()
  .route("/", sourceRoutes)
  .route("/", eventRoutes)
  .route("/", alertRoutes)
  .route("/", metricRoutes)
  .route("/", notifyRoutes);
