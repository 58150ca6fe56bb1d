/**
 * The Worker's bindings and vars. `npm run types:env` generates them from wrangler.toml (and the
 * secret names in .dev.vars.example) into src/worker-env.d.ts; `npm run check` fails when that file
 * is stale. Only the optional secret that no example file names is added here.
 */
export interface Env extends Cloudflare.Env {
  /** `kid:secret` pairs, comma-separated, newest first: key rotation with overlap (docs/operations.md). */
  JWT_SECRETS?: string;
}
