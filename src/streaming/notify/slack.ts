/**
 * The body of a Slack incoming-webhook post: `text` (the notification and fallback line) and
 * `blocks` (what the channel shows). Slack reads `&`, `<` and `>` as markup, so alert text is
 * escaped the way its docs ask.
 */
import type { DeliveryEvent } from "./model";

export interface SlackAlert {
  id: string;
  severity: string;
  status: string;
  title: string;
  message: string | null;
  occurrences: number;
}

const VERB: Record<DeliveryEvent, string> = {
  opened: "opened",
  acknowledged: "acknowledged",
  resolved: "resolved",
  test: "test notification",
};

const ICON: Record<string, string> = {
  info: ":information_source:",
  warning: ":warning:",
  error: ":red_circle:",
  critical: ":rotating_light:",
};

export function escapeSlack(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export interface SlackPayload {
  text: string;
  blocks: Record<string, unknown>[];
}

export function slackPayload(event: DeliveryEvent, alert: SlackAlert | null, at: string): SlackPayload {
  if (alert === null) {
    return {
      text: "Test notification from edge-experiments",
      blocks: [{ type: "section", text: { type: "mrkdwn", text: "*Test notification* from edge-experiments" } }],
    };
  }
  const icon = ICON[alert.severity] ?? "";
  const title = escapeSlack(alert.title);
  const text = `[${alert.severity}] ${VERB[event]}: ${title}`;
  const details = [
    `*${alert.severity}* · ${alert.status}`,
    alert.occurrences > 1 ? `${alert.occurrences} occurrences` : null,
  ].filter((x): x is string => x !== null);
  const blocks: Record<string, unknown>[] = [
    { type: "section", text: { type: "mrkdwn", text: `${icon} *${title}* ${VERB[event]}`.trim() } },
  ];
  if (alert.message) blocks.push({ type: "section", text: { type: "mrkdwn", text: escapeSlack(alert.message) } });
  blocks.push({
    type: "context",
    elements: [{ type: "mrkdwn", text: `${details.join(" · ")} · alert ${alert.id} · ${at}` }],
  });
  return { text, blocks };
}
