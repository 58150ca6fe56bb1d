// A product person's journey, through the UI only: define metrics in the catalogue, create a
// 3-variant experiment from them with the form's guidance, start it, and find how to integrate it.
// It leaves state.journeyExperimentId running for the results steps (traffic and the verdict).
import { assert, eventually, test } from "../harness.ts";
import { api, axe, context, DESKTOP, nav, page, PHONE, server, shot, state, visible } from "../context.ts";

const CONVERSION = "checkout_conversion";
const ORDER_VALUE = "order_value";
const value = (selector: string) => page.inputValue(selector);
const text = async (selector: string) => ((await page.textContent(selector)) ?? "").trim();

async function noSidewaysScroll(where: string): Promise<void> {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert(overflow <= 1, `${where} scrolls sideways by ${overflow}px on a phone`);
}

test("catalogue: define a binomial and a currency metric; a field's error clears once it is fixed", async () => {
  await nav("Metrics").click();
  await visible("h1:has-text('Metrics')");
  await page.getByRole("link", { name: "New metric" }).click();
  await visible("#f-key");
  await page.fill("#f-key", CONVERSION);
  await page.fill("#f-name", "Checkout conversion");
  await page.selectOption("#f-kind", "binomial");
  // A conversion is shown as a rate: the form suggests the percent format with it.
  assert((await value("#f-format")) === "percent", "binomial did not suggest the percent format");
  await page.getByRole("button", { name: "Create metric" }).click();
  await page.waitForURL((u) => u.pathname === "/metrics");
  await visible(`td:has-text('${CONVERSION}')`);

  await page.getByRole("link", { name: "New metric" }).click();
  await visible("#f-key");
  await page.fill("#f-key", ORDER_VALUE);
  await page.fill("#f-name", "Order value");
  await page.selectOption("#f-kind", "mean");
  await page.selectOption("#f-format", "currency");
  await page.fill("#f-currency", "EUR");
  await page.selectOption("#f-capping", "absolute");
  await page.fill("#f-capping-value", "-5");
  await page.getByRole("button", { name: "Create metric" }).click();
  await visible("#f-capping-value-err");
  const summary = await text("#form-errors");
  assert(/Cap value: An absolute cap must be greater than 0/.test(summary), `summary reads "${summary}"`);
  await shot("catalogue-form-errors");
  await page.fill("#f-capping-value", "500");
  await eventually(async () => (await page.locator("#f-capping-value-err").count()) === 0, 3000, "the error to clear");
  assert((await page.getAttribute("#f-capping-value", "aria-invalid")) === "false", "cap value still marked invalid");
  await page.getByRole("button", { name: "Create metric" }).click();
  await page.waitForURL((u) => u.pathname === "/metrics");
  await visible(`td:has-text('${ORDER_VALUE}')`);
  const saved = await api<{
    items: { key: string; kind: string; format: string; currency: string | null; capping: unknown }[];
  }>("GET", "/ab-testing/metrics");
  const order = saved.items.find((m) => m.key === ORDER_VALUE);
  const conv = saved.items.find((m) => m.key === CONVERSION);
  assert(conv?.kind === "binomial" && conv.format === "percent", `conversion saved as ${JSON.stringify(conv)}`);
  assert(
    order?.format === "currency" &&
      order.currency === "EUR" &&
      JSON.stringify(order.capping) === '{"type":"absolute","value":500}',
    `order value saved as ${JSON.stringify(order)}`,
  );

  // Search: every word in the name, key or description; kept in the URL; says when nothing matches.
  const rows = page.locator("[data-testid=metrics-table] tbody tr");
  await page.fill("#metrics-q", "ORDER value");
  await eventually(async () => (await rows.count()) === 1, 3000, "only the order value");
  assert((await text("[data-testid=metrics-table] tbody")).includes(ORDER_VALUE), "the order value is listed");
  assert(new URL(page.url()).searchParams.get("q") === "ORDER value", `the search is not in the URL: ${page.url()}`);
  await page.fill("#metrics-q", "order conversion");
  await visible("text=No metric matches “order conversion”.");
  await page.fill("#metrics-q", "");
  await eventually(async () => (await rows.count()) === saved.items.length, 3000, "every metric again");
});

