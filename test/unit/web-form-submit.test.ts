// @vitest-environment happy-dom
// @vitest-environment-options {"url": "http://localhost/"}
//
// A form saves what the user typed even when Save comes before Preact's re-render: Preact renders
// a state change in a microtask, so a submit handled in the same task as the last input (a fast
// automated client, Enter pressed as the field changes) ran the previous render's handler and, read
// from its closure, the previous draft. Each case types into a real form in a DOM and submits it in
// the same tick, then reads the request the page sent.
import { h, render } from "preact";
import { afterEach, describe, expect, it, vi } from "vitest";
import { SessionContext } from "../../web/src/auth/session-context";
import { ChannelsPage } from "../../web/src/alerting/ChannelsPage";
import { RulesPage } from "../../web/src/alerting/RulesPage";
import { SilencesPage } from "../../web/src/alerting/SilencesPage";
import { ExperimentForm } from "../../web/src/experiments/ExperimentForm";
import { FlagForm } from "../../web/src/flags/FlagForm";
import { MetricForm } from "../../web/src/metrics/MetricForm";
import { SourcesPage } from "../../web/src/sources/SourcesPage";

const RULE = {
  id: "rule-1",
  name: "Slow checkout",
  type: "threshold",
  metric_name: "checkout.latency_ms",
  tags: { region: "eu" },
  aggregation: "avg",
  window_seconds: 60,
  operator: "gt",
  threshold: 500,
  severity: "warning",
  for_seconds: 0,
  no_data: "keep",
  sensitivity: null,
  baseline_windows: null,
  state: { status: "inactive", since: null, alert_id: null },
};
const SOURCE = {
  id: "src-1",
  name: "web",
  source_type: "web",
  description: null,
  health: { status: "healthy", last_event_at: null, events_last_5m: 0 },
};

/** Lists the pages read: one page each, with the one rule or source to edit. */
const LISTS: [RegExp, unknown[]][] = [
  [/\/alert-rules\?/, [RULE]],
  [/\/sources\?/, [SOURCE]],
];

const sent: { method: string; url: string; body: unknown }[] = [];
function answer(url: string, method: string): Response {
  // A save answers with the thing saved: here the fixture of its kind (no page here reads it back).
  if (method !== "GET") return Response.json(/\/sources\//.test(url) ? SOURCE : RULE);
  // The rule preview's series: none yet (the preview says so; nothing here reads it).
  if (/\/metrics\/[^?]/.test(url)) return Response.json({ title: "Not found" }, { status: 404 });
  const items = LISTS.find(([re]) => re.test(url))?.[1] ?? [];
  return Response.json({ items, next_cursor: null });
}

const root = document.createElement("div");
document.body.appendChild(root);

async function mount(page: (props: never) => unknown) {
  sent.length = 0;
  vi.stubGlobal(
    "fetch",
    vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      const req = new Request(input, init);
      if (req.method !== "GET") sent.push({ method: req.method, url: req.url, body: await req.json() });
      return answer(req.url, req.method);
    }),
  );
  const me = { subject: "tester", scopes: ["read", "write"] };
  render(h(SessionContext.Provider, { value: me as never }, h(page as never, {})), root);
  await vi.waitFor(() => expect(root.querySelector("form")).not.toBeNull());
}

afterEach(() => {
  render(null, root);
  vi.unstubAllGlobals();
});

const field = (label: string): HTMLInputElement | HTMLSelectElement => {
  const l = [...root.querySelectorAll("label")].find((x) => x.textContent?.trim().startsWith(label));
  const el = l && (document.getElementById(l.htmlFor) ?? l.querySelector("input, select"));
  if (!el) throw new Error(`no field labelled ${label}`);
  return el as HTMLInputElement;
};

/** Types `value` into the field and submits its form, in one tick: no re-render in between. */
function typeAndSubmit(edits: [label: string, value: string][]) {
  let form: HTMLFormElement | null = null;
  for (const [label, value] of edits) {
    const el = field(label);
    el.value = value;
    el.dispatchEvent(new Event(el.tagName === "SELECT" ? "change" : "input", { bubbles: true }));
    form = el.closest("form");
  }
  form?.dispatchEvent(new Event("submit", { bubbles: true, cancelable: true }));
}

