// Live charts that tell the truth: an isolated spike is drawn with a tooltip, thresholds are drawn,
// counts start at 0, picks live in the URL, rendering stays throttled under 5,000 events/s, and
// the page passes axe (light and dark) and fits a phone.
import { readFile } from "node:fs/promises";
import { assert, eventually, MIN_WAIT_MS, test } from "../harness.ts";
import { api, axe, DESKTOP, page, PHONE, run, server, shot } from "../context.ts";

// A slash in the name: the chart and the rule preview must keep it one path segment (%2F).
const METRIC = `e2e/spike_${run}_ms`;
const CHART = `[data-testid="metric-chart-${METRIC}"]`;
const PLOT = `${CHART} .chart`;
const AGG = `#agg-${METRIC.replace(/[^A-Za-z0-9_-]/g, "-")}`;
const GROUP = `#group-${METRIC.replace(/[^A-Za-z0-9_-]/g, "-")}`;

const data = (selector: string, key: string) =>
  page.evaluate(
    ([sel, k]) => (document.querySelector(sel ?? "") as HTMLElement | null)?.dataset[k ?? ""] ?? null,
    [selector, key],
  );

/**
 * Hovers the chart's newest point until its tooltip shows and says `want`. Each
 * attempt hovers afresh (a rebuilt plot has no cursor until the mouse moves). The cursor follows x
 * alone, so the pointer goes to the plot's middle height, clear of the point's own pixel and the
 * plot's edges. A failure says what the tooltip last showed.
 */
async function hoverNewest(want: RegExp, what: string): Promise<void> {
  const tip = page.locator(`${CHART} [data-testid=chart-tooltip]`);
  let seen = "";
  await eventually(
    async () => {
      const box = await page.locator(`${PLOT} canvas`).first().boundingBox();
      const [x] = ((await data(PLOT, "lastPoint")) ?? "").split(",").map(Number);
      if (!box || x === undefined || Number.isNaN(x)) return false;
      await page.mouse.move(box.x + 1, box.y + 1);
      await page.mouse.move(box.x + x - 2, box.y + box.height / 2);
      const visible = await tip.isVisible();
      const text = (await tip.textContent()) ?? "";
      seen = `${visible ? "shown" : "hidden"} "${text}", last point ${x}, canvas ${JSON.stringify(box)}`;
      return visible && want.test(text);
    },
    10_000,
    what,
  ).catch((err: unknown) => {
    throw new Error(`${String(err)}; last seen: tooltip ${seen}`);
  });
}

test("charts: an isolated 1,500 ms spike is drawn, its tooltip shows the value with unit, the threshold is drawn", async () => {
  await api("POST", "/streaming-analytics/alert-rules", {
    name: "Spike latency high",
    metric_name: METRIC,
    aggregation: "max",
    window_seconds: 60,
    operator: "gt",
    threshold: 1000,
    severity: "critical",
  });
  await page.goto(`${server?.url}/live`);
  // Tag keys for the group-by picker come with live points: post once the socket is open.
  await eventually(
    async () => (await page.textContent("[data-testid=connection-status]"))?.includes("Live"),
    15_000,
    "the live socket",
  );
  const now = Date.now();
  // Sparse: 4 minutes between points, so at the default 15-minute window no two are neighbours and
  // no line joins them. Only dots can show them.
  await api("POST", "/streaming-analytics/metrics", {
    metrics: [
      { name: METRIC, value: 150, timestamp: now - 12 * 60_000, tags: { region: "us" } },
      { name: METRIC, value: 160, timestamp: now - 8 * 60_000, tags: { region: "us" } },
      { name: METRIC, value: 140, timestamp: now - 4 * 60_000, tags: { region: "us" } },
      { name: METRIC, value: 1500, timestamp: now, tags: { region: "eu" } },
    ],
  });
  await page.locator(PLOT).waitFor({ timeout: 15_000 });
  // The rule's aggregation (max) is the chart's default, so the threshold is drawn.
  await eventually(async () => (await data(PLOT, "thresholds"))?.split(",").includes("1000"), 10_000, "threshold 1000");
  await eventually(async () => (await page.inputValue(AGG)) === "max", 5000, "the rule's aggregation");

  // The newest point (the spike) is drawn: the pixels at its position have the series' colour.
  await eventually(
    () =>
      page.evaluate((sel) => {
        const el = document.querySelector(sel) as HTMLElement;
        const [x, y] = (el.dataset.lastPoint ?? "").split(",").map(Number);
        const canvas = el.querySelector("canvas");
        if (!canvas || x === undefined || y === undefined || Number.isNaN(x)) return null;
        const hex = getComputedStyle(el).getPropertyValue("--chart-line").trim().slice(1);
        const want = [0, 2, 4].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));
        const r = devicePixelRatio;
        const px = canvas.getContext("2d")?.getImageData(Math.round(x * r) - 2, Math.round(y * r) - 2, 5, 5).data;
        if (!px) return null;
        let hits = 0;
        for (let i = 0; i < px.length; i += 4) {
          const close = want.every((c, j) => Math.abs((px[i + j] ?? 0) - (c ?? 0)) < 40);
          if (close && (px[i + 3] ?? 0) > 200) hits++;
        }
        return hits > 0 ? { x, y, hits } : null;
      }, PLOT),
    10_000,
    "the isolated spike to be drawn on the canvas",
  );

  // Hovering the spike shows its value with the unit.
  await hoverNewest(/1,500\s*ms/, "the spike's tooltip, 1,500 ms");
  // The trend arrow calls a 10× spike rising, and bad (the rule fires on >).
  const trend = (await page.locator(`${CHART} h3 .trend`).textContent()) ?? "";
  assert(trend.includes("rising (bad)"), `trend says "${trend}"`);
  assert(
    (await page.locator(`${CHART} .trend-bad`).count()) === 1,
    "a rising metric with a > rule is not coloured bad",
  );
  await shot("live-charts");
});

