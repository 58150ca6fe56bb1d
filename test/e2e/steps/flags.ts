// A release manager's journey, through the UI: create a feature flag with a targeted rule and a
// partial rollout, try it on users before saving, turn it off, and read who changed what.
import { assert, eventually, MIN_WAIT_MS, test } from "../harness.ts";
import { api, axe, context, DESKTOP, nav, page, run, server, shot, state, visible } from "../context.ts";

const KEY = `new-checkout-${run}`;
const text = async (selector: string) => ((await page.textContent(selector)) ?? "").trim();

interface Flag {
  id: string;
  key: string;
  enabled: boolean;
  default_value: unknown;
  rules: { condition?: unknown; rollout_percentage: number; value: unknown }[];
}

test("flags: a targeted rule and a 10% rollout from the form; tried before saving; the API serves the same", async () => {
  await nav("Flags").click();
  await visible("h1:has-text('Feature flags')");
  await page.getByRole("link", { name: "New flag" }).click();
  await visible("#f-key");
  await page.fill("#f-key", KEY);
  await page.fill("#f-description", "The one-page checkout");
  // A boolean flag, off by default: each new rule offers to turn it on.
  await page.getByRole("button", { name: "Add rule" }).click();
  await page.fill("#f-rules-0-condition", "{country: FR}");
  await page.getByRole("button", { name: "Add rule" }).click();
  await page.fill("#f-rules-1-rollout_percentage", "10");
  await page.getByRole("button", { name: "Create flag" }).click();
  await visible("#f-rules-0-condition-err");
  const summary = await text("#form-errors");
  assert(/Rule 1 condition: Enter a JSON object/.test(summary), `summary reads "${summary}"`);
  await page.fill("#f-rules-0-condition", '{"country": {"$in": ["FR", "DE"]}}');
  await eventually(
    async () => (await page.locator("#f-rules-0-condition-err").count()) === 0,
    3000,
    "the error to clear",
  );

  // Try it, before saving: a French user gets rule 1; a Brazilian one the default.
  await page.fill("#try-user", "user-fr");
  await page.fill("#try-attributes", '{"country": "FR"}');
  await eventually(async () => /^true · rule 1/.test(await text("[data-testid=try-result]")), 3000, "rule 1 for FR");
  await page.fill("#try-attributes", '{"country": "BR"}');
  await eventually(
    async () => /^(false · no rule holds|true · rule 2)/.test(await text("[data-testid=try-result]")),
    3000,
    "the default or the rollout for BR",
  );
  await shot("flag-form", true);
  await axe("flag form");

  await page.getByRole("button", { name: "Create flag" }).click();
  await page.waitForURL((u) => u.pathname === "/flags");
  const row = page.locator(`tr[data-flag-key="${KEY}"]`);
  await row.waitFor();
  assert((await row.locator(".badge").textContent())?.trim() === "on", "the new flag is not listed as on");
  const listed = (await row.locator(".flag-rule-summary").textContent()) ?? "";
  assert(
    listed.includes('{"country":{"$in":["FR","DE"]}} · 100% → true') && listed.includes("everyone · 10% → true"),
    `the rules read "${listed}"`,
  );
  await shot("flags");
  await axe("flags list");

  const saved = (await api<{ items: Flag[] }>("GET", "/ab-testing/flags")).items.find((f) => f.key === KEY);
  assert(
    JSON.stringify(saved?.rules) ===
      JSON.stringify([
        { condition: { country: { $in: ["FR", "DE"] } }, rollout_percentage: 100, value: true },
        { condition: null, rollout_percentage: 10, value: true },
      ]) && saved?.default_value === false,
    `flag saved as ${JSON.stringify(saved)}`,
  );
  // The service's own evaluation agrees with what the form showed.
  const served = await api<{ flags: Record<string, { value: unknown; rule_index: number | null }> }>(
    "POST",
    "/ab-testing/flags/evaluate",
    { user_id: "user-fr", attributes: { country: "FR" }, flags: [KEY] },
  );
  assert(served.flags[KEY]?.value === true && served.flags[KEY]?.rule_index === 0, JSON.stringify(served));
});

