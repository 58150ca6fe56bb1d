/**
 * Pure notification modules: signatures (Python's hmac reference and RFC 4231), the retry
 * schedule, silences, channel URLs and the Slack payload.
 */
import { describe, expect, it } from "vitest";
import type { Severity } from "../../src/streaming/alert-state";
import { afterFailure, MAX_ATTEMPTS, minimumRetrySpanMs, retryDelayMs } from "../../src/streaming/notify/retry";
import {
  hmacSha256Hex,
  newChannelSecret,
  parseSignatureHeader,
  signatureHeader,
} from "../../src/streaming/notify/signing";
import { isActive, matches, type Silence, silencedBy } from "../../src/streaming/notify/silence";
import { escapeSlack, slackPayload } from "../../src/streaming/notify/slack";
import { channelUrlProblem } from "../../src/streaming/notify/url";
import golden from "../fixtures/alerting-golden.json";

describe("webhook signatures", () => {
  it.each(golden.signatures)("matches Python's hmac for t=$t", async ({ secret, t, body, header }) => {
    expect(await signatureHeader(secret, t, body)).toBe(header);
  });

  it("HMAC-SHA256 matches RFC 4231 test cases 1 and 2", async () => {
    // Case 2: key "Jefe"; case 1's key is 20 bytes of 0x0b (all ASCII, so the string key is exact).
    expect(await hmacSha256Hex("Jefe", "what do ya want for nothing?")).toBe(
      "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
    );
    expect(await hmacSha256Hex("\u000b".repeat(20), "Hi There")).toBe(
      "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
    );
  });

  it("signs the whole-second time even when given a fraction", async () => {
    expect(await signatureHeader("k", 1700000000.9, "b")).toBe(await signatureHeader("k", 1700000000, "b"));
  });

  it.each([
    [`t=5,v1=${"a".repeat(64)}`, { t: 5, v1: ["a".repeat(64)] }],
    [`v1=${"b".repeat(64)}, t=7, v0=zz`, { t: 7, v1: ["b".repeat(64)] }],
    ["t=5", null],
    [`v1=${"a".repeat(64)}`, null],
    [`t=x,v1=${"a".repeat(64)}`, null],
    ["t=5,v1=ABC", null],
    ["", null],
  ])("parses %j", (header, expected) => {
    expect(parseSignatureHeader(header)).toEqual(expected);
  });

  it("channel secrets are 32 random bytes with a prefix, never repeated", () => {
    const a = newChannelSecret();
    expect(a).toMatch(/^whsec_[0-9a-f]{64}$/);
    expect(newChannelSecret()).not.toBe(a);
  });
});

describe("retry schedule", () => {
  it.each([
    [1, 0, 5_000],
    [1, 0.999999, 10_000],
    [2, 0, 10_000],
    [3, 0.5, 30_000],
    [7, 0, 320_000],
    [8, 0, 450_000],
    [8, 0.999999, 900_000],
    [15, 0.5, 675_000],
    [40, 0, 450_000],
  ])("after %i failures, random %d → %d ms", (attempts, r, expected) => {
    expect(retryDelayMs(attempts, () => r)).toBe(expected);
  });

  it("with the smallest jitter the retries still span more than an hour; at most twice that with the largest", () => {
    expect(minimumRetrySpanMs()).toBeGreaterThanOrEqual(3_600_000);
    let max = 0;
    for (let a = 1; a < MAX_ATTEMPTS; a++) max += retryDelayMs(a, () => 1);
    expect(max).toBeLessThanOrEqual(2 * minimumRetrySpanMs());
  });

  it("delays never shrink from one attempt to the next at the same jitter", () => {
    for (const r of [0, 0.3, 0.99]) {
      for (let a = 1; a < MAX_ATTEMPTS; a++) {
        expect(retryDelayMs(a + 1, () => r)).toBeGreaterThanOrEqual(retryDelayMs(a, () => r));
      }
    }
  });

  it("gives up after MAX_ATTEMPTS, schedules before", () => {
    expect(afterFailure(1, 1000, () => 0)).toEqual({ status: "pending", next_attempt_at: 6000 });
    expect(afterFailure(MAX_ATTEMPTS - 1, 0, () => 0).status).toBe("pending");
    expect(afterFailure(MAX_ATTEMPTS, 0, () => 0)).toEqual({ status: "failed" });
  });

  it("a random source out of [0, 1) is clamped, never a negative or runaway delay", () => {
    expect(retryDelayMs(1, () => -3)).toBe(5_000);
    expect(retryDelayMs(1, () => 7)).toBe(10_000);
  });
});

