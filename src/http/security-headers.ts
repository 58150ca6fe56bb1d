import { createMiddleware } from "hono/factory";
import type { AppEnv } from "./types";

/**
 * The dashboard's security headers (web/public/_headers, `/*`), restated for the HTML the Worker
 * renders itself (/api/docs); test/unit/security-headers.test.ts keeps the two equal.
 */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "X-Frame-Options": "DENY",
  "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
  "Cross-Origin-Opener-Policy": "same-origin",
};

/** The dashboard's Content-Security-Policy, as directive name to sources. */
export const PAGE_CSP: Readonly<Record<string, readonly string[]>> = {
  "default-src": ["'none'"],
  "script-src": ["'self'"],
  "style-src": ["'self'"],
  "img-src": ["'self'", "data:"],
  "font-src": ["'self'"],
  "connect-src": ["'self'"],
  "manifest-src": ["'self'"],
  "base-uri": ["'none'"],
  "form-action": ["'self'"],
  "frame-ancestors": ["'none'"],
};

/** Renders a policy, adding `extra` sources to the directives named. */
function renderCsp(extra: Partial<Record<string, readonly string[]>> = {}): string {
  return Object.entries(PAGE_CSP)
    .map(([directive, sources]) => [directive, ...sources, ...(extra[directive] ?? [])].join(" "))
    .join("; ");
}

async function sha256Source(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  return `'sha256-${btoa(String.fromCharCode(...digest))}'`;
}

/**
 * Hash sources for every inline `<style>` and `<script>` block of a page the Worker renders, so the
 * page keeps the dashboard's policy (no 'unsafe-inline') whatever its inline blocks hold.
 */
async function inlineHashes(html: string): Promise<{ "style-src": string[]; "script-src": string[] }> {
  const hashes = async (tag: string) =>
    Promise.all(
      [...html.matchAll(new RegExp(`<${tag}(?:\\s[^>]*)?>([\\s\\S]*?)</${tag}>`, "g"))].map((m) =>
        sha256Source(m[1] ?? ""),
      ),
    );
  return { "style-src": await hashes("style"), "script-src": await hashes("script") };
}

/**
 * For HTML rendered by the Worker: the dashboard's headers, with the page's inline blocks allowed
 * by hash. Mounted outside secureHeaders so its values are the ones that stay.
 */
export const pageSecurityHeaders = createMiddleware<AppEnv>(async (c, next) => {
  await next();
  if (!c.res.headers.get("Content-Type")?.startsWith("text/html")) return;
  const html = await c.res.clone().text();
  c.res.headers.set("Content-Security-Policy", renderCsp(await inlineHashes(html)));
  for (const [name, value] of Object.entries(PAGE_HEADERS)) c.res.headers.set(name, value);
});

/**
 * Authenticated answers are per caller and may hold tenant data: no browser or proxy may store
 * them. A route that chose its own caching (the SDK config's revalidation) keeps its choice.
 */
export const noStore = createMiddleware<AppEnv>(async (c, next) => {
  await next();
  if (!c.res.headers.has("Cache-Control")) c.res.headers.set("Cache-Control", "no-store");
});
