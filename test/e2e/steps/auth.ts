// Headers on the static assets, and the three ways to sign in.
import { assert, test } from "../harness.ts";
import { axe, context, DESKTOP, page, server, shot, state, visible } from "../context.ts";

test("static assets carry the CSP and security headers", async () => {
  const res = await fetch(`${server?.url}/experiments`);
  const csp = res.headers.get("content-security-policy") ?? "";
  assert(res.ok, `GET /experiments → ${res.status}`);
  assert(csp.includes("script-src 'self'") && csp.includes("frame-ancestors 'none'"), `CSP missing or weak: "${csp}"`);
  assert(!csp.includes("unsafe-inline"), "CSP allows unsafe-inline");
  assert(res.headers.get("x-content-type-options") === "nosniff", "X-Content-Type-Options missing");
  assert(Boolean(res.headers.get("referrer-policy")), "Referrer-Policy missing");
});

test("sign in with the one-click demo button", async () => {
  await page.goto(`${server?.url}/`);
  await page.getByRole("button", { name: "Sign in as demo" }).waitFor({ timeout: 10_000 });
  await shot("signin");
  await axe("sign-in");
  await page.getByRole("button", { name: "Sign in as demo" }).click();
  await visible("[data-testid=me-sub]");
  assert((await page.textContent("[data-testid=me-sub]")) === "dev@localhost", "signed-in sub not shown");
  assert((await page.textContent("[data-testid=me-org]")) === "demo", "signed-in org not shown");
  state.token = (await page.evaluate(() => sessionStorage.getItem("ee.token"))) ?? "";
  assert(state.token.split(".").length === 3, "no JWT kept in sessionStorage");
});

test("#token= in the URL signs in and is removed from the address bar", async () => {
  const other = await context.browser()?.newContext({ viewport: DESKTOP });
  assert(other, "no second context");
  try {
    const p = await other.newPage();
    await p.goto(`${server?.url}/experiments#token=${encodeURIComponent(state.token)}`);
    await p.locator("[data-testid=me-sub]").waitFor({ timeout: 10_000 });
    assert(new URL(p.url()).hash === "", `token still in the URL: ${p.url()}`);
    await p.getByRole("button", { name: "Sign out" }).click();
    await p.getByRole("button", { name: "Sign in as demo" }).waitFor({ timeout: 10_000 });
    assert((await p.evaluate(() => sessionStorage.getItem("ee.token"))) === null, "sign out kept the token");
  } finally {
    await other.close();
  }
});
