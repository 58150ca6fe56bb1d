/** Channels, their delivery log and test sends, and silences: the object's methods delegate here. */
import type { FieldError } from "../../http/problem";
import { fail, type OrgContext, ok, pageOrBadCursor, type Result } from "../service-types";
import { channelPage, deleteChannel, getChannel, insertChannel, updateChannel } from "../store/channels";
import { insertDeliveries, listDeliveries } from "../store/deliveries";
import { endSilence, insertSilence, silencePage } from "../store/silences";
import type { Page, PageFilter } from "../store/sql";
import { deliveryBody } from "./enqueue";
import { presentChannel, presentDelivery, presentSilence } from "./present";
import type { ChannelCreatedT, ChannelInT, ChannelPatchT, ChannelT, DeliveryT, SilenceInT, SilenceT } from "./schemas";
import { newChannelSecret } from "./signing";
import { channelUrlProblem } from "./url";

export interface NotifyContext extends OrgContext {
  allowHttpLocalhost: boolean;
}

function badUrl(ctx: NotifyContext, url: string | undefined): FieldError[] {
  const problem = url === undefined ? null : channelUrlProblem(url, ctx.allowHttpLocalhost);
  return problem === null ? [] : [{ path: "url", message: problem }];
}

const channelNotFound = () => fail("not-found", "channel not found");

export function createChannel(ctx: NotifyContext, input: ChannelInT): Result<ChannelCreatedT> {
  const errors = badUrl(ctx, input.url);
  if (errors.length > 0) return fail("validation", "the channel URL is not allowed", errors);
  const secret = newChannelSecret();
  const channel = insertChannel(ctx.sql, { ...input, secret }, ctx.now);
  return ok({ ...presentChannel(channel), secret });
}

export function channelList(ctx: NotifyContext, filter: PageFilter): Result<Page<ChannelT>> {
  const page = channelPage(ctx.sql, filter);
  return pageOrBadCursor(page && { items: page.items.map(presentChannel), next_cursor: page.next_cursor });
}

export function channelById(ctx: NotifyContext, id: string): Result<ChannelT> {
  const channel = getChannel(ctx.sql, id);
  return channel === null ? channelNotFound() : ok(presentChannel(channel));
}

export function patchChannel(ctx: NotifyContext, id: string, patch: ChannelPatchT): Result<ChannelT> {
  const errors = badUrl(ctx, patch.url);
  if (errors.length > 0) return fail("validation", "the channel URL is not allowed", errors);
  const channel = updateChannel(ctx.sql, id, patch, ctx.now);
  return channel === null ? channelNotFound() : ok(presentChannel(channel));
}

export function removeChannel(ctx: NotifyContext, id: string): Result<null> {
  return ctx.storage.transactionSync(() => deleteChannel(ctx.sql, id)) ? ok(null) : channelNotFound();
}

/** Records a `test` delivery (due at once); the object then attempts it before answering. */
export function queueTestDelivery(ctx: NotifyContext, id: string): Result<string> {
  const channel = getChannel(ctx.sql, id);
  if (channel === null) return channelNotFound();
  const deliveryId = crypto.randomUUID();
  insertDeliveries(
    ctx.sql,
    [
      {
        id: deliveryId,
        channel_id: id,
        alert_id: null,
        event: "test",
        body: deliveryBody(channel, deliveryId, "test", null, ctx.now),
      },
    ],
    ctx.now,
  );
  return ok(deliveryId);
}

export function deliveryPage(ctx: NotifyContext, channelId: string, filter: PageFilter): Result<Page<DeliveryT>> {
  if (getChannel(ctx.sql, channelId) === null) return channelNotFound();
  const page = listDeliveries(ctx.sql, channelId, filter);
  return pageOrBadCursor(page && { items: page.items.map(presentDelivery), next_cursor: page.next_cursor });
}

export function createSilence(ctx: OrgContext, input: SilenceInT, by: string): Result<SilenceT> {
  const startsAt = input.starts_at ?? ctx.now;
  if (input.ends_at <= startsAt) {
    return fail("validation", "a silence must end after it starts", [
      { path: "ends_at", message: "must be later than starts_at" },
    ]);
  }
  if (input.ends_at <= ctx.now) {
    return fail("validation", "a silence that has already ended would silence nothing", [
      { path: "ends_at", message: `must be in the future (now is ${new Date(ctx.now).toISOString()})` },
    ]);
  }
  const silence = insertSilence(
    ctx.sql,
    { matchers: input.matchers, starts_at: startsAt, ends_at: input.ends_at, comment: input.comment, created_by: by },
    ctx.now,
  );
  return ok(presentSilence(silence, ctx.now));
}

export function silenceList(ctx: OrgContext, filter: PageFilter): Result<Page<SilenceT>> {
  const page = silencePage(ctx.sql, filter);
  return pageOrBadCursor(
    page && { items: page.items.map((s) => presentSilence(s, ctx.now)), next_cursor: page.next_cursor },
  );
}

export function removeSilence(ctx: OrgContext, id: string): Result<null> {
  const outcome = endSilence(ctx.sql, id, ctx.now);
  if (outcome === "ended") return ok(null);
  // An ended silence stays listed (active: false); ending it again is a 404, as before it was kept.
  return fail("not-found", outcome === "already-ended" ? "silence already ended" : "silence not found");
}
