// Shared state and helpers of the end-to-end steps. The browser objects are exported as live
// bindings: run.ts sets them once at start-up, and every step reads the current ones.
import AxeBuilder from "@axe-core/playwright";
import type { Browser, BrowserContext, Page, WebSocketRoute } from "playwright-core";
import { assert, MIN_WAIT_MS } from "./harness.ts";
import type { Server } from "./server.ts";

export const SHOTS = "docs/screenshots";
export const DESKTOP = { width: 1280, height: 860 };
export const PHONE = { width: 390, height: 844 };
/** Makes keys and titles unique per run (the state directory is fresh anyway; this helps reading logs). */
export const run = Date.now().toString(36);

export let server: Server | undefined;
export let browser: Browser | undefined;
export let context: BrowserContext;
export let page: Page;

export function setRuntime(r: { server?: Server; browser?: Browser; context?: BrowserContext; page?: Page }): void {
  if (r.server) server = r.server;
  if (r.browser) browser = r.browser;
  if (r.context) context = r.context;
  if (r.page) page = r.page;
}

export const state = {
  token: "",
  experimentId: "",
  /** The product person's journey experiment (catalogue.ts creates it through the UI; results.ts reads it). */
  journeyExperimentId: "",
  /** Steps that provoke an API error on purpose allow the browser's "Failed to load resource" line. */
  allowHttpErrors: false,
  ticketRequests: 0,
};
export const consoleErrors: string[] = [];
/** The dashboard's live sockets, proxied through Playwright so a test can drop one. */
export const liveSockets: WebSocketRoute[] = [];
/**
 * Text frames the server pushed to the page's live sockets (the newest 1,000): a step proves a row
 * came over the socket, pushed, rather than by a poll, without timing how fast it came.
 */
export const liveFrames: string[] = [];
export const axeSummary: string[] = [];

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${server?.url}/api/v1${path}`, {
    method,
    headers: { Authorization: `Bearer ${state.token}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status}: ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

export async function shot(name: string, fullPage = false): Promise<void> {
  // Let the live view's 250 ms batch render and fonts settle before the picture.
  await page.waitForTimeout(400);
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage });
}

export async function axe(label: string): Promise<void> {
  const result = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"])
    .analyze();
  // Every impact counts, minor included: each page is at zero, and a new finding should say so.
  const bad = result.violations;
  const detail = bad
    .map((v) => `${v.id} (${v.impact}): ${v.help} → ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)
    .join("\n");
  assert(bad.length === 0, `axe on ${label}: ${bad.length} violations\n${detail}`);
  axeSummary.push(`${label}: 0 violations, ${result.passes.length} passed rules`);
}

/**
 * Runs a step that provokes an API error on purpose (a 4xx the form must show): the browser logs
 * it as a console error, which the run otherwise counts as a failure.
 */
export async function allowingHttpErrors(step: () => Promise<void>): Promise<void> {
  state.allowHttpErrors = true;
  try {
    await step();
  } finally {
    state.allowHttpErrors = false;
  }
}

export const nav = (name: string) =>
  page.getByRole("navigation", { name: "Main" }).getByRole("link", { name, exact: true });
export const visible = (selector: string, timeout = MIN_WAIT_MS) =>
  page
    .locator(selector)
    .first()
    .waitFor({ state: "visible", timeout: Math.max(timeout, MIN_WAIT_MS) });