test("flags: turning a flag off is one change, listed in its history with who made it", async () => {
  await page.getByRole("link", { name: KEY, exact: true }).click();
  await page.waitForURL((u) => u.pathname === `/flags/${KEY}`);
  await visible("#f-enabled");
  // Lowering a rollout says what it takes away before anything is saved; raising it back clears it.
  await page.fill("#f-rules-1-rollout_percentage", "5");
  const warning = (await page.textContent("[data-testid=rule-1-warning]")) ?? "";
  assert(/Lowering from 10% to 5% takes the value from about 50%/.test(warning), `the warning reads "${warning}"`);
  await page.fill("#f-rules-1-rollout_percentage", "10");
  await eventually(async () => (await page.locator("[data-testid=rule-1-warning]").count()) === 0, 3000, "no warning");
  // A rule after one that serves everyone is never reached, and the form says so until it is moved.
  await page.getByRole("button", { name: "Add rule" }).click();
  await page.fill("#f-rules-1-rollout_percentage", "100");
  const unreachable = (await page.textContent("[data-testid=rule-2-warning]")) ?? "";
  assert(/^Never reached: rule 2 above it serves every user/.test(unreachable), `rule 3 warning: "${unreachable}"`);
  await page.getByRole("button", { name: "Remove rule 3" }).click();
  await page.fill("#f-rules-1-rollout_percentage", "10");
  await eventually(async () => (await page.locator("[data-testid=rule-2-warning]").count()) === 0, 3000, "rule 3 gone");
  await page.uncheck("#f-enabled");
  await page.getByRole("button", { name: "Save flag" }).click();
  await page.waitForURL((u) => u.pathname === "/flags");
  const row = page.locator(`tr[data-flag-key="${KEY}"]`);
  await eventually(async () => (await row.locator(".badge").textContent())?.trim() === "off", 5000, "listed as off");

  await page.getByRole("link", { name: KEY, exact: true }).click();
  await visible("[data-testid=change-history] li");
  const history = await text("[data-testid=change-history]");
  assert(/updated by/.test(history) && /enabled: true → false/.test(history), `history reads "${history}"`);
  assert(/created by/.test(history), `history lacks the creation: "${history}"`);
  // The creation lists the rules one by one, in the list's words, not as JSON.
  assert(
    history.includes('rule 1 added: {"country":{"$in":["FR","DE"]}} · 100% → true') &&
      history.includes("rule 2 added: everyone · 10% → true"),
    `the creation's rules read "${history}"`,
  );
  // How to read it from code: the service's evaluation, then the Python SDK, both naming this key.
  const snippet = page.locator("[data-testid=flag-code] [data-testid=snippet]");
  assert((await snippet.textContent())?.includes(`"flags":["${KEY}"]`), "the curl snippet lacks the key");
  await page.locator("[data-testid=flag-code]").getByRole("button", { name: "Python SDK" }).click();
  await eventually(
    async () => (await snippet.textContent())?.includes(`client.get_flag("${KEY}"`) ?? false,
    3000,
    "the Python snippet",
  );
  // Off: everyone gets the default, and the page says why.
  await page.fill("#try-attributes", '{"country": "FR"}');
  await eventually(async () => /^false · the flag is off/.test(await text("[data-testid=try-result]")), 3000, "off");
});