describe("silences", () => {
  const alert = { fingerprint: "rule:r1", severity: "error" as Severity, source_id: "s1" };
  it.each([
    [{ fingerprint: "rule:r1" }, true],
    [{ fingerprint: "rule:r2" }, false],
    [{ rule_id: "r1" }, true],
    [{ rule_id: "r" }, false],
    [{ severity: "error" as Severity }, true],
    [{ severity: "critical" as Severity }, false],
    [{ source_id: "s1" }, true],
    [{ source_id: "s1", severity: "critical" as Severity }, false],
    [{ rule_id: "r1", severity: "error" as Severity, source_id: "s1", fingerprint: "rule:r1" }, true],
    [{}, false],
  ])("%j matches: %s", (matchers, expected) => {
    expect(matches(matchers, alert)).toBe(expected);
  });

  it("rule_id never matches an alert raised by POST /alerts", () => {
    expect(matches({ rule_id: "r1" }, { fingerprint: "r1", severity: "info", source_id: null })).toBe(false);
    expect(matches({ rule_id: "r1" }, { fingerprint: null, severity: "info", source_id: null })).toBe(false);
  });

  it.each([
    [999, false],
    [1000, true],
    [1999, true],
    [2000, false],
  ])("[starts_at, ends_at) at %i: %s", (now, expected) => {
    expect(isActive({ starts_at: 1000, ends_at: 2000 }, now)).toBe(expected);
  });

  it("silencedBy picks an active matching silence only", () => {
    const s = (id: string, starts_at: number, ends_at: number, severity: Severity): Silence => ({
      id,
      matchers: { severity },
      starts_at,
      ends_at,
      comment: "",
      created_by: "x",
      created_at: 0,
    });
    const list = [s("past", 0, 10, "error"), s("other", 0, 100, "info"), s("hit", 5, 100, "error")];
    expect(silencedBy(list, alert, 50)?.id).toBe("hit");
    expect(silencedBy(list, alert, 100)).toBeNull();
  });
});

