/** Notification channels, their delivery logs and test sends, and silences (docs/contract.md, "Alerting and metrics"). */
import { listOf } from "../http/params";
import { defineRoute } from "../http/openapi";
import { createRouter } from "../http/router";
import { Channel, ChannelCreated, ChannelIn, ChannelPatch, Delivery, Silence, SilenceIn } from "./notify/schemas";
import { body, IdParam, json, orgOf, TAG, unwrap } from "./routes-shared";
import { ListQuery } from "./schemas";

const TAGS = [...TAG, "Alerting"];

export const notifyRoutes = createRouter()
  .openapi(
    defineRoute("write", {
      method: "post",
      path: "/channels",
      tags: TAGS,
      summary: "Create a notification channel (webhook or Slack); its secret is in this answer only",
      request: body(ChannelIn),
      responses: { 201: json(ChannelCreated, "The channel, with its signing secret") },
    }),
    async (c) => c.json(unwrap(await orgOf(c).createChannel(c.req.valid("json"))), 201),
  )
  .openapi(
    defineRoute("read", {
      method: "get",
      path: "/channels",
      tags: TAGS,
      summary: "Notification channels, newest first (secrets are never shown again)",
      request: { query: ListQuery },
      responses: { 200: json(listOf(Channel, "ChannelList"), "A page of channels") },
    }),
    async (c) => c.json(unwrap(await orgOf(c).listChannels(c.req.valid("query"))), 200),
  )
  .openapi(
    defineRoute("read", {
      method: "get",
      path: "/channels/{id}",
      tags: TAGS,
      summary: "One notification channel",
      request: { params: IdParam },
      responses: { 200: json(Channel, "The channel") },
    }),
    async (c) => c.json(unwrap(await orgOf(c).getChannel(c.req.valid("param").id)), 200),
  )
  .openapi(
    defineRoute("write", {
      method: "patch",
      path: "/channels/{id}",
      tags: TAGS,
      summary: "Change a channel's name, URL, minimum severity, events or enabled flag",
      request: { params: IdParam, ...body(ChannelPatch) },
      responses: { 200: json(Channel, "The channel after the change") },
    }),
    async (c) => c.json(unwrap(await orgOf(c).updateChannel(c.req.valid("param").id, c.req.valid("json"))), 200),
  )
  .openapi(
    defineRoute("write", {
      method: "delete",
      path: "/channels/{id}",
      tags: TAGS,
      summary: "Delete a channel and its delivery log",
      request: { params: IdParam },
      responses: { 204: { description: "Deleted" } },
    }),
    async (c) => {
      unwrap(await orgOf(c).deleteChannel(c.req.valid("param").id));
      return c.body(null, 204);
    },
  )
  .openapi(
    defineRoute("write", {
      method: "post",
      path: "/channels/{id}/test",
      tags: TAGS,
      summary: "Send a test notification now; the answer is the delivery after its first attempt",
      description:
        "Sent whether the channel is enabled or not, so a receiver can be checked before its channel is turned on. Its retries, if it fails, are sent regardless too.",
      request: { params: IdParam },
      responses: { 200: json(Delivery, "The test delivery (retried like any other if it failed)") },
    }),
    async (c) => c.json(unwrap(await orgOf(c).testChannel(c.req.valid("param").id)), 200),
  )
  .openapi(
    defineRoute("read", {
      method: "get",
      path: "/channels/{id}/deliveries",
      tags: TAGS,
      summary: "A channel's delivery log, newest first",
      request: { params: IdParam, query: ListQuery },
      responses: { 200: json(listOf(Delivery, "DeliveryList"), "A page of deliveries") },
    }),
    async (c) => c.json(unwrap(await orgOf(c).listDeliveries(c.req.valid("param").id, c.req.valid("query"))), 200),
  )
  .openapi(
    defineRoute("write", {
      method: "post",
      path: "/silences",
      tags: TAGS,
      summary: "Silence matching alerts between starts_at and ends_at (still stored, not notified)",
      request: body(SilenceIn),
      responses: { 201: json(Silence, "The silence") },
    }),
    async (c) => c.json(unwrap(await orgOf(c).createSilence(c.req.valid("json"), c.get("principal").sub)), 201),
  )
  .openapi(
    defineRoute("read", {
      method: "get",
      path: "/silences",
      tags: TAGS,
      summary: "Silences, newest first (ended ones too, with active: false)",
      request: { query: ListQuery },
      responses: { 200: json(listOf(Silence, "SilenceList"), "A page of silences") },
    }),
    async (c) => c.json(unwrap(await orgOf(c).listSilences(c.req.valid("query"))), 200),
  )
  .openapi(
    defineRoute("write", {
      method: "delete",
      path: "/silences/{id}",
      tags: TAGS,
      summary: "End a silence now (it stays listed, active: false)",
      request: { params: IdParam },
      // 404 (common): no such silence, or it has ended already.
      responses: { 204: { description: "Ended" } },
    }),
    async (c) => {
      unwrap(await orgOf(c).deleteSilence(c.req.valid("param").id));
      return c.body(null, 204);
    },
  );