test("flags: one that serves one value and has not changed for a month is offered for removal", async () => {
  const key = `old-switch-${run}`;
  await api("POST", "/ab-testing/flags", { key, value_type: "boolean", default_value: true });
  const partial = `half-rollout-${run}`;
  await api("POST", "/ab-testing/flags", {
    key: partial,
    value_type: "boolean",
    default_value: false,
    rules: [{ rollout_percentage: 50, value: true }],
  });
  // The browser's clock 40 days on (the server's stays): the list and the page read the age from it.
  const later = await context.browser()?.newContext({ viewport: DESKTOP });
  assert(later, "no second context");
  try {
    const p = await later.newPage();
    await p.clock.setFixedTime(new Date(Date.now() + 40 * 86_400_000));
    await p.goto(`${server?.url}/flags?q=${key}#token=${encodeURIComponent(state.token)}`);
    const row = p.locator(`tr[data-flag-key="${key}"]`);
    await row.waitFor({ timeout: 10_000 });
    const note = ((await row.locator("[data-testid=flag-stale]").textContent()) ?? "").trim();
    assert(note === "stale: true for everyone, unchanged 40 days", `the list says "${note}"`);
    // Half the users get true and half false: not stale, however old.
    await p.goto(`${server?.url}/flags?q=${partial}`);
    await p.locator(`tr[data-flag-key="${partial}"]`).waitFor({ timeout: 10_000 });
    assert((await p.locator("[data-testid=flag-stale]").count()) === 0, `${partial} is read as stale`);
    // Stale only: the cleanup list. The flag of the earlier steps is off by now, so it is stale too.
    await p.goto(`${server?.url}/flags?q=${run}`);
    await p.locator("#flags-stale").check();
    await p.waitForURL((u) => u.searchParams.get("stale") === "1" && u.searchParams.get("q") === run);
    const listed = async () =>
      (
        await p.locator("tr[data-flag-key]").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-flag-key")))
      ).sort();
    await p.locator(`tr[data-flag-key="${key}"]`).waitFor({ timeout: MIN_WAIT_MS });
    const stale = await listed();
    assert(JSON.stringify(stale) === JSON.stringify([KEY, key].sort()), `stale only lists ${JSON.stringify(stale)}`);
    await p.locator("#flags-stale").uncheck();
    await p.locator(`tr[data-flag-key="${partial}"]`).waitFor({ timeout: MIN_WAIT_MS });
    await p.goto(`${server?.url}/flags/${key}`);
    await p.locator("[data-testid=flag-stale]").waitFor({ timeout: 10_000 });
    const page_ = (await p.textContent("[data-testid=flag-stale]")) ?? "";
    assert(/^Every user has got true for 40 days \(it has no rules\): ready to remove/.test(page_), `page: "${page_}"`);
  } finally {
    await later.close();
  }
});

test("flags: Clone fills a new flag with the rules under the next key, saved only when created", async () => {
  await page.goto(`${server?.url}/flags/${encodeURIComponent(KEY)}`);
  await page.getByRole("link", { name: "Clone" }).click();
  await visible("[data-testid=copy-note]");
  assert((await page.inputValue("#f-key")) === `${KEY}-2`, `key ${await page.inputValue("#f-key")}`);
  assert((await page.inputValue("#f-rules-1-rollout_percentage")) === "10", "rule 2's rollout");
  await page.getByRole("button", { name: "Create flag" }).click();
  await page.waitForURL((u) => u.pathname === "/flags");
  const all = (await api<{ items: (Flag & { value_type: string })[] }>("GET", "/ab-testing/flags")).items;
  const original = all.find((f) => f.key === KEY);
  const clone = all.find((f) => f.key === `${KEY}-2`);
  const served = (f?: Flag & { value_type: string }) =>
    JSON.stringify([f?.value_type, f?.enabled, f?.default_value, f?.rules]);
  assert(clone !== undefined && served(clone) === served(original), `clone ${served(clone)} of ${served(original)}`);
  await api("DELETE", `/ab-testing/flags/${encodeURIComponent(clone.id)}`);
});

