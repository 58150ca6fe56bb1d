// Model monitoring as an ML team meets it: predictions of a model's two versions posted through the
// API show on the Models page per version, the canary's lower confidence and slower p95 are called
// out against the busiest version, a third version posted while the page is open appears without a
// reload, the window lives in the URL, and the page passes axe (light, dark) and fits a phone.
import { spawnSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import { assert, eventually, MIN_WAIT_MS, test } from "../harness.ts";
import { api, axe, DESKTOP, nav, page, PHONE, run, server, shot, state } from "../context.ts";

const MODEL = `e2e-churn-${run}`;
const card = () => page.locator("[data-testid=model-card]").filter({ has: page.getByRole("heading", { name: MODEL }) });
const rowNames = () => card().locator("[data-testid=model-versions] tbody th").allTextContents();

/** `n` predictions of one version over the last few minutes; confidence and latency spread around a centre. */
const predictions = (version: string, n: number, confidence: number, latency: number) => {
  const now = Date.now();
  return Array.from({ length: n }, (_, i) => ({
    model_name: MODEL,
    model_version: version,
    prediction: { churn: i % 2 === 0 },
    confidence: Math.min(1, Math.max(0, confidence + ((i % 11) - 5) * 0.01)),
    latency_ms: latency + (i % 7),
    timestamp: now - (i % 5) * 30_000,
  }));
};

test("models: each version's volume, confidence and latency; the canary's differences are called out", async () => {
  await api("POST", "/streaming-analytics/predictions", {
    predictions: [...predictions("v1", 90, 0.85, 20), ...predictions("v2", 40, 0.6, 60)],
  });
  // From the live view's Predictions card, which links to the page; the main menu marks it.
  await page.goto(`${server?.url}/live`);
  await page.getByRole("link", { name: "by model" }).click();
  await eventually(async () => new URL(page.url()).pathname === "/models", 5000, "the Models page");
  assert((await nav("Models").getAttribute("aria-current")) === "page", "Models is the current section");
  await card().waitFor({ timeout: 15_000 });
  assert((await rowNames()).join(",") === "v1,v2", `versions busiest first: ${await rowNames()}`);
  const text = (await card().textContent()) ?? "";
  assert(text.includes("130 predictions · 2 versions"), `the card's totals: ${text.slice(0, 200)}`);
  const v2 = card().locator("tbody tr").nth(1);
  const v2Text = (await v2.textContent()) ?? "";
  assert(v2Text.includes("30.8%"), `v2's share of 130: ${v2Text}`);
  assert(
    /Mean confidence 2\d(\.\d)? pp lower than v1 \(\d+(\.\d)?% against \d+(\.\d)?%\)/.test(v2Text),
    `v2's confidence note: ${v2Text}`,
  );
  assert(/p95 latency 2\.\d× v1's/.test(v2Text), `v2's latency note: ${v2Text}`);
  // Confidence as a percentage, as everywhere on the dashboard (fmtConfidence): p10 · p50 · p90.
  assert(/\d+(\.\d)?% · \d+(\.\d)?% · \d+(\.\d)?%/.test(v2Text), `v2's confidence quantiles: ${v2Text}`);
  assert((await v2.locator(".version-notes .worse").count()) === 2, "both notes are marked as worse");
  assert(((await card().locator("tbody tr").first().textContent()) ?? "").includes("reference"), "v1 is the reference");
  // One line per version in each chart.
  await card().locator(".charts .card").first().locator("canvas").first().waitFor({ timeout: 10_000 });
  assert((await card().locator(".charts > li.card").count()) === 2, "a confidence chart and a latency chart");
  const legend = await card().locator(".chart-legend li").allTextContents();
  assert(legend.map((t) => t.trim()).join(",") === "v1,v2", `one legend entry per version: ${legend}`);
  await shot("models");
  await axe("models");
  // The card's data as CSV: one row per version and step, the predictions adding up to the API's.
  const [download] = await Promise.all([page.waitForEvent("download"), card().locator("button.chart-csv").click()]);
  assert(download.suggestedFilename().startsWith(`${MODEL}-models-`), download.suggestedFilename());
  const csv = (await readFile(await download.path(), "utf8")).replace(/^\uFEFF/, "");
  const [head, ...rows] = csv.trimEnd().split("\r\n");
  assert(head === "model,version,step_start,step_seconds,predictions,mean_confidence,latency_p95_ms", `header ${head}`);
  const summary = await api<{
    models: { model_name: string; versions: { model_version: string; series: unknown[] }[] }[];
  }>("GET", `/streaming-analytics/models?model_name=${encodeURIComponent(MODEL)}`);
  const versions = summary.models[0]?.versions ?? [];
  assert(rows.length === versions.reduce((n, v) => n + v.series.length, 0), `${rows.length} rows`);
  const perVersion = (name: string) =>
    rows.filter((r) => r.split(",")[1] === name).reduce((n, r) => n + Number(r.split(",")[4]), 0);
  assert(
    perVersion("v1") === 90 && perVersion("v2") === 40,
    `CSV predictions: v1 ${perVersion("v1")}, v2 ${perVersion("v2")}`,
  );
});

test("models: a version posted while the page is open appears without a reload; the window is in the URL", async () => {
  await page.goto(`${server?.url}/models`);
  await card().waitFor({ timeout: 15_000 });
  // The page must be listening before the post, or the post could land before the socket opens.
  await eventually(
    async () => (await page.textContent("[data-testid=connection-status]"))?.includes("Live"),
    15_000,
    "the live socket",
  );
  const reloads: string[] = [];
  page.on("request", (r) => {
    if (r.url().includes("/streaming-analytics/models")) reloads.push(r.url());
  });
  await api("POST", "/streaming-analytics/predictions", { predictions: predictions("v3", 35, 0.9, 10) });
  await eventually(async () => (await rowNames()).includes("v3"), 15_000, "v3 in the table");
  assert((await rowNames())[0] === "v1", "v1 stays the busiest");
  await page.selectOption("#models-window", "15m");
  await eventually(async () => new URL(page.url()).searchParams.get("window") === "15m", 3000, "window=15m");
  await eventually(
    async () => reloads.some((u) => new URL(u).searchParams.get("window") === "900"),
    5000,
    "a 15-minute query",
  );
  await card().waitFor({ timeout: 10_000 });
  await page.goBack();
  await eventually(async () => (await page.inputValue("#models-window")) === "1h", 3000, "Back restores the hour");
});

test("models: an alert rule on one version's p95 latency, made in the rules form, fires on that version's predictions", async () => {
  const name = `Slow ${MODEL} v2`;
  await page.goto(`${server?.url}/alerting/rules`);
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByLabel("Metric").fill("@models/latency_ms");
  // A model statistic: the form asks which model and version, and the preview points to the Models page.
  await page.getByLabel("Model", { exact: true }).fill(MODEL);
  await page.getByLabel("Version", { exact: true }).fill("v2");
  await page.getByLabel("Aggregation").selectOption("p95");
  await page.getByLabel("Window (seconds)").fill("60");
  await page.getByLabel("Fires when the value is").selectOption("gt");
  await page.getByLabel("Threshold").fill("500");
  await page.getByLabel("Severity").selectOption("warning");
  assert(
    ((await page.textContent(".preview-empty")) ?? "").includes("Models page"),
    "the preview of a model statistic points to the Models page",
  );
  await axe("rule form on a model statistic");
  await page.getByRole("button", { name: "Create rule" }).click();
  const row = page.locator("[data-rule-id]", { hasText: name });
  await row.waitFor({ timeout: MIN_WAIT_MS });
  const text = (await row.textContent()) ?? "";
  assert(
    text.includes(`p95 of @models/latency_ms{model="${MODEL}",version="v2"} over 1 min > 500`),
    `rule row: ${text}`,
  );
  const id = (await row.getAttribute("data-rule-id")) ?? "";
  // v1 slow: not this rule's version. Then v2 slow: the rule fires on that batch.
  await api("POST", "/streaming-analytics/predictions", { predictions: predictions("v1", 5, 0.9, 900) });
  const firing = async () =>
    (
      await api<{ items: { fingerprint: string; status: string; title: string }[] }>(
        "GET",
        "/streaming-analytics/alerts",
      )
    ).items.find((a) => a.fingerprint === `rule:${id}`);
  assert((await firing()) === undefined, "a slow v1 fired the v2 rule");
  await api("POST", "/streaming-analytics/predictions", { predictions: predictions("v2", 5, 0.9, 900) });
  const alert = await eventually(firing, 5000, "the v2 rule's alert");
  assert(
    alert.status === "open" && alert.title.startsWith(`${name}: p95(@models/latency_ms{`),
    `alert: ${alert.title}`,
  );
  // Clean up: the rule would otherwise stay firing for the later steps' alert counts.
  await api("DELETE", `/streaming-analytics/alert-rules/${id}`);
});

test("models: the Python SDK's PredictionReporter posts to the real service, and its batch is summarized", async () => {
  const model = `e2e-py-${run}`;
  // The SDK as a Python user runs it: standard library only, against this server, with the page's token.
  const script = `
import sys
from edge_experiments import PredictionReporter
r = PredictionReporter(sys.argv[1], sys.argv[2], max_batch=1000)
for i in range(120):
    r.add(sys.argv[3], confidence=0.5 + (i % 10) / 20, prediction={"label": i % 2}, model_version="py", latency_ms=10 + i % 7)
sent = r.flush()
print(sent, r.stats["accepted"], r.stats["failed_requests"])
`;
  const out = spawnSync("python3", ["-c", script, server?.url ?? "", state.token, model], {
    encoding: "utf8",
    env: { ...process.env, PYTHONPATH: "sdk/python" },
  });
  assert(out.status === 0, `python exited ${out.status}: ${out.stderr}`);
  assert(out.stdout.trim() === "120 120 0", `sent, accepted, failed: ${out.stdout}`);
  const summary = await api<{
    models: {
      model_name: string;
      versions: { model_version: string; predictions: number; latency_ms: { max: number } }[];
    }[];
  }>("GET", `/streaming-analytics/models?model_name=${encodeURIComponent(model)}`);
  const [version] = summary.models[0]?.versions ?? [];
  assert(version?.model_version === "py" && version.predictions === 120, `summary: ${JSON.stringify(summary)}`);
  assert(version.latency_ms.max === 16, `latency max ${version.latency_ms.max}`);
});

test("models: dark theme and a phone", async () => {
  await page.goto(`${server?.url}/models`);
  await card().waitFor({ timeout: 15_000 });
  await page.emulateMedia({ colorScheme: "dark" });
  try {
    await axe("models (dark)");
  } finally {
    await page.emulateMedia({ colorScheme: "light" });
  }
  await page.setViewportSize(PHONE);
  try {
    await page.goto(`${server?.url}/models`);
    await card().waitFor({ timeout: 15_000 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert(overflow <= 1, `the Models page scrolls sideways by ${overflow}px on a phone`);
    await axe("models (phone)");
  } finally {
    await page.setViewportSize(DESKTOP);
  }
});