test("catalogue: ?name= prefills a new definition; edit and delete it", async () => {
  await page.goto(`${server?.url}/metrics/new?name=latency_ms`);
  await visible("#f-key");
  assert((await value("#f-key")) === "latency_ms", "?name= did not prefill the key");
  await page.selectOption("#f-kind", "event_mean");
  await page.selectOption("#f-direction", "decrease");
  await page.getByRole("button", { name: "Create metric" }).click();
  await page.waitForURL((u) => u.pathname === "/metrics");
  await page.getByRole("link", { name: "latency_ms", exact: true }).click();
  await page.waitForURL((u) => u.pathname === "/metrics/latency_ms");
  await visible("#f-name");
  assert((await value("#f-direction")) === "decrease", "the edit form lost the direction");
  await page.fill("#f-name", "Latency");
  await page.getByRole("button", { name: "Save metric" }).click();
  await page.waitForURL((u) => u.pathname === "/metrics");
  await visible("a:has-text('Latency')");
  await shot("catalogue");
  await axe("metric catalogue");
  await page.getByRole("link", { name: "Latency", exact: true }).click();
  await page.getByRole("button", { name: "Delete metric…" }).click();
  await page.getByRole("button", { name: "Yes, delete latency_ms" }).click();
  await page.waitForURL((u) => u.pathname === "/metrics");
  await eventually(async () => (await page.locator("td:has-text('latency_ms')").count()) === 0, 5000, "deleted");
});

test("form: plain errors by label that clear, derived key, remaining %, one control, 3 variants from the catalogue", async () => {
  await nav("Experiments").click();
  await page.getByRole("link", { name: "New experiment" }).click();
  await visible("#f-experiment_name");
  await page.fill("#f-key", "");
  await page.getByRole("button", { name: "Create experiment" }).click();
  await visible("#form-errors");
  const summary = await text("#form-errors");
  assert(summary.includes("Name: Enter a name."), `summary reads "${summary}"`);
  assert(!/experiment_name|Too small|expected string/.test(summary), `summary is not plain: "${summary}"`);
  await shot("form-errors");
  await axe("experiment form (errors)");
  // Typing the name fixes the name and, the key not being touched, derives the key: both errors go.
  await page.fill("#f-experiment_name", "Checkout redesign — 3 ways");
  assert((await value("#f-key")) === "checkout_redesign_3_ways", `derived key ${await value("#f-key")}`);
  await eventually(
    async () => (await page.locator("#f-experiment_name-err, #f-key-err").count()) === 0,
    3000,
    "name and key errors to clear",
  );
  assert((await page.locator("#form-errors").count()) === 0, "the summary stayed after every problem was fixed");
  await page.fill("#f-key", "checkout_redesign");
  await page.fill("#f-experiment_name", "Checkout redesign");
  assert((await value("#f-key")) === "checkout_redesign", "an edited key must stay as typed");
  await page.selectOption("#f-primary_metric", CONVERSION);
  await page
    .locator("#f-secondary_metrics")
    .getByLabel(/Order value/)
    .check();
  await page.fill("#f-hypothesis", "A one-page checkout converts more without lowering the order value.");

  await page.fill("#f-variants-0-traffic_percentage", "34");
  await page.fill("#f-variants-1-traffic_percentage", "33");
  const badge = page.locator("[data-testid=percent-sum]");
  assert((await badge.getAttribute("class"))?.includes("sum-bad"), "the badge is not red at 67%");
  await page.getByRole("button", { name: "Add variant" }).click();
  assert((await value("#f-variants-2-traffic_percentage")) === "33", "the new row did not get the remaining 33%");
  assert((await badge.getAttribute("class"))?.includes("sum-ok"), "the badge is not green at 100%");
  await page.fill("#f-variants-2-variant_name", "One page");
  await page.fill("#f-variants-2-key", "one_page");
  // One control: making row 3 the control turns the old control into a treatment, and back.
  await page.selectOption("#f-variants-2-variant_type", "control");
  assert((await value("#f-variants-0-variant_type")) === "treatment", "two controls at once");
  await page.selectOption("#f-variants-0-variant_type", "control");
  assert((await value("#f-variants-2-variant_type")) === "treatment", "two controls at once (back)");
  // Advanced fields wait behind a disclosure.
  assert(!(await page.locator("#f-seed").isVisible()), "the seed is not under Advanced");
  await page.locator(".variant-row").nth(1).locator("summary").click();
  await page.fill("#f-variants-1-config", '{"layout": "two-step"}');
  await shot("form", true);
  await page.getByRole("button", { name: "Create experiment" }).click();
  await page.waitForURL((u) => /^\/experiments\/[^/]+$/.test(u.pathname) && !u.pathname.endsWith("/new"));
  state.journeyExperimentId = decodeURIComponent(new URL(page.url()).pathname.split("/").pop() ?? "");
  const e = await api<{
    key: string;
    primary_metric: string;
    secondary_metrics: string[];
    variants: { key: string; variant_type: string; traffic_percentage: number; config: unknown }[];
  }>("GET", `/ab-testing/experiments/${state.journeyExperimentId}`);
  assert(
    e.key === "checkout_redesign" &&
      e.primary_metric === CONVERSION &&
      JSON.stringify(e.secondary_metrics) === JSON.stringify([ORDER_VALUE]) &&
      e.variants.map((v) => `${v.key}:${v.variant_type}:${v.traffic_percentage}`).join() ===
        "control:control:34,treatment_1:treatment:33,one_page:treatment:33" &&
      JSON.stringify(e.variants[1]?.config) === '{"layout":"two-step"}',
    `saved ${JSON.stringify(e)}`,
  );
});

