/**
 * Sends due deliveries, from the object's alarm (and once at once for a test send). At most
 * MAX_IN_FLIGHT attempts run at a time per organization, each bounded by DELIVERY_TIMEOUT_MS, and
 * each is leased in storage before the request leaves: if the object is evicted mid-attempt, the
 * lease runs out and the delivery is due again (at least once). The same `X-Delivery-Id` goes with
 * every attempt, so a receiver that saw it succeed can drop the repeat.
 */
import { getChannel } from "../store/channels";
import { type Delivery, dueDeliveries, getDelivery, leaseDeliveries, recordOutcome } from "../store/deliveries";
import { appendHistory } from "../store/history";
import { DELIVERY_ID_HEADER, SIGNATURE_HEADER } from "./model";
import { afterFailure } from "./retry";
import { signatureHeader } from "./signing";
import { channelUrlProblem } from "./url";

const DELIVERY_TIMEOUT_MS = 10_000;
/** A lease outlives the attempt's timeout by this much before the delivery is considered lost. */
const LEASE_SLACK_MS = 5_000;
const MAX_IN_FLIGHT = 8;

export interface SenderDeps {
  storage: DurableObjectStorage;
  /** The object's clock, read at each step (tests pin it). */
  now: () => number;
  random: () => number;
  allowHttpLocalhost: boolean;
  fetch: typeof fetch;
}

type Attempt = { ok: true; status: number } | { ok: false; status: number | null; error: string };

export class Outbox {
  private inFlight = 0;

  constructor(private readonly deps: SenderDeps) {}

  /**
   * Sends what is due now, up to the in-flight bound. Returns how many attempts were made.
   *
   * Each of the free slots works through the due deliveries one at a time, taking the next as soon
   * as its last attempt ended, and records each outcome on its own. So a dead receiver holds one slot
   * for its timeout, never the others: the live channels' deliveries keep flowing beside it (they
   * used to wait for a whole wave of attempts, the dead one's 10 s included).
   */
  async sendDue(): Promise<number> {
    let attempts = 0;
    const slot = async (): Promise<void> => {
      while (this.inFlight < MAX_IN_FLIGHT) {
        const [next] = dueDeliveries(this.deps.storage.sql, this.deps.now(), 1);
        if (next === undefined) return;
        attempts++;
        await this.attemptOne(next);
      }
    };
    const room = MAX_IN_FLIGHT - this.inFlight;
    await Promise.all(Array.from({ length: Math.max(0, room) }, slot));
    return attempts;
  }

  /** One delivery now (a test send), if the in-flight bound allows; else the alarm sends it. */
  async sendNow(id: string): Promise<Delivery | null> {
    const delivery = getDelivery(this.deps.storage.sql, id);
    if (delivery !== null && delivery.status === "pending" && this.inFlight < MAX_IN_FLIGHT) {
      await this.attemptOne(delivery);
    }
    return getDelivery(this.deps.storage.sql, id);
  }

  /** Leases the delivery (synchronously, before the request leaves), attempts it, records the outcome. */
  private async attemptOne(d: Delivery): Promise<void> {
    const { storage } = this.deps;
    storage.transactionSync(() =>
      leaseDeliveries(storage.sql, [d.id], this.deps.now() + DELIVERY_TIMEOUT_MS + LEASE_SLACK_MS),
    );
    this.inFlight++;
    try {
      const result = await this.attempt(d);
      storage.transactionSync(() => this.record(d, result));
    } finally {
      this.inFlight--;
    }
  }