async function click(name: RegExp) {
  await vi.waitFor(() => {
    const b = [...root.querySelectorAll("button")].find((x) => name.test(x.textContent ?? ""));
    if (!b) throw new Error(`no button ${name}`);
    b.click();
  });
  // The edit form mounts on the next render.
  await vi.waitFor(() => expect(root.querySelector("form h2")?.textContent).toMatch(/^Edit/));
}

const lastBody = async () => {
  await vi.waitFor(() => expect(sent.length).toBeGreaterThan(0));
  return sent.at(-1);
};

describe("a submit in the same tick as the last edit sends that edit", () => {
  it("rules: clearing the tag filter of a rule being edited unsets it", async () => {
    await mount(RulesPage);
    await click(/^Edit/);
    expect(field("Tag filter").value).toBe("region=eu");
    typeAndSubmit([["Tag filter", ""]]);
    const req = await lastBody();
    expect(req?.method).toBe("PATCH");
    expect(req?.body).toMatchObject({ name: "Slow checkout", tags: null });
  });

  it("rules: a new rule carries every field typed just before Create", async () => {
    await mount(RulesPage);
    typeAndSubmit([
      ["Name", "High p99"],
      ["Metric", "api.latency_ms"],
      ["Threshold", "250"],
      ["Severity", "critical"],
    ]);
    expect(await lastBody()).toMatchObject({
      method: "POST",
      body: { name: "High p99", metric_name: "api.latency_ms", threshold: 250, severity: "critical" },
    });
  });

  it("channels: the name and URL typed just before Create", async () => {
    await mount(ChannelsPage);
    typeAndSubmit([
      ["Name", "Ops hook"],
      ["URL", "https://hooks.example.com/x"],
    ]);
    expect(await lastBody()).toMatchObject({
      method: "POST",
      body: { name: "Ops hook", url: "https://hooks.example.com/x" },
    });
  });

  it("silences: the matcher and comment chosen just before Create", async () => {
    await mount(SilencesPage);
    typeAndSubmit([
      ["Severity", "critical"],
      ["Comment", "Deploy window"],
    ]);
    expect(await lastBody()).toMatchObject({
      method: "POST",
      body: { matchers: { severity: "critical" }, comment: "Deploy window" },
    });
  });

  it("sources: a renamed source", async () => {
    await mount(SourcesPage);
    await click(/^Edit/);
    typeAndSubmit([["Name", "web-eu"]]);
    expect(await lastBody()).toMatchObject({ method: "PATCH", body: { name: "web-eu" } });
  });

  it("flags: a new flag's key typed just before Create", async () => {
    await mount(FlagForm);
    typeAndSubmit([
      ["Key", "checkout-v2"],
      ["Description", "The new checkout"],
    ]);
    expect(await lastBody()).toMatchObject({
      method: "POST",
      body: { key: "checkout-v2", description: "The new checkout" },
    });
  });

  it("metrics: a new metric's key and name typed just before Create", async () => {
    await mount(MetricForm);
    typeAndSubmit([
      ["Key", "signup"],
      ["Name", "Sign-ups"],
      ["Kind", "binomial"],
    ]);
    expect(await lastBody()).toMatchObject({ method: "POST", body: { key: "signup", name: "Sign-ups" } });
  });

  it("experiments: a new experiment's name typed just before Create", async () => {
    await mount(ExperimentForm);
    typeAndSubmit([["Name", "Checkout button"]]);
    expect(await lastBody()).toMatchObject({
      method: "POST",
      body: { experiment_name: "Checkout button", key: "checkout_button" },
    });
  });
});

describe("a refused save", () => {
  it("experiments: a taken key is named and another asked for, without the API's lookup", async () => {
    await mount(ExperimentForm);
    const detail =
      'an experiment with key "checkout_button" already exists: GET /api/v1/ab-testing/experiments?key=checkout_button';
    const problem = { type: "urn:edge-experiments:problem:conflict", title: "Conflict", status: 409, detail };
    vi.stubGlobal(
      "fetch",
      vi.fn(async () =>
        Response.json(problem, { status: 409, headers: { "Content-Type": "application/problem+json" } }),
      ),
    );
    typeAndSubmit([["Name", "Checkout button"]]);
    await vi.waitFor(() =>
      expect(root.textContent).toContain('an experiment with key "checkout_button" already exists. Pick another key.'),
    );
    expect(root.textContent).not.toContain("GET /api");
  });
});
