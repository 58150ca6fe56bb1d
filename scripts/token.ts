// Prints a token signed with the local secret. The default org is "demo", the organization of the
// dashboard's "Sign in as demo" (src/http/dev-auth.ts), so README's walk-through and the dashboard
// see the same experiments: npm run token -- --org other --scope "read write ingest assign"
// With key rotation (JWT_SECRETS="kid:secret,..."): npm run token -- --kid k2026 --secret "$NEW_SECRET"
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { DEV_ORG, signToken } from "../src/http/tokens.ts";

const { values } = parseArgs({
  options: {
    org: { type: "string", default: DEV_ORG },
    scope: { type: "string", default: "read write ingest assign" },
    sub: { type: "string", default: "dev@localhost" },
    ttl: { type: "string", default: "43200" },
    secret: { type: "string" },
    issuer: { type: "string" },
    audience: { type: "string" },
    kid: { type: "string" },
  },
});

/** Reads KEY from .dev.vars, falling back to the committed example (what `npm start` would copy). */
function localVar(key: string): string | undefined {
  for (const file of [".dev.vars", ".dev.vars.example"]) {
    try {
      const match = new RegExp(`^${key}\\s*=\\s*"?([^"\\n]*)"?`, "m").exec(readFileSync(file, "utf8"));
      if (match?.[1]) return match[1];
    } catch {
      // missing file: try the next one
    }
  }
  return undefined;
}

/** The secret JWT_SECRETS (`kid:secret,...`, from the environment or .dev.vars) holds for `kid`. */
function namedSecret(kid: string): string | undefined {
  const pairs = process.env.JWT_SECRETS ?? localVar("JWT_SECRETS") ?? "";
  for (const pair of pairs.split(",")) {
    const at = pair.indexOf(":");
    if (at > 0 && pair.slice(0, at).trim() === kid) return pair.slice(at + 1).trim();
  }
  return undefined;
}

const secret =
  values.secret ??
  (values.kid !== undefined ? namedSecret(values.kid) : (process.env.JWT_SECRET ?? localVar("JWT_SECRET")));
if (!secret) {
  console.error(
    values.kid !== undefined
      ? `No secret for kid '${values.kid}': pass --secret, or list it in JWT_SECRETS (environment or .dev.vars)`
      : "No JWT_SECRET: pass --secret, set JWT_SECRET, or create .dev.vars",
  );
  process.exit(1);
}
const token = await signToken(
  new TextEncoder().encode(secret),
  { sub: values.sub, org: values.org, scope: values.scope, issuer: values.issuer, audience: values.audience },
  Number(values.ttl),
  values.kid,
);
console.log(token);
