/** Request and response schemas of channels, deliveries and silences (docs/contract.md, "Alerting and metrics"). */
import { z } from "@hono/zod-openapi";
import { TimeIn } from "../../http/time";
import { SEVERITIES } from "../alert-state";
import { CHANNEL_TYPES, DEFAULT_MIN_SEVERITY, DELIVERY_EVENTS, DELIVERY_STATUSES, NOTIFY_EVENTS } from "./model";

const Iso = z.string().openapi({ format: "date-time", example: "2026-11-29T12:00:00.000Z" });
const Name = z.string().trim().min(1).max(200);
const Url = z
  .string()
  .max(2000)
  .openapi({ example: "https://hooks.example.com/alerts", description: "https (http only to localhost when allowed)" });
const NotifyOn = z
  .array(z.enum(NOTIFY_EVENTS))
  .min(1)
  .transform((events) => [...new Set(events)]);

export const ChannelIn = z
  .object({
    name: Name,
    type: z.enum(CHANNEL_TYPES),
    url: Url,
    min_severity: z.enum(SEVERITIES).default(DEFAULT_MIN_SEVERITY),
    notify_on: NotifyOn.default([...NOTIFY_EVENTS]),
    enabled: z.boolean().default(true),
  })
  // Strict, as ChannelPatch: a misspelt `min_severty` must be a 400, not a channel at the default severity.
  .strict()
  .openapi("ChannelIn");

export const ChannelPatch = z
  .object({
    name: Name.optional(),
    url: Url.optional(),
    min_severity: z.enum(SEVERITIES).optional(),
    notify_on: NotifyOn.optional(),
    enabled: z.boolean().optional(),
  })
  .strict()
  .openapi("ChannelPatch");

export const Channel = z
  .object({
    id: z.string(),
    name: z.string(),
    type: z.enum(CHANNEL_TYPES),
    url: z.string(),
    min_severity: z.enum(SEVERITIES),
    notify_on: z.array(z.enum(NOTIFY_EVENTS)),
    enabled: z.boolean(),
    created_at: Iso,
    updated_at: Iso,
  })
  .openapi("Channel");

export const ChannelCreated = Channel.extend({
  secret: z.string().openapi({ description: "Signs every delivery (X-Signature). Shown only in this answer." }),
}).openapi("ChannelCreated");

export const Delivery = z
  .object({
    id: z.string().openapi({ description: "Also the X-Delivery-Id header, the same on every attempt" }),
    channel_id: z.string(),
    alert_id: z.string().nullable(),
    event: z.enum(DELIVERY_EVENTS),
    status: z.enum(DELIVERY_STATUSES),
    attempts: z.number().int(),
    last_status_code: z.number().int().nullable(),
    last_error: z.string().nullable(),
    next_attempt_at: Iso.nullable(),
    created_at: Iso,
    delivered_at: Iso.nullable(),
  })
  .openapi("Delivery");

const SilenceMatchers = z
  .object({
    fingerprint: z.string().min(1).max(500).optional(),
    rule_id: z.string().min(1).max(128).optional(),
    severity: z.enum(SEVERITIES).optional(),
    source_id: z.string().min(1).max(128).optional(),
  })
  .strict()
  .refine((m) => Object.keys(m).length > 0, "at least one matcher (a silence of everything is too easy to leave on)")
  .openapi("SilenceMatchers");

export const SilenceIn = z
  .object({
    matchers: SilenceMatchers,
    starts_at: TimeIn.optional().openapi({ description: "Default now" }),
    ends_at: TimeIn,
    comment: z.string().max(2000).default(""),
  })
  // Strict: `created_by` and `active` are the server's, and an unknown field must not pass unnoticed.
  .strict()
  .openapi("SilenceIn");

export const Silence = z
  .object({
    id: z.string(),
    matchers: SilenceMatchers,
    starts_at: Iso,
    ends_at: Iso,
    comment: z.string(),
    created_by: z.string(),
    created_at: Iso,
    active: z.boolean(),
  })
  .openapi("Silence");

export type ChannelInT = z.output<typeof ChannelIn>;
export type ChannelPatchT = z.output<typeof ChannelPatch>;
export type ChannelT = z.output<typeof Channel>;
export type ChannelCreatedT = z.output<typeof ChannelCreated>;
export type DeliveryT = z.output<typeof Delivery>;
export type SilenceInT = z.output<typeof SilenceIn>;
export type SilenceT = z.output<typeof Silence>;