test("charts: count axes start at 0 (count aggregation, events per minute)", async () => {
  // Until the counts arrive the chart keeps showing max, in ms: never the old milliseconds called
  // points. The counts' request is held here until that has been checked.
  let release: () => void = () => {};
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  const continued: Promise<void>[] = [];
  const counts = (url: URL) =>
    decodeURIComponent(url.pathname).endsWith(`/metrics/${METRIC}`) && url.searchParams.get("aggregation") === "count";
  await page.route(counts, (route) => {
    continued.push(held.then(() => route.continue()));
  });
  try {
    await page.selectOption(AGG, "count");
    await eventually(async () => continued.length > 0, 5000, "the counts' request");
    assert((await data(PLOT, "unit")) === "ms", `while the counts load the unit is ${await data(PLOT, "unit")}`);
    const label = await page.locator(`${CHART} .stat-label`).textContent();
    assert(label === "max over the window", `while the counts load the headline says "${label}"`);
  } finally {
    // Also on failure, so the steps after this one are not left waiting on a held request.
    release();
    await Promise.all(continued); // every held request goes on before the route is removed
    await page.unroute(counts);
  }
  // Then it draws them in points, as a new shape: a rebuilt plot, which has no cursor until the
  // mouse moves.
  await eventually(async () => (await data(PLOT, "unit")) === "points", 10_000, "the counts to be drawn");
  assert((await data(PLOT, "yMin")) === "0", `the count axis starts at ${await data(PLOT, "yMin")}`);
  await hoverNewest(/\d+ points?/, "a tooltip in points");
  await eventually(
    async () => (await data("[data-testid=events-per-minute] .chart", "yMin")) === "0",
    5000,
    "events per minute to start at 0",
  );
});

test("charts: window, aggregation and group-by picks live in the URL and survive a reload", async () => {
  await page.selectOption("#window", "3600");
  // Tag keys come from the live points; the spike carried `region`.
  await eventually(
    async () => (await page.locator(GROUP).locator("option", { hasText: "region" }).count()) === 1,
    5000,
    "region in the group-by picker",
  );
  await page.selectOption(GROUP, "region");
  await eventually(async () => new URL(page.url()).searchParams.get(`group_by.${METRIC}`) === "region", 3000, "URL");
  const url = new URL(page.url());
  assert(url.searchParams.get("window") === "3600", `window not in the URL: ${url.search}`);
  assert(url.searchParams.get(`agg.${METRIC}`) === "count", `aggregation not in the URL: ${url.search}`);
  await page.reload();
  await page.locator(PLOT).waitFor({ timeout: 15_000 });
  assert((await page.inputValue("#window")) === "3600", "window reset on reload");
  assert((await page.inputValue(AGG)) === "count", "aggregation reset on reload");
  assert((await page.inputValue(GROUP)) === "region", "group-by reset on reload");
  const legend = page.locator(`${CHART} .chart-legend`);
  await legend.waitFor({ timeout: MIN_WAIT_MS });
  const items = (await legend.locator("li").allTextContents()).map((t) => t.trim()).sort();
  assert(JSON.stringify(items) === '["region=eu","region=us"]', `legend: ${JSON.stringify(items)}`);
  // The chart's data as CSV (Grafana's Inspect → Data): the points the API gives for the same picks.
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.locator(`${CHART} button.chart-csv`).click(),
  ]);
  assert(
    download.suggestedFilename().startsWith(`${METRIC.replace(/[^A-Za-z0-9._-]+/g, "_")}-count-`),
    download.suggestedFilename(),
  );
  const csv = (await readFile(await download.path(), "utf8")).replace(/^\uFEFF/, "");
  const [head, ...rows] = csv.trimEnd().split("\r\n");
  assert(head === "time,metric,aggregation,step_seconds,group,value", `header ${head}`);
  const points = rows.map((r) => r.split(",")).filter((r) => r[5] !== "");
  const api_ = await api<{ groups: { tags: Record<string, string>; series: { t: string; value: number | null }[] }[] }>(
    "GET",
    `/streaming-analytics/metrics/${encodeURIComponent(METRIC)}?window=3600&aggregation=count&group_by=region`,
  );
  const want = api_.groups
    .flatMap((g) => g.series.filter((p) => p.value !== null).map((p) => `${p.t} region=${g.tags.region} ${p.value}`))
    .sort();
  const got = points.map((r) => `${r[0]} ${r[4]} ${r[5]}`).sort();
  // The page fetched its hour a moment before this call, so across a minute boundary the two
  // windows are one step apart at each end. They must agree on every step both cover, and on
  // every counted point.
  const stepOf = (row: string) => row.split(" ")[0] ?? "";
  const gotSteps = new Set(got.map(stepOf));
  const wantSteps = new Set(want.map(stepOf));
  const inBoth = (rows: string[]) => rows.filter((r) => gotSteps.has(stepOf(r)) && wantSteps.has(stepOf(r)));
  const counted = (rows: string[]) => rows.filter((r) => !r.endsWith(" 0"));
  assert(
    counted(want).length > 0 &&
      JSON.stringify(counted(got)) === JSON.stringify(counted(want)) &&
      JSON.stringify(inBoth(got)) === JSON.stringify(inBoth(want)) &&
      inBoth(want).length >= want.length - 2,
    `csv ${JSON.stringify(got)} api ${JSON.stringify(want)}`,
  );
  // The 1-hour window asks GET /dashboard?minutes=60: the chart covers the whole hour, not the
  // snapshot's 30 minutes.
  await eventually(
    async () => /Last 60 minutes/.test((await page.locator("[data-testid=events-per-minute] p").textContent()) ?? ""),
    5000,
    "events per minute to follow the 1-hour window",
  );
  await page.selectOption("#window", "300");
  await eventually(
    async () => /Last 5 minutes/.test((await page.locator("[data-testid=events-per-minute] p").textContent()) ?? ""),
    3000,
    "events per minute to follow the 5-minute window",
  );
});

