// Response types of the alerting pages, from the Worker's routes through hono's client types.
import type { InferResponseType } from "hono/client";
import type { streaming } from "../api/client";

export type AlertRule = InferResponseType<(typeof streaming)["alert-rules"]["$get"], 200>["items"][number];
export type Channel = InferResponseType<(typeof streaming)["channels"]["$get"], 200>["items"][number];
export type ChannelCreated = InferResponseType<(typeof streaming)["channels"]["$post"], 201>;
export type Delivery = InferResponseType<
  (typeof streaming)["channels"][":id"]["deliveries"]["$get"],
  200
>["items"][number];
export type Silence = InferResponseType<(typeof streaming)["silences"]["$get"], 200>["items"][number];