test("Start asks for confirmation, says what it locks, then runs", async () => {
  await page.getByRole("button", { name: "Start", exact: true }).click();
  await visible("[data-testid=start-confirm]");
  const says = await text("[data-testid=start-confirm]");
  assert(/locks the variants/.test(says) && /control 34%/.test(says), `confirmation reads "${says}"`);
  await shot("form-start-confirm");
  await page.getByRole("button", { name: "Cancel" }).click();
  assert((await page.locator("[data-testid=start-confirm]").count()) === 0, "cancel did not close it");
  assert(
    (await api<{ status: string }>("GET", `/ab-testing/experiments/${state.journeyExperimentId}`)).status === "draft",
    "started without confirmation",
  );
  await page.getByRole("button", { name: "Start", exact: true }).click();
  await page.getByRole("button", { name: "Yes, start it" }).click();
  await visible(".page-head .badge-running");
  const e = await api<{ status: string }>("GET", `/ab-testing/experiments/${state.journeyExperimentId}`);
  assert(e.status === "running", `API says ${e.status}`);
});

test("integration panel: id and key with copy buttons, snippets that work, a link to the API docs", async () => {
  const origin = server?.url ?? "";
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin });
  const panel = page.locator("[data-testid=integration]");
  await panel.waitFor();
  assert((await text("#integration-id")) === state.journeyExperimentId, "the id is not shown");
  assert((await text("#integration-key")) === "checkout_redesign", "the key is not shown");
  await panel.getByRole("button", { name: "Copy experiment id" }).click();
  await eventually(async () => (await panel.textContent())?.includes("Copied"), 3000, "Copied");
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  assert(copied === state.journeyExperimentId, `clipboard holds "${copied}"`);

  // The curl snippet for /assign, run as written (its body and URL), answers this experiment.
  const assignSnippet = await text("[data-testid=snippet]");
  const url = /(\S+\/api\/v1\/ab-testing\/assign) -d '([^']+)'/.exec(assignSnippet);
  assert(url?.[1] && url[2], `no assign call in "${assignSnippet}"`);
  const res = await fetch(url[1], {
    method: "POST",
    headers: { Authorization: `Bearer ${state.token}`, "Content-Type": "application/json" },
    body: url[2],
  });
  const answer = (await res.json()) as { assignments: { experiment_key: string }[] };
  assert(res.status === 200 && answer.assignments[0]?.experiment_key === "checkout_redesign", JSON.stringify(answer));

  await panel.getByRole("button", { name: "curl: results" }).click();
  assert(
    (await text("[data-testid=snippet]")).includes(`/experiments/${state.journeyExperimentId}/results`),
    "results snippet",
  );
  await panel.getByRole("button", { name: "TypeScript SDK" }).click();
  const sdk = await text("[data-testid=snippet]");
  assert(sdk.includes('getVariant("checkout_redesign", userId)') && sdk.includes("reportExposures: true"), sdk);
  await panel.getByRole("button", { name: "Copy TypeScript SDK snippet" }).click();
  await eventually(async () => (await page.evaluate(() => navigator.clipboard.readText())) === sdk, 3000, "SDK copied");
  assert(
    (await panel.getByRole("link", { name: "API reference" }).getAttribute("href")) === "/api/docs",
    "no docs link",
  );
  await panel.scrollIntoViewIfNeeded();
  await panel.screenshot({ path: "docs/screenshots/integration.png" });
  await axe("experiment page with the integration panel");
});