test("charts: at most ~5 renders a second while 20,000 events arrive as fast as the API takes them", async () => {
  const renders = async () => Number(await data("[data-testid=live-page]", "renders"));
  const draws = async () => Number(await data("[data-testid=events-per-minute] .chart", "draws"));
  const total = async () => Number(((await page.textContent("[data-testid=events-total]")) ?? "").replace(/\D/g, ""));
  const POSTS = 20;
  const before = await total();
  const r0 = await renders();
  const d0 = await draws();
  const started = Date.now();
  // Sent by count, not paced by a timer: 20 batches of 1,000, four in flight, as fast as they are taken.
  const batch = (tick: number) =>
    api("POST", "/streaming-analytics/events", {
      events: Array.from({ length: 1000 }, (_, i) => ({ event_type: "load", payload: { tick, i } })),
    });
  for (let tick = 0; tick < POSTS; tick += 4) {
    await Promise.all([0, 1, 2, 3].filter((k) => tick + k < POSTS).map((k) => batch(tick + k)));
  }
  const sent = Date.now() - started;
  // Measured until the page has shown every event (the sentinel), so the whole load went through
  // the renders counted; a slower machine only stretches the time, which can only lower the rate.
  await eventually(async () => (await total()) >= before + POSTS * 1000, 30_000, "every event to reach the page");
  const seconds = (Date.now() - started) / 1000;
  const rendered = (await renders()) - r0;
  const drawn = (await draws()) - d0;
  console.log(
    `    ${POSTS * 1000} events posted in ${(sent / 1000).toFixed(1)} s, all shown after ${seconds.toFixed(1)} s: ` +
      `${rendered} renders, ${drawn} chart draws`,
  );
  // The store applies what arrived at most every 250 ms; one more for the render the last frame causes.
  const allowed = Math.ceil(seconds * 5) + 1;
  assert(rendered <= allowed, `${rendered} renders in ${seconds.toFixed(1)} s (at most ${allowed})`);
  assert(drawn <= allowed, `${drawn} chart draws in ${seconds.toFixed(1)} s (at most ${allowed})`);
});

test("charts: axe in light and dark, and the phone width has no sideways scroll", async () => {
  await page.goto(`${server?.url}/live`);
  await page.locator(PLOT).waitFor({ timeout: 15_000 });
  await axe("live charts");
  await page.emulateMedia({ colorScheme: "dark" });
  try {
    await page.reload();
    await page.locator(PLOT).waitFor({ timeout: 15_000 });
    await axe("live charts (dark)");
    await shot("live-charts-dark");
  } finally {
    await page.emulateMedia({ colorScheme: "light" });
  }
  await page.setViewportSize(PHONE);
  try {
    await page.reload();
    await page.locator(PLOT).waitFor({ timeout: 15_000 });
    await page.locator(`${PLOT} canvas`).first().waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert(overflow <= 1, `the live charts scroll sideways by ${overflow}px on a phone`);
    await page.locator(CHART).scrollIntoViewIfNeeded();
    await shot("live-charts-phone");
    await axe("live charts (phone)");
  } finally {
    await page.setViewportSize(DESKTOP);
  }
});
