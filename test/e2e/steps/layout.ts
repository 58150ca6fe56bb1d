// Phone layout, the rest of the lifecycle, the dark theme, and the console check (last).
import { assert, eventually, test } from "../harness.ts";
import { api, axe, DESKTOP, page, PHONE, server, shot, state, visible, consoleErrors } from "../context.ts";

/** Wide tables scroll inside their own box; the page itself must never scroll sideways. */
async function assertNoSidewaysScroll(where: string): Promise<void> {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert(overflow <= 1, `${where} scrolls sideways by ${overflow}px on a phone`);
}

test("phone-sized layout: live, results, list and form fit the screen", async () => {
  await page.setViewportSize(PHONE);
  try {
    await page.goto(`${server?.url}/live`);
    await visible("[data-testid=events-table]");
    await shot("live-phone");
    await axe("live (phone)");
    await assertNoSidewaysScroll("the live view");
    await page.goto(`${server?.url}/experiments/${encodeURIComponent(state.experimentId)}`);
    await visible(".interval-chart svg");
    await shot("experiment-results-phone");
    await assertNoSidewaysScroll("the results page");
    await page.goto(`${server?.url}/experiments`);
    await visible("table tbody tr");
    await assertNoSidewaysScroll("the experiment list");
    await page.goto(`${server?.url}/experiments/new`);
    await visible("#f-variants-1-traffic_percentage");
    await axe("experiment form (phone)");
    await assertNoSidewaysScroll("the experiment form");
    await page.goto(`${server?.url}/flags`);
    await visible("[data-testid=flags-table] tbody tr");
    await assertNoSidewaysScroll("the flag list");
    // Rows stack into cards: the kill switch is on screen, not at the end of a sideways scroll.
    const toggle = page
      .locator("[data-testid=flags-table] tbody tr")
      .first()
      .getByRole("button", { name: /^Turn (off|on)…/ });
    const box = await toggle.boundingBox();
    assert(
      box !== null && box.x >= 0 && box.x + box.width <= PHONE.width,
      `the flag's kill switch spans x ${box?.x} to ${(box?.x ?? 0) + (box?.width ?? 0)} on a ${PHONE.width} px screen`,
    );
    await shot("flags-phone");
    await axe("flags list (phone)");
    await page.locator("[data-testid=flags-table] tbody tr th a").first().click();
    await visible("#f-key");
    await page.getByRole("button", { name: "Add rule" }).click();
    await axe("flag form (phone)");
    await assertNoSidewaysScroll("the flag form");
  } finally {
    await page.setViewportSize(DESKTOP);
  }
});

test("keyboard: skip link first, visible focus, and the status filter works without a mouse", async () => {
  await page.goto(`${server?.url}/experiments`);
  await visible("table tbody tr");
  await page.keyboard.press("Tab");
  const first = await page.evaluate(() => document.activeElement?.textContent?.trim());
  assert(first === "Skip to content", `first Tab stop is "${first}"`);
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement as Element).outlineStyle);
  assert(outline !== "none", "the focused skip link has no visible focus ring");
  await page.keyboard.press("Enter");
  assert((await page.evaluate(() => document.activeElement?.id)) === "main", "skip link did not move focus to main");
  await page.focus("#status-filter");
  await page.keyboard.press("ArrowDown"); // All → Draft
  await eventually(async () => new URL(page.url()).searchParams.get("status") === "draft", 3000, "status=draft");
  await page.selectOption("#status-filter", "");
});

test("pause (asked first), resume and complete with a winner; completed offers no moves", async () => {
  await page.goto(`${server?.url}/experiments/${encodeURIComponent(state.experimentId)}`);
  const buttons = async () => (await page.locator(".lifecycle .actions button").allTextContents()).map((t) => t.trim());
  // Pausing moves every user to the control at once, so it asks first and says so.
  await page.getByRole("button", { name: "Pause", exact: true }).click();
  await visible("[data-testid=pause-confirm]");
  const says = (await page.textContent("[data-testid=pause-confirm]")) ?? "";
  assert(/every user gets the control/.test(says) && /Resume puts/.test(says), `pause confirm reads "${says}"`);
  await page.getByRole("button", { name: "Yes, pause it" }).click();
  await visible(".page-head .badge-paused");
  await eventually(async () => JSON.stringify(await buttons()) === '["Resume","Complete…"]', 5000, "paused buttons");
  await page.getByRole("button", { name: "Resume", exact: true }).click();
  await visible(".page-head .badge-running");
  await page.getByRole("button", { name: "Complete…" }).click();
  const exp = await api<{ variants: { id: string; key: string; variant_type: string }[] }>(
    "GET",
    `/ab-testing/experiments/${state.experimentId}`,
  );
  const treatment = exp.variants.find((v) => v.variant_type === "treatment");
  assert(treatment, "no treatment variant");
  await page.selectOption("#winner", treatment.id);
  await page.getByRole("button", { name: "Complete experiment" }).click();
  await visible(".page-head .badge-completed");
  assert((await page.locator(".lifecycle").count()) === 0, "a completed experiment still offers lifecycle moves");
  const done = await api<{ status: string; winner_variant_id: string | null }>(
    "GET",
    `/ab-testing/experiments/${state.experimentId}`,
  );
  assert(done.status === "completed" && done.winner_variant_id === treatment.id, `API says ${JSON.stringify(done)}`);
  // The history names the winner by its variant key, not its id.
  const top = page.locator("[data-testid=change-history] > li").first();
  await eventually(async () => /^completed by/.test(((await top.textContent()) ?? "").trim()), 5000, "the completion");
  const line = (await top.textContent()) ?? "";
  assert(line.includes(`winner: none → ${treatment.key}`), `history reads "${line}"`);
});

test("dark theme (system setting): axe on the live view and the results", async () => {
  await page.emulateMedia({ colorScheme: "dark" });
  try {
    await page.goto(`${server?.url}/live`);
    await visible("[data-testid=events-table]");
    await visible(".charts .uplot canvas");
    await shot("live-dark");
    await axe("live (dark)");
    await page.goto(`${server?.url}/experiments/${encodeURIComponent(state.experimentId)}`);
    await visible(".interval-chart svg");
    await axe("experiment results (dark)");
    await page.goto(`${server?.url}/flags`);
    await visible("[data-testid=flags-table] tbody tr");
    await axe("flags list (dark)");
    await page.locator("[data-testid=flags-table] tbody tr th a").first().click();
    await visible("[data-testid=change-history] li");
    await axe("flag form with its history (dark)");
  } finally {
    await page.emulateMedia({ colorScheme: "light" });
  }
});

test("no console errors or CSP violations on any page", async () => {
  assert(consoleErrors.length === 0, `console errors:\n${consoleErrors.join("\n")}`);
});