test("/api/docs shows resolved request and response schemas with examples", async () => {
  await page.goto(`${server?.url}/api/docs`);
  const route = page.locator('details[id="post-/api/v1/ab-testing/metrics"]');
  await route.locator("summary").click();
  const shown = (await route.textContent()) ?? "";
  assert(
    shown.includes("capping.type") && shown.includes("Example") && shown.includes('"currency": "USD"'),
    shown.slice(0, 400),
  );
  const whole = (await page.textContent("body")) ?? "";
  assert(!/\$ref|anyOf/.test(whole), "unresolved $ref/anyOf on /api/docs");
  await route.screenshot({ path: "docs/screenshots/integration-api-docs.png" });
});

test("catalogue and form: axe in dark, and phone width without sideways scroll", async () => {
  await page.emulateMedia({ colorScheme: "dark" });
  try {
    for (const [path, ready, label] of [
      ["/metrics", "[data-testid=metrics-table]", "metric catalogue (dark)"],
      [`/metrics/${ORDER_VALUE}`, "#f-currency", "metric form (dark)"],
      ["/experiments/new", "#f-variants-1-traffic_percentage", "experiment form (dark)"],
      [`/experiments/${state.journeyExperimentId}`, "[data-testid=integration]", "integration panel (dark)"],
    ] as const) {
      await page.goto(`${server?.url}${path}`);
      await visible(ready);
      await axe(label);
    }
    await shot("catalogue-dark");
  } finally {
    await page.emulateMedia({ colorScheme: "light" });
  }
  await page.goto(`${server?.url}/metrics/new`);
  await visible("#f-key");
  await axe("metric form");
  await page.setViewportSize(PHONE);
  try {
    for (const [path, ready] of [
      ["/metrics", "[data-testid=metrics-table]"],
      [`/metrics/${ORDER_VALUE}`, "#f-currency"],
      ["/experiments/new", "#f-variants-1-traffic_percentage"],
      [`/experiments/${state.journeyExperimentId}`, "[data-testid=integration]"],
    ] as const) {
      await page.goto(`${server?.url}${path}`);
      await visible(ready);
      await noSidewaysScroll(path);
    }
    await page.goto(`${server?.url}/experiments/new`);
    await visible("#f-variants-1-traffic_percentage");
    await axe("experiment form (phone)");
    await shot("form-phone");
  } finally {
    await page.setViewportSize(DESKTOP);
  }
});