  private async attempt(d: Delivery): Promise<Attempt> {
    const channel = getChannel(this.deps.storage.sql, d.channel_id);
    if (channel === null) return { ok: false, status: null, error: "channel deleted" };
    if (!channel.enabled && d.event !== "test") return { ok: false, status: null, error: "channel disabled" };
    const urlProblem = channelUrlProblem(channel.url, this.deps.allowHttpLocalhost);
    if (urlProblem !== null) return { ok: false, status: null, error: `url ${urlProblem}` };
    try {
      const res = await this.deps.fetch(channel.url, {
        method: "POST",
        body: d.body,
        redirect: "manual",
        signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
        headers: {
          "Content-Type": "application/json",
          "User-Agent": "edge-experiments-alerts/1",
          [DELIVERY_ID_HEADER]: d.id,
          [SIGNATURE_HEADER]: await signatureHeader(channel.secret, this.deps.now() / 1000, d.body),
        },
      });
      if (res.status >= 200 && res.status < 300) {
        await res.body?.cancel();
        return { ok: true, status: res.status };
      }
      return { ok: false, status: res.status, error: await failureText(res) };
    } catch (err) {
      const name = err instanceof Error ? err.name : "";
      const error =
        name === "TimeoutError" || name === "AbortError"
          ? `no answer within ${DELIVERY_TIMEOUT_MS / 1000} s`
          : networkFailureText(channel.url, err instanceof Error ? err.message : String(err));
      return { ok: false, status: null, error };
    }
  }

  /** `d.attempts` is the count before this attempt (the lease added one in storage). */
  private record(d: Delivery, result: Attempt): void {
    const sql = this.deps.storage.sql;
    const now = this.deps.now();
    const attempts = d.attempts + 1;
    if (result.ok) {
      const changed = recordOutcome(sql, d.id, {
        status: "delivered",
        last_status_code: result.status,
        last_error: null,
        next_attempt_at: null,
        delivered_at: now,
      });
      if (changed && d.alert_id !== null) {
        const channel = getChannel(sql, d.channel_id);
        appendHistory(sql, [
          {
            alert_id: d.alert_id,
            at: now,
            action: "notified",
            actor: channel === null ? `channel:${d.channel_id}` : `channel:${channel.name}`,
            note: `${d.event}, delivery ${d.id}, attempt ${attempts}`,
          },
        ]);
      }
      return;
    }
    // A channel that is gone, disabled or no longer allowed will not get better by waiting.
    const permanent = result.status === null && /^(channel deleted|channel disabled|url )/.test(result.error);
    const next = permanent ? { status: "failed" as const } : afterFailure(attempts, now, this.deps.random);
    recordOutcome(sql, d.id, {
      status: next.status,
      last_status_code: result.status,
      last_error: result.error,
      next_attempt_at: next.status === "pending" ? next.next_attempt_at : null,
      delivered_at: null,
    });
  }
}

/** How much of a failing receiver's answer `last_error` keeps. */
const ERROR_BODY_CHARS = 200;

/**
 * A request that never got an answer, in words: the host it could not reach, then the runtime's
 * reason. workerd says only `internal error; reference = <id>` when a name does not resolve or a
 * connection cannot be made, which reads as a fault of this service: it is named for what it is.
 */
export function networkFailureText(url: string, message: string): string {
  let host = url;
  try {
    host = new URL(url).host;
  } catch {
    /* a stored URL was checked when saved; keep it whole if it does not parse */
  }
  const reason = /^internal error; reference = /i.test(message)
    ? "the name did not resolve or the connection failed"
    : message;
  return `could not reach ${host}: ${reason}`.slice(0, 500);
}

/**
 * A failed attempt in words: the status, then the start of the receiver's answer (Slack names the
 * problem there: `no_service`, `invalid_payload`), or where a redirect pointed. `HTTP 404` alone
 * left the operator guessing. The body is read only until a few hundred characters have come; ERROR_BODY_CHARS are kept.
 */
export async function failureText(res: Response): Promise<string> {
  const status = `HTTP ${res.status}`;
  if (res.status >= 300 && res.status < 400) {
    await res.body?.cancel();
    const to = res.headers.get("Location");
    return `${status}${to ? ` to ${to.slice(0, ERROR_BODY_CHARS)}` : ""}: redirects are not followed; give the channel the final URL`;
  }
  const head = (await readHead(res, ERROR_BODY_CHARS * 4)).replace(/\s+/g, " ").trim().slice(0, ERROR_BODY_CHARS);
  return head ? `${status}: ${head}` : status;
}

/** The start of a body as text (read until `maxChars` have arrived, then cancelled); "" when unreadable. */
async function readHead(res: Response, maxChars: number): Promise<string> {
  if (res.body === null) return "";
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  try {
    while (text.length < maxChars) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } catch {
    // A body cut off mid-read still says what it said so far.
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return text;
}
