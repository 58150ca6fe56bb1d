// Prints a token signed with the local secret: npm run token -- --org acme --scope "read write ingest assign"
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { signToken } from "../src/http/tokens.ts";

const { values } = parseArgs({
  options: {
    org: { type: "string", default: "demo" },
    scope: { type: "string", default: "read write ingest assign" },
    sub: { type: "string", default: "dev@localhost" },
    ttl: { type: "string", default: "43200" },
    secret: { type: "string" },
    issuer: { type: "string" },
    audience: { type: "string" },
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

const secret = values.secret ?? process.env.JWT_SECRET ?? localVar("JWT_SECRET");
if (!secret) {
  console.error("No JWT_SECRET: pass --secret, set JWT_SECRET, or create .dev.vars");
  process.exit(1);
}
const token = await signToken(
  new TextEncoder().encode(secret),
  { sub: values.sub, org: values.org, scope: values.scope, issuer: values.issuer, audience: values.audience },
  Number(values.ttl),
);
console.log(token);