test("history: the first 50 changes, then older ones on request, down to the creation", async () => {
  const key = `long-history-${run}`;
  const flag = await api<Flag>("POST", "/ab-testing/flags", { key, value_type: "boolean", default_value: false });
  // 54 edits: with the creation, 55 changes, so the page shows 50 and one more page holds 5.
  for (let i = 1; i <= 54; i++) {
    await api("PATCH", `/ab-testing/flags/${encodeURIComponent(flag.id)}`, { description: `revision ${i}` });
  }
  await page.goto(`${server?.url}/flags/${encodeURIComponent(key)}`);
  const entries = page.locator("[data-testid=change-history] > li");
  await eventually(async () => (await entries.count()) === 50, 5000, "the first 50 changes");
  assert(/revision 54/.test(await text("[data-testid=change-history] > li:first-child")), "newest first");
  assert(!/created by/.test(await text("[data-testid=change-history]")), "the creation is not on the first page");
  await page.getByRole("button", { name: "Show older changes" }).click();
  await eventually(async () => (await entries.count()) === 55, 5000, "55 changes after the older page");
  const last = await text("[data-testid=change-history] > li:last-child");
  assert(/^created by/.test(last), `the oldest entry reads "${last}"`);
  assert(
    /revision 4 → revision 5/.test(await text("[data-testid=change-history] > li:nth-child(50)")),
    "page 1 ends at 5",
  );
  assert((await page.getByRole("button", { name: "Show older changes" }).count()) === 0, "nothing older is offered");
  await axe("flag history, two pages");
});

test("history: a change to the rules reads rule by rule: which rule, which fields, old → new", async () => {
  const fr = { condition: { country: "FR" }, rollout_percentage: 25, value: true };
  const all = { condition: null, rollout_percentage: 100, value: false };
  const key = `rule-history-${run}`;
  const flag = await api<Flag>("POST", "/ab-testing/flags", {
    key,
    value_type: "boolean",
    default_value: false,
    rules: [fr, all],
  });
  await api("PATCH", `/ab-testing/flags/${encodeURIComponent(flag.id)}`, {
    rules: [
      { condition: { plan: "pro" }, rollout_percentage: 100, value: true },
      { ...fr, rollout_percentage: 50 },
      all,
    ],
  });
  await page.goto(`${server?.url}/flags/${encodeURIComponent(key)}`);
  const newest = page.locator("[data-testid=change-history] > li:first-child .change-lines li");
  await eventually(async () => (await newest.count()) === 2, 5000, "two rule lines in the newest change");
  const lines = await newest.allTextContents();
  assert(
    JSON.stringify(lines) ===
      JSON.stringify(['rule 1 added: {"plan":"pro"} · 100% → true', "rule 2 (was 1): rollout 25% → 50%"]),
    `the rules change reads ${JSON.stringify(lines)}`,
  );
});

test("flags: the list's search and its switch, which says what it will do and asks first", async () => {
  await nav("Flags").click();
  await page.fill("#flags-q", "android");
  await eventually(async () => (await page.locator("tr[data-flag-key]").count()) === 0, 3000, "no match");
  await page.fill("#flags-q", `checkout ${run}`);
  const row = page.locator(`tr[data-flag-key="${KEY}"]`);
  await row.waitFor();
  assert(
    new URL(page.url()).searchParams.get("q") === `checkout ${run}`,
    `the search is not in the URL: ${page.url()}`,
  );
  await row.getByRole("button", { name: `Turn on… ${KEY}` }).click();
  const warning = (await row.locator(".flag-confirm p").textContent()) ?? "";
  assert(/2 rules apply again; the others get false/.test(warning), `the switch says "${warning}"`);
  await axe("flags list (switch asking)");
  await row.getByRole("button", { name: `Turn on ${KEY}` }).click();
  await eventually(async () => (await row.locator(".badge").textContent())?.trim() === "on", 5000, "listed as on");
  const saved = (await api<{ items: Flag[] }>("GET", "/ab-testing/flags")).items.find((f) => f.key === KEY);
  assert(saved?.enabled === true, `saved as ${JSON.stringify(saved)}`);
});
