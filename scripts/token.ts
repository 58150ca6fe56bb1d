// Prints a token signed with the local secret. The default org is "demo", the organization of the
// dashboard's "Sign in as demo" (src/http/dev-auth.ts), so README's walk-through and the dashboard
// see the same experiments: npm run token -- --org other --scope "read write ingest assign"
// With key rotation (JWT_SECRETS="kid:secret,..."): npm run token -- --kid k2026 --secret "$NEW_SECRET"
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { DEV_ORG, signToken } from "../src/http/tokens.ts";
import { ORG_PATTERN, SCOPES } from "../src/http/types.ts";

const USAGE = `Usage: npm run -s token -- [options]
  --org <org>        organization (default ${DEV_ORG}, the dashboard's demo sign-in)
  --scope "<list>"   space-separated, of: ${SCOPES.join(" ")} (default "read write ingest assign")
  --sub <subject>    who the token speaks for (default dev@localhost), shown in histories
  --ttl <seconds>    lifetime (default 43200, 12 hours)
  --secret <secret>  signing secret (default JWT_SECRET from the environment or .dev.vars)
  --kid <kid>        key id, with its secret from JWT_SECRETS when --secret is not given
  --issuer, --audience  claims for a deployment that checks them`;

const fail = (message: string): never => {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(1);
};

function parse() {
  return parseArgs({
    options: {
      help: { type: "boolean", short: "h", default: false },
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
}
const { values } = (() => {
  try {
    return parse();
  } catch (err) {
    return fail((err as Error).message);
  }
})();
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
// The server refuses what these checks refuse (src/http/auth.ts): say so now, not at the first call.
const unknownScopes = values.scope.split(/\s+/).filter((s) => s !== "" && !(SCOPES as readonly string[]).includes(s));
if (unknownScopes.length > 0) fail(`unknown scope(s): ${unknownScopes.join(", ")}`);
if (!ORG_PATTERN.test(values.org)) fail(`--org must be 1-64 characters of [A-Za-z0-9_-]: "${values.org}"`);
if (!/^[1-9][0-9]*$/.test(values.ttl)) fail(`--ttl must be a whole number of seconds: "${values.ttl}"`);

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