describe("channel URLs", () => {
  it.each([
    ["https://hooks.example.com/x", false, null],
    ["https://1.1.1.1/x", false, null],
    ["https://[2606:4700::1111]/x", false, null],
    ["https://172.32.0.1/x", false, null], // just past 172.16.0.0/12
    ["https://127.0.0.1:8787/hook", true, null],
    ["http://127.0.0.1:8787/hook", true, null],
    ["http://localhost:9/hook", true, null],
    ["http://[::1]:9/hook", true, null],
    [
      "http://127.0.0.1:8787/hook",
      false,
      "http is only allowed for localhost when ALLOW_HTTP_LOCALHOST_CHANNELS is on",
    ],
    ["http://example.com/hook", true, "must be an https URL"],
    ["http://127.0.0.2/hook", true, "must be an https URL"],
    ["http://localhost.evil.com/hook", true, "must be an https URL"],
    ["ftp://example.com/x", true, "must be an https URL"],
    ["https://user:pw@example.com/x", false, "credentials in the URL are not allowed"],
    ["not a url", true, "not a valid URL"],
    ["https://127.0.0.1/x", false, "must be a public host (not this machine or a private network)"],
    ["https://127.1/x", false, "must be a public host (not this machine or a private network)"],
    ["https://0x7f000001/x", false, "must be a public host (not this machine or a private network)"],
    ["https://2130706433/x", false, "must be a public host (not this machine or a private network)"],
    ["https://017700000001/x", false, "must be a public host (not this machine or a private network)"],
    ["https://[::1]/x", false, "must be a public host (not this machine or a private network)"],
    ["https://[0:0:0:0:0:0:0:1]/x", false, "must be a public host (not this machine or a private network)"],
    ["https://[::ffff:127.0.0.1]/x", false, "must be a public host (not this machine or a private network)"],
    ["https://[::ffff:10.0.0.1]/x", false, "must be a public host (not this machine or a private network)"],
    ["https://[::7f00:1]/x", false, "must be a public host (not this machine or a private network)"],
    ["https://localhost./x", false, "must be a public host (not this machine or a private network)"],
    ["https://LOCALHOST/x", false, "must be a public host (not this machine or a private network)"],
    ["https://api.localhost/x", false, "must be a public host (not this machine or a private network)"],
    ["https://10.0.0.1/x", false, "must be a public host (not this machine or a private network)"],
    ["https://172.16.5.4/x", false, "must be a public host (not this machine or a private network)"],
    ["https://172.31.255.255/x", false, "must be a public host (not this machine or a private network)"],
    ["https://192.168.1.1/x", false, "must be a public host (not this machine or a private network)"],
    [
      "https://169.254.169.254/latest/meta-data",
      false,
      "must be a public host (not this machine or a private network)",
    ],
    ["https://100.64.0.1/x", false, "must be a public host (not this machine or a private network)"],
    ["https://0.0.0.0/x", false, "must be a public host (not this machine or a private network)"],
    ["https://224.0.0.1/x", false, "must be a public host (not this machine or a private network)"],
    ["https://255.255.255.255/x", false, "must be a public host (not this machine or a private network)"],
    ["https://[fc00::1]/x", false, "must be a public host (not this machine or a private network)"],
    ["https://[fd12:3456::1]/x", false, "must be a public host (not this machine or a private network)"],
    ["https://[fe80::1]/x", false, "must be a public host (not this machine or a private network)"],
    ["https://[ff02::1]/x", false, "must be a public host (not this machine or a private network)"],
    ["https://[64:ff9b::a00:1]/x", false, "must be a public host (not this machine or a private network)"],
    // 6to4 (2002::/16) embeds an IPv4 address in bits 16-47; Teredo (2001:0::/32) its client's, inverted.
    ["https://[2002:a9fe:a9fe::]/x", false, "must be a public host (not this machine or a private network)"],
    ["https://[2002:a00:1::]/x", false, "must be a public host (not this machine or a private network)"],
    ["https://[2002:7f00:1::1]/x", false, "must be a public host (not this machine or a private network)"],
    ["https://[2002:c0a8:101:0:0:0:0:1]/x", false, "must be a public host (not this machine or a private network)"],
    ["https://[2002:6440:1::]/x", false, "must be a public host (not this machine or a private network)"],
    ["https://[2002::]/x", false, "must be a public host (not this machine or a private network)"],
    ["https://[2002:808:808::]/x", false, null], // 8.8.8.8: public
    ["https://[2002:0808:0808:1::1]/x", false, null],
    [
      "https://[2001:0:4136:e378:8000:63bf:f5ff:fffe]/x",
      false,
      "must be a public host (not this machine or a private network)",
    ], // client 10.0.0.1
    [
      "https://[2001:0:4136:e378:8000:63bf:80ff:fffe]/x",
      false,
      "must be a public host (not this machine or a private network)",
    ], // client 127.0.0.1
    ["https://[2001:0:4136:e378:8000:63bf:f7f7:f7f7]/x", false, null], // client 8.8.8.8
    ["https://[2001:db8:a00:1::]/x", false, null], // not Teredo (second group is not 0)
    ["https://10.0.0.1/x", true, "must be a public host (not this machine or a private network)"], // the local switch opens loopback only
  ])("%s (allow localhost %s) → %s", (url, allow, expected) => {
    expect(channelUrlProblem(url, allow)).toBe(expected);
  });
});

describe("Slack payload", () => {
  const alert = {
    id: "a1",
    severity: "critical",
    status: "open",
    title: "p95 > 200 <ms> & rising",
    message: "checkout <b>",
    occurrences: 3,
  };
  it("has text and blocks, with Slack's three characters escaped", () => {
    const p = slackPayload("opened", alert, "2026-12-02T12:00:00.000Z");
    expect(p.text).toBe("[critical] opened: p95 &gt; 200 &lt;ms&gt; &amp; rising");
    expect(p.blocks).toEqual([
      {
        type: "section",
        text: { type: "mrkdwn", text: ":rotating_light: *p95 &gt; 200 &lt;ms&gt; &amp; rising* opened" },
      },
      { type: "section", text: { type: "mrkdwn", text: "checkout &lt;b&gt;" } },
      {
        type: "context",
        elements: [{ type: "mrkdwn", text: "*critical* · open · 3 occurrences · alert a1 · 2026-12-02T12:00:00.000Z" }],
      },
    ]);
  });
  it("a resolved alert without message has two blocks; a test send has one", () => {
    const p = slackPayload("resolved", { ...alert, message: null, occurrences: 1, status: "resolved" }, "t");
    expect(p.blocks).toHaveLength(2);
    expect(p.text).toMatch(/^\[critical\] resolved: /);
    expect(slackPayload("test", null, "t").blocks).toHaveLength(1);
  });
  it("escapes only &, < and >", () => {
    expect(escapeSlack(`a&b<c>d"e'`)).toBe(`a&amp;b&lt;c&gt;d"e'`);
  });
});
