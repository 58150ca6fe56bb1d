import { describe, expect, it } from "vitest";
import { failureText, networkFailureText } from "../../src/streaming/notify/sender";

describe("failureText: what last_error says about a failing receiver", () => {
  it.each<[string, Response, string]>([
    [
      "a plain failure keeps the receiver's words",
      new Response("scripted failure", { status: 500 }),
      "HTTP 500: scripted failure",
    ],
    ["Slack names the problem in the body", new Response("no_service", { status: 404 }), "HTTP 404: no_service"],
    ["an empty body is the status alone", new Response(null, { status: 503 }), "HTTP 503"],
    [
      "whitespace is folded",
      new Response("<h1>Bad\n\n  Gateway</h1>\n", { status: 502 }),
      "HTTP 502: <h1>Bad Gateway</h1>",
    ],
    [
      "a long body is cut at 200 characters",
      new Response("x".repeat(100_000), { status: 500 }),
      `HTTP 500: ${"x".repeat(200)}`,
    ],
    [
      "a redirect says where it pointed",
      new Response(null, { status: 301, headers: { Location: "https://hooks.example.com/v2" } }),
      "HTTP 301 to https://hooks.example.com/v2: redirects are not followed; give the channel the final URL",
    ],
    [
      "a redirect without Location",
      new Response(null, { status: 307 }),
      "HTTP 307: redirects are not followed; give the channel the final URL",
    ],
    ["multibyte text is decoded", new Response("délai dépassé", { status: 429 }), "HTTP 429: délai dépassé"],
  ])("%s", async (_label, res, text) => {
    expect(await failureText(res)).toBe(text);
  });
});

describe("networkFailureText: a request that got no answer", () => {
  it.each([
    [
      "workerd's opaque DNS or connect failure is named",
      "https://hooks.example.com/services/T/B",
      "internal error; reference = 7ab3kq2lm0",
      "could not reach hooks.example.com: the name did not resolve or the connection failed",
    ],
    [
      "another reason is kept, after the host",
      "http://127.0.0.1:9000/hook",
      "Network connection lost.",
      "could not reach 127.0.0.1:9000: Network connection lost.",
    ],
    ["an unparsable URL is kept whole", "not a url", "boom", "could not reach not a url: boom"],
  ])("%s", (_name, url, message, out) => {
    expect(networkFailureText(url, message)).toBe(out);
  });

  it("stays within 500 characters", () => {
    expect(networkFailureText("https://a.example", "x".repeat(1000))).toHaveLength(500);
  });
});
