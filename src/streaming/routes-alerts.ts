import { enumQuery, listOf } from "../http/params";
import type { AlertAction } from "./model";
import { defineRoute, problemResponses } from "../http/openapi";
import { createRouter } from "../http/router";
import { ALERT_STATUSES, SEVERITIES } from "./alert-state";
import { AlertActionIn, AlertIn, AlertOut, AlertRule, AlertRuleIn, AlertRulePatch, ListQuery } from "./schemas";
import { body, IdParam, json, orgOf, TAG, unwrap } from "./routes-shared";

const AlertsQuery = ListQuery.extend({
  status: enumQuery(ALERT_STATUSES).optional(),
  severity: enumQuery(SEVERITIES).optional(),
});

const transition = (action: AlertAction, from: string) =>
  defineRoute("write", {
    method: "post",
    path: `/alerts/{id}/${action}`,
    tags: TAG,
    summary: `${action === "acknowledge" ? "Acknowledge" : "Resolve"} an alert (from ${from}), with an optional note`,
    // Optional (`{ note? }`): a bodyless POST, with or without a JSON Content-Type, acts without a note.
    request: { params: IdParam, body: { required: false, content: { "application/json": { schema: AlertActionIn } } } },
    responses: {
      200: json(AlertOut, "The alert after the change"),
      ...problemResponses({ 409: `The alert is not ${from}` }),
    },
  });

export const alertRoutes = createRouter()
  .openapi(
    defineRoute("write", {
      method: "post",
      path: "/alerts",
      tags: TAG,
      summary: "Raise an alert (deduplicated by fingerprint while unresolved)",
      request: body(AlertIn),
      responses: {
        201: json(AlertOut, "A new alert"),
        200: json(
          AlertOut,
          "An unresolved alert with the same fingerprint: one more occurrence, and its severity raised when the repeat's is higher (docs/alerting.md)",
        ),
        ...problemResponses({ 422: "Unknown source_id" }),
      },
    }),
    async (c) => {
      const { alert, created } = unwrap(await orgOf(c).createAlert(c.req.valid("json")));
      return created ? c.json(alert, 201) : c.json(alert, 200);
    },
  )
  .openapi(
    defineRoute("read", {
      method: "get",
      path: "/alerts",
      tags: TAG,
      summary: "Alerts, newest first",
      request: { query: AlertsQuery },
      responses: { 200: json(listOf(AlertOut, "AlertList"), "A page of alerts") },
    }),
    async (c) => c.json(unwrap(await orgOf(c).listAlerts(c.req.valid("query"))), 200),
  )
  .openapi(
    defineRoute("read", {
      method: "get",
      path: "/alerts/{id}",
      tags: TAG,
      summary: "One alert",
      request: { params: IdParam },
      responses: { 200: json(AlertOut, "The alert") },
    }),
    async (c) => c.json(unwrap(await orgOf(c).getAlert(c.req.valid("param").id)), 200),
  )
  .openapi(transition("acknowledge", "open"), async (c) => {
    const alert = await orgOf(c).transitionAlert(
      c.req.valid("param").id,
      "acknowledge",
      c.get("principal").sub,
      c.req.valid("json")?.note,
    );
    return c.json(unwrap(alert), 200);
  })
  .openapi(transition("resolve", "open or acknowledged"), async (c) => {
    const alert = await orgOf(c).transitionAlert(
      c.req.valid("param").id,
      "resolve",
      c.get("principal").sub,
      c.req.valid("json")?.note,
    );
    return c.json(unwrap(alert), 200);
  })
  .openapi(
    defineRoute("write", {
      method: "post",
      path: "/alert-rules",
      tags: TAG,
      summary: "Create a threshold rule (alerts with fingerprint rule:<id>)",
      request: body(AlertRuleIn),
      responses: { 201: json(AlertRule, "The rule and its evaluation state") },
    }),
    async (c) => c.json(await orgOf(c).createAlertRule(c.req.valid("json")), 201),
  )
  .openapi(
    defineRoute("read", {
      method: "get",
      path: "/alert-rules",
      tags: TAG,
      summary: "Alert rules with their state, newest first",
      request: { query: ListQuery },
      responses: { 200: json(listOf(AlertRule, "AlertRuleList"), "A page of rules") },
    }),
    async (c) => c.json(unwrap(await orgOf(c).listAlertRules(c.req.valid("query"))), 200),
  )
  .openapi(
    defineRoute("read", {
      method: "get",
      path: "/alert-rules/{id}",
      tags: TAG,
      summary: "One rule with its state",
      request: { params: IdParam },
      responses: {
        200: json(AlertRule, "The rule and its evaluation state"),
        ...problemResponses({ 404: "No such rule" }),
      },
    }),
    async (c) => c.json(unwrap(await orgOf(c).getAlertRule(c.req.valid("param").id)), 200),
  )
  .openapi(
    defineRoute("write", {
      method: "patch",
      path: "/alert-rules/{id}",
      tags: TAG,
      summary: "Edit a rule in place (same id and alert fingerprint); it is evaluated again at once",
      description:
        "A new condition restarts a pending wait, and resolves a firing rule's alert when it no longer holds. A new severity on a firing rule resolves its alert (`rule edited: severity …`) and opens one at the new severity at once while the condition holds, so channels and silences see the new severity. A new name leaves an open alert's title as raised.",
      request: { params: IdParam, ...body(AlertRulePatch) },
      responses: {
        200: json(AlertRule, "The rule as it now reads, with its state after the evaluation"),
        ...problemResponses({ 404: "No such rule" }),
      },
    }),
    async (c) => c.json(unwrap(await orgOf(c).patchAlertRule(c.req.valid("param").id, c.req.valid("json"))), 200),
  )
  .openapi(
    defineRoute("write", {
      method: "delete",
      path: "/alert-rules/{id}",
      tags: TAG,
      summary: "Delete a rule (a firing rule's alert is resolved)",
      request: { params: IdParam },
      responses: { 204: { description: "Deleted" } },
    }),
    async (c) => {
      unwrap(await orgOf(c).deleteAlertRule(c.req.valid("param").id));
      return c.body(null, 204);
    },
  );
